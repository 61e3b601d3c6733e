//! `/admin/rollover?site=…`: the school-year rollover as a wizard. Each class with where its
//! pupils go (proposed by name: "3A" → "4A"; the last class leaves), the day leavers' accounts
//! end; the preview (moves, leavers, every class before and after, users left alone, seat
//! shortages; nothing written); the start (a background job, followed until it ends); the latest
//! rollovers, each undone within a day after a confirmation.
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;
use wire::{NextClass, RolloverState};

use crate::api::rollover::{
    load_rollover, preview_rollover, rollover_runs, start_rollover, undo_rollover, ClassChoice,
    RolloverPreview, RolloverProposal, RolloverRunRow,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::{DateTimeText, ShortDate};
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::{Loaded, LoadedList};
use crate::components::page_shell::PageShell;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn RolloverPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), rollover.page_title) />
        <PageShell>
            <RolloverContent />
        </PageShell>
    }
}

#[component]
fn RolloverContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let site = Memo::new(move |_| {
        query
            .read()
            .get("site")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let proposal = Resource::new(move || site.get(), load_rollover);
    // Made here, before the Suspend that shows the wizard: a resource made inside it would be
    // numbered by timing, and the browser would miss its data (see resource-ids.test.mjs).
    let tick = RwSignal::new(0u32);
    let runs = Resource::new(
        move || (site.get(), tick.get()),
        |(site, _)| rollover_runs(site),
    );
    view! {
        <section class="panel" aria-labelledby="rollover-title">
            <div class="panel-head">
                <h1 id="rollover-title">{t!(i18n, rollover.page_title)}</h1>
            </div>
            <p class="intro">{t!(i18n, rollover.intro)}</p>
            <Loaded load=proposal loading=true let:p>
                <Wizard proposal=p runs=runs tick=tick />
            </Loaded>
        </section>
    }
}

fn encode(next: NextClass) -> String {
    match next {
        NextClass::Class(id) => format!("class:{id}"),
        NextClass::Leave => "leave".into(),
        NextClass::Stay => "stay".into(),
    }
}

fn decode(value: &str) -> NextClass {
    match value {
        "leave" => NextClass::Leave,
        other => other
            .strip_prefix("class:")
            .and_then(|id| Uuid::parse_str(id).ok())
            .map_or(NextClass::Stay, NextClass::Class),
    }
}

#[component]
fn Wizard(
    proposal: RolloverProposal,
    runs: Resource<Result<Vec<RolloverRunRow>, AppError>>,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let site = proposal.site;
    let choices = RwSignal::new(
        proposal
            .classes
            .iter()
            .map(|c| ClassChoice {
                class: c.id,
                next: c.next,
            })
            .collect::<Vec<_>>(),
    );
    let leave_on = RwSignal::new(proposal.leave_on.to_string());
    let archive = RwSignal::new(false);
    let renew = RwSignal::new(false);
    let preview = RwSignal::new(None::<RolloverPreview>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    // Follow a running rollover.
    Effect::new(move |_| {
        if let Some(Ok(list)) = runs.get() {
            if list.iter().any(|r| r.state == RolloverState::Running) {
                set_timeout(
                    move || tick.update(|t| *t = t.wrapping_add(1)),
                    std::time::Duration::from_millis(1000),
                );
            }
        }
    });
    let day = move || NaiveDate::parse_from_str(&leave_on.get_untracked(), "%Y-%m-%d").ok();
    let on_check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(day) = day() else {
            error.set(Some(AppError::code(crate::error::Code::DateInvalid)));
            return;
        };
        busy.set(true);
        error.set(None);
        preview.set(None);
        leptos::task::spawn_local(async move {
            let (archive, renew) = (archive.get_untracked(), renew.get_untracked());
            match preview_rollover(site, choices.get_untracked(), day, archive, renew).await {
                Ok(found) => preview.set(Some(found)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let on_start = move |_| {
        let Some(day) = day() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match start_rollover(
                site,
                choices.get_untracked(),
                day,
                archive.get_untracked(),
                renew.get_untracked(),
            )
            .await
            {
                Ok(_) => {
                    preview.set(None);
                    tick.update(|t| *t = t.wrapping_add(1));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let classes = proposal.classes.clone();
    view! {
        <p class="muted" id="rollover-site">
            {t!(i18n, rollover.of_site)} " " <strong>{proposal.site_name.clone()}</strong>
            " · " <a href=format!("/admin?site={site}")>{t!(i18n, import.back_to_users)}</a>
        </p>
        {if classes.is_empty() {
            view! { <p class="empty-state" id="rollover-empty">{t!(i18n, rollover.no_classes)}</p> }.into_any()
        } else {
            view! {
                <form class="form" id="rollover-form" on:submit=on_check on:change=move |_| preview.set(None)>
                    <div class="table-wrap">
                        <table class="table" id="rollover-classes">
                            <thead><tr>
                                <th scope="col">{t!(i18n, rollover.col_class)}</th>
                                <th scope="col">{t!(i18n, rollover.col_parent)}</th>
                                <th scope="col" class="num">{t!(i18n, rollover.col_pupils)}</th>
                                <th scope="col">{t!(i18n, rollover.col_next)}</th>
                            </tr></thead>
                            <tbody>
                                {classes.iter().enumerate().map(|(i, c)| {
                                    let select_id = format!("next-{i}");
                                    let siblings: Vec<(Uuid, String)> = classes
                                        .iter()
                                        .filter(|o| o.parent == c.parent && o.id != c.id)
                                        .map(|o| (o.id, o.name.clone()))
                                        .collect();
                                    let current = encode(c.next);
                                    let name = c.name.clone();
                                    view! {
                                        <tr data-class=c.name.clone()>
                                            <th scope="row"><label for=select_id.clone()>{c.name.clone()}</label></th>
                                            <td>{c.parent.clone()}</td>
                                            <td class="num">{c.pupils}</td>
                                            <td>
                                                <select id=select_id class="rollover-next" data-class=name
                                                    on:change=move |ev| {
                                                        let next = decode(&event_target_value(&ev));
                                                        choices.update(|list| {
                                                            if let Some(choice) = list.get_mut(i) {
                                                                choice.next = next;
                                                            }
                                                        });
                                                    }>
                                                    {siblings.into_iter().map(|(id, name)| {
                                                        let value = encode(NextClass::Class(id));
                                                        let selected = value == current;
                                                        view! { <option value=value selected=selected>{format!("→ {name}")}</option> }
                                                    }).collect_view()}
                                                    <option value="leave" selected=current == "leave">{t!(i18n, rollover.leave)}</option>
                                                    <option value="stay" selected=current == "stay">{t!(i18n, rollover.stay)}</option>
                                                </select>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="field">
                        <label for="rollover-leave-on">{t!(i18n, rollover.leave_on)}</label>
                        <input id="rollover-leave-on" type="date" required
                            aria-describedby="rollover-leave-on-hint"
                            prop:value=move || leave_on.get()
                            on:input=move |ev| leave_on.set(event_target_value(&ev)) />
                        <p class="hint" id="rollover-leave-on-hint">{t!(i18n, rollover.leave_on_hint)}</p>
                    </div>
                    <label class="choice">
                        <input type="checkbox" id="rollover-archive"
                            prop:checked=move || archive.get()
                            on:change=move |ev| archive.set(event_target_checked(&ev)) />
                        <span>{t!(i18n, rollover.archive)}</span>
                    </label>
                    <label class="choice">
                        <input type="checkbox" id="rollover-renew"
                            prop:checked=move || renew.get()
                            on:change=move |ev| renew.set(event_target_checked(&ev)) />
                        <span>{t!(i18n, rollover.renew)}</span>
                    </label>
                    <div class="form-actions">
                        <button type="submit" class="button button-primary" id="rollover-check" disabled=move || busy.get()>
                            {t!(i18n, rollover.check)}
                        </button>
                    </div>
                </form>
            }.into_any()
        }}
        <ErrorMessage error=error />
        {move || preview.get().map(|p| view! { <PreviewPanel preview=p busy=busy on_start=on_start /> })}
        <h2 id="rollover-runs-title">{t!(i18n, rollover.recent)}</h2>
        <LoadedList load=runs let:list
            empty=move || view! { <p class="muted" id="rollover-runs-empty">{t!(i18n, rollover.no_runs)}</p> }>
            <RunsTable runs=list tick=tick />
        </LoadedList>
    }
}

#[component]
fn PreviewPanel(
    preview: RolloverPreview,
    busy: RwSignal<bool>,
    on_start: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let short = !preview.shortages.is_empty();
    let nothing = preview.moved + preview.leavers == 0;
    view! {
        <div class="preview" id="rollover-preview">
            <h2>{t!(i18n, rollover.preview_title)}</h2>
            <ul class="stat-list" id="rollover-counts">
                <li><strong>{preview.moved}</strong> " " {t!(i18n, rollover.will_move)}</li>
                <li><strong>{preview.leavers}</strong> " " {t!(i18n, rollover.will_leave)}</li>
                <li><strong>{preview.archived}</strong> " " {t!(i18n, rollover.will_archive)}</li>
                <li class:bad={preview.renewals as i64 > preview.renewable}>
                    <strong>{preview.renewals}</strong> " " {t!(i18n, rollover.will_renew)}
                    " (" {preview.renewable.max(0)} " " {t!(i18n, rollover.renewable)} ")"
                </li>
                <li class:bad={!preview.skipped.is_empty()}><strong>{preview.skipped.len()}</strong> " " {t!(i18n, rollover.will_skip)}</li>
            </ul>
            {preview.shortages.iter().map(|s| {
                let (site, adding, free) = (s.site.clone(), s.adding, s.free.max(0));
                view! {
                    <p class="alert alert-warning shortage">
                        {move || td_string!(i18n.get_locale(), import.shortage, site = site.clone(), adding = adding, free = free).to_string()}
                    </p>
                }
            }).collect_view()}
            <div class="table-wrap">
                <table class="table" id="rollover-preview-classes">
                    <thead><tr>
                        <th scope="col">{t!(i18n, rollover.col_class)}</th>
                        <th scope="col" class="num">{t!(i18n, rollover.col_before)}</th>
                        <th scope="col" class="num">{t!(i18n, rollover.col_after)}</th>
                    </tr></thead>
                    <tbody>
                        {preview.classes.iter().map(|c| view! {
                            <tr data-class=c.name.clone()>
                                <th scope="row">{c.name.clone()}</th>
                                <td class="num">{c.before}</td>
                                <td class="num">{c.after}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(!preview.skipped.is_empty()).then(|| {
                let skipped = preview.skipped.clone();
                view! {
                    <h3>{t!(i18n, rollover.skipped_title)}</h3>
                    <ul id="rollover-skipped">
                        {skipped.into_iter().map(|s| {
                            let code = s.code;
                            view! {
                                <li>{s.user} " — " {move || code.message(i18n.get_locale().into())}</li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
            <div class="form-actions">
                {if nothing {
                    view! { <p class="muted" id="rollover-nothing">{t!(i18n, rollover.nothing)}</p> }.into_any()
                } else {
                    view! {
                        <button type="button" class="button button-primary" id="rollover-start"
                            disabled=move || busy.get() || short on:click=on_start>
                            {t!(i18n, rollover.start)}
                        </button>
                    }.into_any()
                }}
            </div>
        </div>
    }
}

fn state_label(locale: Locale, state: RolloverState) -> String {
    match state {
        RolloverState::Running => td_string!(locale, rollover.state_running),
        RolloverState::Done => td_string!(locale, rollover.state_done),
        RolloverState::Failed => td_string!(locale, rollover.state_failed),
        RolloverState::Undone => td_string!(locale, rollover.state_undone),
    }
    .to_string()
}

#[component]
fn RunsTable(runs: Vec<RolloverRunRow>, tick: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let chosen = RwSignal::new(None::<Uuid>);
    let error = RwSignal::new(None::<AppError>);
    let undo = Callback::new(move |_: ()| {
        let Some(id) = chosen.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match undo_rollover(id).await {
                Ok(_) => tick.update(|t| *t = t.wrapping_add(1)),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    view! {
        <div class="table-wrap">
            <table class="table" id="rollover-runs">
                <thead><tr>
                    <th scope="col">{t!(i18n, rollover.col_started)}</th>
                    <th scope="col">{t!(i18n, rollover.col_state)}</th>
                    <th scope="col" class="num">{t!(i18n, rollover.col_moved)}</th>
                    <th scope="col" class="num">{t!(i18n, rollover.col_leavers)}</th>
                    <th scope="col">{t!(i18n, rollover.col_leave_on)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                </tr></thead>
                <tbody>
                    {runs.into_iter().map(|r| {
                        let id = r.id;
                        let state = r.state;
                        let failure = r.failure;
                        view! {
                            <tr data-state=state.as_str()>
                                <td class="nowrap"><DateTimeText at=r.created /></td>
                                <td>
                                    {move || state_label(i18n.get_locale(), state)}
                                    {failure.map(|code| view! { <span class="muted">" — " {move || code.message(i18n.get_locale().into())}</span> })}
                                </td>
                                <td class="num">{r.moved}</td>
                                <td class="num">{r.leavers}</td>
                                <td class="nowrap"><ShortDate date=r.leave_on /></td>
                                <td>
                                    {r.undo_until.map(|until| view! {
                                        <button type="button" class="button undo-rollover"
                                            on:click=move |_| { chosen.set(Some(id)); confirm.set(true); }>
                                            {t!(i18n, rollover.undo)}
                                        </button>
                                        <span class="muted small">" " {t!(i18n, rollover.undo_until)} " " <DateTimeText at=until /></span>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <ErrorMessage error=error />
        <ConfirmDialog
            open=confirm
            title=Signal::derive(move || td_string!(i18n.get_locale(), rollover.confirm_title).to_string())
            message=Signal::derive(move || td_string!(i18n.get_locale(), rollover.confirm_undo).to_string())
            confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), rollover.undo).to_string())
            on_confirm=undo
        />
    }
}
