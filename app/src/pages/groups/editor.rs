//! The group editor: name and site, the conditions (property, operator, value fitting the
//! property's type), active, schedule, what the group grants; a preview of who matches now.
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::{op_label, schedule_label, Editing};
use crate::api::groups::{
    preview_group, save_group, ConditionRow, GroupInput, GroupPreview, GroupsPage,
};
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::icon::{Icon, IconSvg};
use crate::error::AppError;
use crate::i18n::*;
use wire::{ConditionOp, PropertyKind, Schedule};

#[derive(Debug, Clone, PartialEq)]
struct Draft {
    id: usize,
    row: ConditionRow,
}

#[component]
pub fn GroupEditor(
    data: StoredValue<GroupsPage>,
    editing: Editing,
    close: RwSignal<Editing>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let page = data.get_value();
    let saved = match &editing {
        Editing::Group(g) => Some((**g).clone()),
        _ => None,
    };
    let group_id = saved.as_ref().map(|g| g.id);
    let name = RwSignal::new(saved.as_ref().map(|g| g.name.clone()).unwrap_or_default());
    let site = RwSignal::new(
        saved
            .as_ref()
            .map(|g| g.site)
            .unwrap_or(page.site)
            .to_string(),
    );
    let conditions = RwSignal::new(
        saved
            .as_ref()
            .map(|g| g.conditions.clone())
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(id, row)| Draft { id, row })
            .collect::<Vec<_>>(),
    );
    let next_id = StoredValue::new(conditions.get_untracked().len());
    let active = RwSignal::new(saved.as_ref().map(|g| g.active).unwrap_or(true));
    let schedule = RwSignal::new(saved.as_ref().map(|g| g.schedule).unwrap_or_default());
    let grant_product = RwSignal::new(
        saved
            .as_ref()
            .map(|g| g.grant_product.clone())
            .unwrap_or_default(),
    );
    let grant_role = RwSignal::new(
        saved
            .as_ref()
            .and_then(|g| g.grant_role)
            .map(|r| r.to_string())
            .unwrap_or_default(),
    );
    let grant_site = RwSignal::new(
        saved
            .as_ref()
            .and_then(|g| g.grant_site)
            .map(|s| s.to_string())
            .unwrap_or_default(),
    );
    let preview = RwSignal::new(None::<GroupPreview>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let invalid = move |field: &'static str| aria_invalid(error.into(), field);

    let rule = move || -> Vec<ConditionRow> {
        conditions
            .get_untracked()
            .into_iter()
            .map(|d| d.row)
            .collect()
    };
    let add_condition = move |_| {
        let Some(first) = data.get_value().definitions.first().cloned() else {
            return;
        };
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        conditions.update(|c| {
            c.push(Draft {
                id,
                row: ConditionRow {
                    op: ConditionOp::Equals,
                    key: first.key.clone(),
                    value: String::new(),
                },
            })
        });
        preview.set(None);
    };
    let on_preview = move |_| {
        let Ok(on) = Uuid::parse_str(&site.get_untracked()) else {
            return;
        };
        busy.set(true);
        error.set(None);
        let rule = rule();
        spawn_local(async move {
            match preview_group(on, rule, group_id).await {
                Ok(found) => preview.set(Some(found)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(on) = Uuid::parse_str(&site.get_untracked()) else {
            return;
        };
        let input = GroupInput {
            id: group_id,
            site: on,
            name: name.get_untracked(),
            conditions: rule(),
            active: active.get_untracked(),
            schedule: schedule.get_untracked(),
            grant_product: grant_product.get_untracked(),
            grant_role: Uuid::parse_str(&grant_role.get_untracked()).ok(),
            grant_site: Uuid::parse_str(&grant_site.get_untracked()).ok(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match save_group(input).await {
                Ok(_) => {
                    close.set(Editing::Closed);
                    version.update(|n| *n += 1);
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let title = if saved.is_some() {
        td_string!(i18n.get_locale_untracked(), groups.edit_group)
    } else {
        td_string!(i18n.get_locale_untracked(), groups.new_group)
    };
    let sites = page.sites.clone();
    let grant_sites = page.sites.clone();
    let products = page.products.clone();
    let roles = page.roles.clone();
    let no_properties = page.definitions.is_empty();
    view! {
        <section class="panel" aria-labelledby="group-editor-title" id="group-editor">
            <h2 id="group-editor-title">{title}</h2>
            <form class="form" id="group-form" on:submit=on_save>
                <div class="grid-form">
                    <div class="field">
                        <label for="group-name">{t!(i18n, groups.name)}</label>
                        <input id="group-name" type="text" required maxlength="100" autofocus
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=invalid("name") />
                    </div>
                    <div class="field">
                        <label for="group-site">{t!(i18n, groups.site)}</label>
                        <select id="group-site" aria-describedby="group-site-help"
                            on:change=move |ev| { site.set(event_target_value(&ev)); preview.set(None); }>
                            {sites.into_iter().map(|s| {
                                let value = s.id.to_string();
                                let selected = value == site.get_untracked();
                                view! { <option value=value selected=selected>{format!("{}{}", "\u{2003}".repeat(s.depth), s.name)}</option> }
                            }).collect_view()}
                        </select>
                        <p class="help" id="group-site-help">{t!(i18n, groups.site_help)}</p>
                    </div>
                </div>
                <fieldset class="conditions">
                    <legend>{t!(i18n, groups.conditions)}</legend>
                    <p class="help">{t!(i18n, groups.conditions_help)}</p>
                    <ul class="condition-list" id="conditions">
                        <For each=move || conditions.get() key=|d| d.id let:draft>
                            <ConditionEditor id=draft.id conditions=conditions data=data preview=preview />
                        </For>
                    </ul>
                    {move || conditions.get().is_empty().then(|| view! {
                        <p class="muted" id="no-conditions">{t!(i18n, groups.everyone_in_site)}</p>
                    })}
                    {if no_properties {
                        view! {
                            <p class="help">{t!(i18n, groups.define_properties_first)}" "
                                <a href="/admin/properties">{t!(i18n, groups.tab_properties)}</a></p>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button" id="add-condition" on:click=add_condition>
                                {t!(i18n, groups.add_condition)}
                            </button>
                        }.into_any()
                    }}
                </fieldset>
                <div class="grid-form">
                    <div class="field">
                        <label for="group-schedule">{t!(i18n, groups.schedule)}</label>
                        <select id="group-schedule" on:change=move |ev| schedule.set(Schedule::parse(&event_target_value(&ev)).unwrap_or_default())>
                            {[Schedule::Nightly, Schedule::Hourly, Schedule::Manual].into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || schedule.get() == s>{move || schedule_label(i18n.get_locale(), s)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label class="checkbox">
                            <input type="checkbox" id="group-active" prop:checked=move || active.get()
                                on:change=move |ev| active.set(event_target_checked(&ev)) />
                            {t!(i18n, groups.active)}
                        </label>
                        <p class="help">{t!(i18n, groups.active_help)}</p>
                    </div>
                    {page.can_grant_licences.then(|| view! {
                        <div class="field">
                            <label for="group-product">{t!(i18n, groups.grant_licence)}</label>
                            <select id="group-product" on:change=move |ev| grant_product.set(event_target_value(&ev))>
                                <option value="">{t!(i18n, groups.no_licence)}</option>
                                {products.into_iter().map(|(key, name)| {
                                    let selected = key == grant_product.get_untracked();
                                    view! { <option value=key selected=selected>{name}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    })}
                    <div class="field">
                        <label for="group-role">{t!(i18n, groups.grant_role)}</label>
                        <select id="group-role" on:change=move |ev| grant_role.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, groups.no_role)}</option>
                            {roles.into_iter().map(|r| {
                                let value = r.id.to_string();
                                let selected = value == grant_role.get_untracked();
                                let shown = move || crate::labels::role_name(i18n.get_locale(), r.builtin_key.as_deref(), &r.name);
                                view! { <option value=value selected=selected>{shown}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <Show when=move || !grant_role.get().is_empty()>
                        <div class="field">
                            <label for="group-grant-site">{t!(i18n, groups.grant_site)}</label>
                            <select id="group-grant-site" on:change=move |ev| grant_site.set(event_target_value(&ev))>
                                <option value="">{t!(i18n, groups.grant_site_default)}</option>
                                {grant_sites.clone().into_iter().map(|s| {
                                    let value = s.id.to_string();
                                    let selected = value == grant_site.get_untracked();
                                    view! { <option value=value selected=selected>{format!("{}{}", "\u{2003}".repeat(s.depth), s.name)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    </Show>
                </div>
                <ErrorMessage error=error />
                <div class="form-actions">
                    <button type="button" class="button" id="preview-group" disabled=move || busy.get() on:click=on_preview>
                        {t!(i18n, groups.preview)}
                    </button>
                    <button type="submit" class="button button-primary" id="save-group" disabled=move || busy.get()>
                        {t!(i18n, common.save)}
                    </button>
                    <button type="button" class="button button-quiet" id="cancel-group" on:click=move |_| close.set(Editing::Closed)>
                        {t!(i18n, common.cancel)}
                    </button>
                </div>
            </form>
            {move || preview.get().map(|p| view! { <PreviewView preview=p saved=group_id.is_some() /> })}
        </section>
    }
}

#[component]
fn ConditionEditor(
    id: usize,
    conditions: RwSignal<Vec<Draft>>,
    data: StoredValue<GroupsPage>,
    preview: RwSignal<Option<GroupPreview>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let row = Memo::new(move |_| {
        conditions
            .get()
            .into_iter()
            .find(|d| d.id == id)
            .map(|d| d.row)
            .unwrap_or(ConditionRow {
                key: String::new(),
                op: ConditionOp::Equals,
                value: String::new(),
            })
    });
    let update = move |change: &dyn Fn(&mut ConditionRow)| {
        conditions.update(|all| {
            if let Some(d) = all.iter_mut().find(|d| d.id == id) {
                change(&mut d.row);
            }
        });
        preview.set(None);
    };
    let definition = move || {
        let key = row.get().key;
        data.get_value()
            .definitions
            .into_iter()
            .find(|d| d.key == key)
    };
    let kind = move || definition().map(|d| d.kind).unwrap_or(PropertyKind::Text);
    let position = move || {
        conditions
            .get()
            .iter()
            .position(|d| d.id == id)
            .map(|p| p + 1)
            .unwrap_or(0)
    };
    let label = move |what: &'static str| {
        let locale = i18n.get_locale();
        let n = position();
        match what {
            "property" => td_string!(locale, groups.condition_property, n = n),
            "op" => td_string!(locale, groups.condition_op, n = n),
            "value" => td_string!(locale, groups.condition_value, n = n),
            _ => td_string!(locale, groups.condition_remove, n = n),
        }
        .to_string()
    };
    let definitions = data.get_value().definitions;
    view! {
        <li class="condition" data-condition=id>
            <select class="condition-property" aria-label=move || label("property")
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    // Equals fits every type: the first operator offered for any property.
                    update(&|r| {
                        r.key = key.clone();
                        r.op = ConditionOp::Equals;
                        r.value = String::new();
                    });
                }>
                {definitions.into_iter().map(|d| {
                    let key = d.key.clone();
                    let value = d.key.clone();
                    let selected = move || row.get().key == key;
                    let shown = move || d.label(crate::locale_code(i18n.get_locale()));
                    view! { <option value=value selected=selected>{shown}</option> }
                }).collect_view()}
            </select>
            <select class="condition-op" aria-label=move || label("op")
                on:change=move |ev| {
                    if let Some(op) = ConditionOp::parse(&event_target_value(&ev)) {
                        update(&|r| r.op = op);
                    }
                }>
                {move || ConditionOp::for_kind(kind()).map(|op| {
                    view! { <option value=op.as_str() selected=move || row.get().op == op>{move || op_label(i18n.get_locale(), op)}</option> }
                }).collect_view()}
            </select>
            {move || row.get().op.takes_value().then(|| {
                let set = move |ev: leptos::ev::Event| {
                    let value = event_target_value(&ev);
                    update(&|r| r.value = value.clone());
                };
                match kind() {
                    PropertyKind::Choice => view! {
                        <select class="condition-value" aria-label=move || label("value") on:change=set>
                            <option value="">"–"</option>
                            {definition().map(|d| d.choices).unwrap_or_default().into_iter().map(|c| {
                                let selected = c == row.get_untracked().value;
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any(),
                    PropertyKind::Date => view! {
                        <input type="date" class="condition-value" aria-label=move || label("value")
                            prop:value=move || row.get().value on:change=set />
                    }.into_any(),
                    PropertyKind::Number => view! {
                        <input type="text" inputmode="decimal" class="condition-value" aria-label=move || label("value")
                            prop:value=move || row.get().value on:change=set />
                    }.into_any(),
                    PropertyKind::Text => view! {
                        <input type="text" class="condition-value" aria-label=move || label("value")
                            prop:value=move || row.get().value on:change=set />
                    }.into_any(),
                }
            })}
            <button type="button" class="icon-button remove-condition" aria-label=move || label("remove")
                on:click=move |_| {
                    conditions.update(|all| all.retain(|d| d.id != id));
                    preview.set(None);
                }>
                <IconSvg icon=Icon::Close />
            </button>
        </li>
    }
}

#[component]
fn PreviewView(preview: GroupPreview, saved: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (count, joining, leaving) = (preview.count, preview.joining, preview.leaving);
    let shown = preview.sample.len();
    view! {
        <div class="preview" id="group-preview">
            <p class="preview-summary" role="status">
                {move || td_string!(i18n.get_locale(), groups.preview_count, count = count).to_string()}
                {saved.then(|| view! {
                    " "{move || td_string!(i18n.get_locale(), groups.preview_changes, joining = joining, leaving = leaving).to_string()}
                })}
            </p>
            {(shown > 0).then(|| view! {
                <ul class="preview-people">
                    {preview.sample.into_iter().map(|p| view! {
                        <li><span class="user-name">{p.name}</span><span class="user-email"><span class="mono">{p.username}</span>" · "{p.site_name}</span></li>
                    }).collect_view()}
                </ul>
                {(count as usize > shown).then(|| view! {
                    <p class="muted">{move || td_string!(i18n.get_locale(), groups.preview_more, count = count as usize - shown).to_string()}</p>
                })}
            })}
        </div>
    }
}
