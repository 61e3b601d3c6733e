//! `/admin/import?site=…`: download the template, choose a file and a mode, see the preview
//! (what would change, every problem with its row and column, seat shortages; nothing written),
//! then start the import. The latest imports of the site are listed below.
use leptos::html::Form;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use super::problems::ProblemTable;
use crate::api::import::{recent_imports, ImportPreview, ImportRun, SHOWN_PROBLEMS};
use crate::api::roles::list_roles;
use crate::api::sites::load_site_details;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::{Loaded, LoadedList};
use crate::components::page_shell::PageShell;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), import.page_title) />
        <PageShell>
            <ImportContent />
        </PageShell>
    }
}

/// The form as `FormData`, with the interface language added (for column names and the
/// report mail).
#[cfg(feature = "hydrate")]
fn form_data(form: &web_sys::HtmlFormElement, locale: &str) -> Option<web_sys::FormData> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    data.set_with_str("locale", locale).ok()?;
    Some(data)
}

#[component]
fn ImportContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let site = Memo::new(move |_| {
        query
            .read()
            .get("site")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let details = Resource::new(move || site.get(), load_site_details);
    let recent = Resource::new(move || site.get(), recent_imports);
    let save_sync = ServerAction::<crate::api::import::SaveSyncSettings>::new();
    let sync = Resource::new(
        move || (site.get(), save_sync.version().get()),
        |(site, _)| crate::api::import::load_sync_settings(site),
    );
    let roles = Resource::new(|| (), |_| list_roles());
    let form = NodeRef::<Form>::new();
    let preview = RwSignal::new(None::<ImportPreview>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let confirm_deletes = RwSignal::new(false);
    let navigate = use_navigate();

    // Any change to the file or the options makes the preview stale.
    let on_change = move |_| {
        preview.set(None);
        error.set(None);
    };
    let on_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let Some(data) = form
                .get_untracked()
                .and_then(|f| form_data(&f, i18n.get_locale_untracked().as_str()))
            else {
                return;
            };
            busy.set(true);
            error.set(None);
            preview.set(None);
            leptos::task::spawn_local(async move {
                match crate::api::import::preview_import(data.into()).await {
                    Ok(found) => preview.set(Some(found)),
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    let start = Callback::new(move |_: ()| {
        #[cfg(feature = "hydrate")]
        {
            let Some(data) = form
                .get_untracked()
                .and_then(|f| form_data(&f, i18n.get_locale_untracked().as_str()))
            else {
                return;
            };
            busy.set(true);
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match crate::api::import::start_import(data.into()).await {
                    Ok(run) => navigate(&format!("/admin/import/{run}"), Default::default()),
                    Err(e) => {
                        error.set(Some(e));
                        busy.set(false);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &navigate;
    });
    let on_start = move |_| {
        if preview.get_untracked().is_some_and(|p| p.delete > 0) {
            confirm_deletes.set(true);
        } else {
            start.run(());
        }
    };

    view! {
        <div class="stack">
        <section class="panel" aria-labelledby="import-title">
            <div class="panel-head">
                <h1 id="import-title">{t!(i18n, import.page_title)}</h1>
                <a class="button" id="import-template" href="/admin/import/template.xlsx" download="">
                    {t!(i18n, import.download_template)}
                </a>
            </div>
            <Loaded load=details let:d>
                <p class="muted" id="import-site">
                    {t!(i18n, import.into_site)} " " <strong>{d.node.name.clone()}</strong>
                    " · " {(d.node.seat_limit - d.node.used_seats).max(0)} " " {t!(i18n, admin.free_seats)}
                    " · " <a href=format!("/admin?site={}", d.node.id)>{t!(i18n, import.back_to_users)}</a>
                </p>
            </Loaded>
            <p class="intro">{t!(i18n, import.intro)}</p>
            <form class="form import-form" id="import-form" node_ref=form on:submit=on_preview on:change=on_change>
                // The site imported into: the one in the address; without one the server takes the
                // principal's home site, as the details above do.
                <input type="hidden" name="site" value=move || site.get().map(|s| s.to_string()).unwrap_or_default() />
                <div class="field">
                    <label for="import-file">{t!(i18n, import.file)} <span aria-hidden="true">" *"</span></label>
                    <input id="import-file" name="file" type="file" required
                        accept=".xlsx,.xls,.ods,.csv,.zip,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet,text/csv,application/zip"
                        aria-describedby="import-file-hint" />
                    <p class="hint" id="import-file-hint">{t!(i18n, import.file_hint)}</p>
                </div>
                <fieldset class="field choice-group">
                    <legend>{t!(i18n, import.mode)}</legend>
                    <label class="choice">
                        <input type="radio" name="mode" value="add" checked=true />
                        <span>{t!(i18n, import.mode_add)}</span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="mode" value="add_update" />
                        <span>{t!(i18n, import.mode_add_update)}</span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="mode" value="update" />
                        <span>{t!(i18n, import.mode_update)}</span>
                    </label>
                </fieldset>
                <label class="choice">
                    <input type="checkbox" name="allow_deletes" id="import-allow-deletes" />
                    <span>{t!(i18n, import.allow_deletes)}</span>
                </label>
                // OneRoster exports: the role teachers get on the classes they teach.
                <Loaded load=roles quiet=true let:overview>
                    <div class="field">
                        <label for="import-teacher-role">{t!(i18n, import.teacher_role)}</label>
                        <select id="import-teacher-role" name="teacher_role" aria-describedby="import-teacher-role-hint">
                            <option value="">{t!(i18n, import.teacher_role_none)}</option>
                            {overview.roles.into_iter().map(|r| {
                                let preferred = r.builtin_key.as_deref() == Some("licence_manager");
                                let name = crate::labels::role_name(i18n.get_locale_untracked(), r.builtin_key.as_deref(), &r.name);
                                view! { <option value=r.id.to_string() selected=preferred>{name}</option> }
                            }).collect_view()}
                        </select>
                        <p class="hint" id="import-teacher-role-hint">{t!(i18n, import.teacher_role_hint)}</p>
                    </div>
                </Loaded>
                <Loaded load=sync quiet=true let:settings>
                    {settings.exists.then(|| view! {
                        <label class="choice">
                            <input type="checkbox" name="sync" id="import-sync" />
                            <span>{t!(i18n, import.use_sync)}</span>
                        </label>
                    })}
                </Loaded>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" id="import-check" disabled=move || busy.get()>
                        {t!(i18n, import.check)}
                    </button>
                </div>
            </form>
            <div aria-live="polite">
                {move || busy.get().then(|| view! { <p class="muted" id="import-busy">{t!(i18n, import.busy)}</p> })}
                <ErrorMessage error=Signal::derive(move || error.get()) />
                {move || preview.get().map(|p| view! { <PreviewPanel preview=p on_start=on_start busy=busy /> })}
            </div>
            <ConfirmDialog
                open=confirm_deletes
                title=Signal::derive(move || td_string!(i18n.get_locale(), import.confirm_title).to_string())
                message=Signal::derive(move || {
                    let deletes = preview.get().map(|p| p.delete).unwrap_or_default();
                    td_string!(i18n.get_locale(), import.confirm_deletes, count = deletes).to_string()
                })
                confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), import.start).to_string())
                on_confirm=start
            />
        </section>
        <Loaded load=(sync, details) quiet=true let:loaded>
            {
                let (settings, details) = loaded;
                let site = site.get_untracked().unwrap_or(details.node.id);
                view! { <super::sync::SyncPanel site=site settings=settings save=save_sync /> }
            }
        </Loaded>
        <section class="panel" aria-labelledby="recent-title">
            <h2 id="recent-title">{t!(i18n, import.recent)}</h2>
            <LoadedList load=recent let:runs
                empty=move || view! {
                    <p class="muted" id="recent-empty">{t!(i18n, import.no_recent)}</p>
                }>
                <RecentRuns runs=runs />
            </LoadedList>
        </section>
        </div>
    }
}

#[component]
fn PreviewPanel(
    preview: ImportPreview,
    on_start: impl Fn(leptos::ev::MouseEvent) + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let roster_changes = preview.roster.as_ref().map_or(0, |r| {
        r.sites_created + r.sites_renamed + r.sites_removed + r.grants_added + r.grants_removed
    });
    let nothing = preview.add + preview.update + preview.delete + roster_changes == 0;
    let (add, update, delete, skipped) = (
        preview.add,
        preview.update,
        preview.delete,
        preview.problem_rows,
    );
    let shown = preview.problems.len() as u64;
    view! {
        <div class="preview" id="import-preview">
            <h2>{t!(i18n, import.preview_title)} " " <span class="muted">{preview.file_name.clone()}</span></h2>
            <ul class="stat-list" id="import-counts">
                <li><strong>{add}</strong> " " {t!(i18n, import.will_add)}</li>
                <li><strong>{update}</strong> " " {t!(i18n, import.will_update)}</li>
                <li><strong>{delete}</strong> " " {t!(i18n, import.will_delete)}</li>
                <li class:bad={skipped > 0}><strong>{skipped}</strong> " " {t!(i18n, import.will_skip)}</li>
            </ul>
            {preview.roster.clone().map(|r| view! {
                <ul class="stat-list" id="import-roster-counts">
                    <li><strong>{r.sites_created}</strong> " " {t!(i18n, import.roster_sites_created)}</li>
                    <li><strong>{r.sites_renamed}</strong> " " {t!(i18n, import.roster_sites_renamed)}</li>
                    <li><strong>{r.sites_removed}</strong> " " {t!(i18n, import.roster_sites_removed)}</li>
                    <li><strong>{r.grants_added}</strong> " " {t!(i18n, import.roster_grants_added)}</li>
                    <li><strong>{r.grants_removed}</strong> " " {t!(i18n, import.roster_grants_removed)}</li>
                </ul>
            })}
            {preview.shortages.iter().map(|s| {
                let (site, adding, free) = (s.site.clone(), s.adding, s.free.max(0));
                view! {
                    <p class="alert alert-warning shortage">
                        {move || td_string!(i18n.get_locale(), import.shortage, site = site.clone(), adding = adding, free = free).to_string()}
                    </p>
                }
            }).collect_view()}
            {(!preview.warnings.is_empty()).then(|| view! {
                <h3>{t!(i18n, import.warnings_title)}</h3>
                <ProblemTable problems=preview.warnings.clone() id="preview-warnings" />
            })}
            {(!preview.problems.is_empty()).then(|| view! {
                <h3>{t!(i18n, import.problems_title)}</h3>
                <p class="muted">{t!(i18n, import.problems_skipped)}</p>
                <ProblemTable problems=preview.problems.clone() id="preview-problems" />
                {(shown >= SHOWN_PROBLEMS).then(|| view! { <p class="muted">{t!(i18n, import.more_problems)}</p> })}
            })}
            <div class="form-actions">
                {if nothing {
                    view! { <p class="muted" id="import-nothing">{t!(i18n, import.nothing_to_do)}</p> }.into_any()
                } else {
                    view! {
                        <button type="button" class="button button-primary" id="import-start"
                            disabled=move || busy.get() on:click=on_start>
                            {t!(i18n, import.start)}
                        </button>
                    }.into_any()
                }}
            </div>
        </div>
    }
}

#[component]
fn RecentRuns(runs: Vec<ImportRun>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" id="recent-imports">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, import.col_started)}</th>
                        <th scope="col">{t!(i18n, import.col_file)}</th>
                        <th scope="col">{t!(i18n, import.col_status)}</th>
                        <th scope="col" class="num">{t!(i18n, import.added)}</th>
                        <th scope="col" class="num">{t!(i18n, import.updated)}</th>
                        <th scope="col" class="num">{t!(i18n, import.deleted)}</th>
                        <th scope="col" class="num">{t!(i18n, import.errors)}</th>
                    </tr>
                </thead>
                <tbody>
                    {runs.into_iter().map(|r| {
                        let status = r.status;
                        view! {
                            <tr>
                                <td class="nowrap">{r.started.clone()}</td>
                                <td><a href=format!("/admin/import/{}", r.id)>{r.file_name.clone()}</a></td>
                                <td>{move || super::run::status_label(i18n.get_locale(), status)}</td>
                                <td class="num">{r.added}</td>
                                <td class="num">{r.updated}</td>
                                <td class="num">{r.deleted}</td>
                                <td class="num">{r.errors}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
