//! `/admin/properties`: the organisation's custom properties (key, labels in nl/fr/en, type,
//! required), defined and removed by its administrators, and values in bulk from a file of
//! `personnel number;property;value` lines with a preview before anything is written.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use super::tabs::GroupTabs;
use crate::api::properties::{
    load_properties_page, remove_property, DefineProperty, PropertiesPage, PropertyDef,
    ValuesResult,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::components::page_shell::PageShell;
use crate::error::AppError;
use crate::i18n::*;
use wire::PropertyKind;

#[component]
pub fn PropertiesPageView() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), groups.properties_title) />
        <PageShell>
            <GroupTabs current="properties" />
            <PropertiesContent />
        </PageShell>
    }
}

/// The type of a property, translated.
pub fn kind_label(locale: Locale, kind: PropertyKind) -> String {
    match kind {
        PropertyKind::Number => td_string!(locale, groups.kind_number),
        PropertyKind::Date => td_string!(locale, groups.kind_date),
        PropertyKind::Choice => td_string!(locale, groups.kind_choice),
        PropertyKind::Text => td_string!(locale, groups.kind_text),
    }
    .to_string()
}

#[component]
fn PropertiesContent() -> impl IntoView {
    let define = ServerAction::<DefineProperty>::new();
    let removed = RwSignal::new(0u32);
    let page = Resource::new(
        move || (define.version().get(), removed.get()),
        |_| load_properties_page(None),
    );
    view! {
        <Loaded load=page loading=true let:data>
            <div class="groups-layout">
                <DefinitionsPanel data=data.clone() define=define removed=removed />
                {data.can_import.then(|| view! { <ValuesPanel data=data.clone() /> })}
            </div>
        </Loaded>
    }
}

#[component]
fn DefinitionsPanel(
    data: PropertiesPage,
    define: ServerAction<DefineProperty>,
    removed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<AppError>);
    let define_error = Signal::derive(move || define.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(define_error, field);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(form)) = (define.value().get(), form.get()) {
            form.reset();
        }
    });
    let status = Signal::derive(move || {
        define.value().get().and_then(|r| r.ok()).map(|d| {
            td_string!(i18n.get_locale(), groups.property_defined, key = d.key).to_string()
        })
    });
    let definitions = data.definitions.clone();
    let can_manage = data.can_manage;
    view! {
        <section class="panel" aria-labelledby="properties-title">
            <div class="panel-head">
                <h1 id="properties-title">{t!(i18n, groups.properties_title)}</h1>
            </div>
            <p class="help">{t!(i18n, groups.properties_intro)}</p>
            <ErrorMessage error=error />
            {if definitions.is_empty() {
                view! { <p class="empty-state" id="properties-empty">{t!(i18n, groups.no_properties)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" id="property-table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, groups.property_label)}</th>
                                <th scope="col">{t!(i18n, groups.property_key)}</th>
                                <th scope="col">{t!(i18n, groups.property_kind)}</th>
                                <th scope="col">{t!(i18n, groups.property_choices)}</th>
                                {can_manage.then(|| view! {
                                    <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                                })}
                            </tr></thead>
                            <tbody>
                                {definitions.into_iter().map(|d| view! {
                                    <DefinitionRow d=d can_manage=can_manage removed=removed error=error />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {can_manage.then(|| view! {
                <h2 class="section-title">{t!(i18n, groups.new_property)}</h2>
                <ActionForm action=define node_ref=form attr:class="form grid-form" attr:id="property-form">
                    <input type="hidden" name="site" value=data.site.to_string() />
                    <div class="field">
                        <label for="property-key">{t!(i18n, groups.property_key)}</label>
                        <input id="property-key" name="key" type="text" required maxlength="40" class="mono"
                            autocomplete="off" aria-describedby="property-key-help" aria-invalid=invalid("key") />
                        <p class="help" id="property-key-help">{t!(i18n, groups.property_key_help)}</p>
                    </div>
                    <div class="field">
                        <label for="property-kind">{t!(i18n, groups.property_kind)}</label>
                        <select id="property-kind" name="kind">
                            {PropertyKind::ALL.iter().map(|&k| view! {
                                <option value=k.as_str()>{move || kind_label(i18n.get_locale(), k)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="property-label-nl">{t!(i18n, groups.label_nl)}</label>
                        <input id="property-label-nl" name="label_nl" type="text" required maxlength="100" lang="nl"
                            aria-invalid=invalid("label_nl") />
                    </div>
                    <div class="field">
                        <label for="property-label-fr">{t!(i18n, groups.label_fr)}</label>
                        <input id="property-label-fr" name="label_fr" type="text" required maxlength="100" lang="fr"
                            aria-invalid=invalid("label_fr") />
                    </div>
                    <div class="field">
                        <label for="property-label-en">{t!(i18n, groups.label_en)}</label>
                        <input id="property-label-en" name="label_en" type="text" required maxlength="100" lang="en"
                            aria-invalid=invalid("label_en") />
                    </div>
                    <div class="field">
                        <label for="property-choices">{t!(i18n, groups.property_choices)}</label>
                        <textarea id="property-choices" name="choices" rows="3"
                            aria-describedby="property-choices-help" aria-invalid=invalid("choices")></textarea>
                        <p class="help" id="property-choices-help">{t!(i18n, groups.property_choices_help)}</p>
                    </div>
                    <div class="field full-row">
                        <label class="checkbox">
                            <input type="checkbox" name="required" id="property-required" />
                            {t!(i18n, groups.property_required)}
                        </label>
                    </div>
                    <div class="full-row"><ErrorMessage error=define_error /></div>
                    <div class="form-actions full-row">
                        <button type="submit" class="button button-primary" id="define-property"
                            disabled=move || define.pending().get()>{t!(i18n, groups.define_property)}</button>
                        <StatusMessage text=status />
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn DefinitionRow(
    d: PropertyDef,
    can_manage: bool,
    removed: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let id = d.id;
    let do_remove = Callback::new(move |_| {
        spawn_local(async move {
            match remove_property(id).await {
                Ok(()) => {
                    error.set(None);
                    removed.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let label = StoredValue::new(d.clone());
    let shown = move || {
        label
            .get_value()
            .label(crate::locale_code(i18n.get_locale()))
    };
    let kind = d.kind;
    view! {
        <tr data-property=d.key.clone()>
            <td>
                <span class="user-name">{shown}</span>
                {d.required.then(|| view! { <span class="pill">{t!(i18n, groups.required)}</span> })}
            </td>
            <td class="mono">{d.key.clone()}</td>
            <td>{move || kind_label(i18n.get_locale(), kind)}</td>
            <td>{d.choices.join(", ")}</td>
            {can_manage.then(|| view! {
                <td class="actions">
                    <button type="button" class="button button-danger-quiet remove-property"
                        aria-label=move || td_string!(i18n.get_locale(), groups.remove_property_label, name = shown()).to_string()
                        on:click=move |_| confirm.set(true)>{t!(i18n, common.delete)}</button>
                    <ConfirmDialog
                        open=confirm
                        title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), groups.remove_property), shown()))
                        message=Signal::derive(move || td_string!(i18n.get_locale(), groups.confirm_remove_property).to_string())
                        confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), common.delete).to_string())
                        on_confirm=do_remove
                    />
                </td>
            })}
        </tr>
    }
}

#[component]
fn ValuesPanel(data: PropertiesPage) -> impl IntoView {
    let i18n = use_i18n();
    let form = NodeRef::<leptos::html::Form>::new();
    let preview = RwSignal::new(None::<ValuesResult>);
    let done = RwSignal::new(None::<ValuesResult>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let send = move |write: bool| {
        #[cfg(feature = "hydrate")]
        {
            let Some(data) = form
                .get_untracked()
                .and_then(|f| web_sys::FormData::new_with_form(&f).ok())
            else {
                return;
            };
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let result = if write {
                    crate::api::properties::import_property_values(data.into()).await
                } else {
                    crate::api::properties::preview_property_values(data.into()).await
                };
                busy.set(false);
                match result {
                    Ok(found) if write => {
                        preview.set(None);
                        done.set(Some(found));
                    }
                    Ok(found) => preview.set(Some(found)),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (write, form, busy, error);
    };
    let on_change = move |_| {
        preview.set(None);
        done.set(None);
        error.set(None);
    };
    let done_text = Signal::derive(move || {
        done.get().map(|r| {
            td_string!(
                i18n.get_locale(),
                groups.values_imported,
                count = r.changes.len(),
                problems = r.problems.len()
            )
            .to_string()
        })
    });
    let can_import = move || preview.get().is_some_and(|p| !p.changes.is_empty());
    view! {
        <section class="panel" aria-labelledby="values-title">
            <h2 id="values-title">{t!(i18n, groups.values_title)}</h2>
            <p class="help">{t!(i18n, groups.values_intro)}</p>
            <pre class="code-sample" aria-label=move || td_string!(i18n.get_locale(), groups.values_example)>"personnel_number;property;value\nHZ-1001;department;Care\nHZ-1002;budget;1250,50"</pre>
            <form node_ref=form class="form" id="values-form"
                on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send(false); }>
                <input type="hidden" name="site" value=data.site.to_string() />
                <div class="field">
                    <label for="values-file">{t!(i18n, groups.values_file)}</label>
                    <input id="values-file" name="file" type="file" required accept=".csv,.txt,.xlsx,.ods"
                        on:change=on_change />
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" id="preview-values" disabled=move || busy.get()>
                        {t!(i18n, groups.preview_values)}
                    </button>
                    <button type="button" class="button button-primary" id="import-values"
                        disabled=move || busy.get() || !can_import()
                        on:click=move |_| send(true)>{t!(i18n, groups.import_values)}</button>
                </div>
            </form>
            <ErrorMessage error=error />
            <StatusMessage text=done_text />
            {move || preview.get().map(|p| view! { <ValuesPreviewView result=p /> })}
            {move || done.get().filter(|r| !r.problems.is_empty()).map(|r| view! { <LineProblems result=r /> })}
        </section>
    }
}

#[component]
fn ValuesPreviewView(result: ValuesResult) -> impl IntoView {
    let i18n = use_i18n();
    let summary = {
        let (changes, unchanged, problems) = (
            result.changes.len(),
            result.unchanged,
            result.problems.len(),
        );
        move || {
            td_string!(
                i18n.get_locale(),
                groups.values_summary,
                changes = changes,
                unchanged = unchanged,
                problems = problems
            )
            .to_string()
        }
    };
    let changes = result.changes.clone();
    view! {
        <div class="preview" id="values-preview">
            <p class="preview-summary" role="status">{summary}</p>
            {(!changes.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table" id="values-changes">
                        <thead><tr>
                            <th scope="col">{t!(i18n, groups.line)}</th>
                            <th scope="col">{t!(i18n, admin.col_username)}</th>
                            <th scope="col">{t!(i18n, groups.property_key)}</th>
                            <th scope="col">{t!(i18n, groups.before)}</th>
                            <th scope="col">{t!(i18n, groups.after)}</th>
                        </tr></thead>
                        <tbody>
                            {changes.into_iter().map(|c| view! {
                                <tr>
                                    <td>{c.line}</td>
                                    <td class="mono">{c.username}</td>
                                    <td class="mono">{c.key}</td>
                                    <td>{c.before}</td>
                                    <td><strong>{c.after}</strong></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            <LineProblems result=result />
        </div>
    }
}

#[component]
fn LineProblems(result: ValuesResult) -> impl IntoView {
    let i18n = use_i18n();
    (!result.problems.is_empty()).then(|| {
        view! {
            <div class="table-wrap">
                <table class="table" id="values-problems">
                    <caption>{t!(i18n, groups.problems)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, groups.line)}</th>
                        <th scope="col">{t!(i18n, groups.problem)}</th>
                    </tr></thead>
                    <tbody>
                        {result.problems.into_iter().map(|p| {
                            let error = AppError { details: p.details.clone(), ..AppError::code(p.code) };
                            view! {
                                <tr data-code=p.code.as_str()>
                                    <td>{p.line}</td>
                                    <td>{move || error.message(i18n.get_locale())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}
