//! `/admin/import/{run}`: an import's progress (polled every second while it runs, so a
//! reload shows where it stands), cancel, and the report: counts, the problems with their
//! rows, the result file.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::problems::ProblemTable;
use crate::api::import::{cancel_import, import_problems, import_status, ImportRun};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::Loaded;
use crate::components::page_shell::PageShell;
use crate::error::{AppError, Code};
use crate::i18n::*;
use wire::RunState;

/// A run's status in words.
pub fn status_label(locale: Locale, status: RunState) -> String {
    match status {
        RunState::Running => td_string!(locale, import.status_running),
        RunState::Done => td_string!(locale, import.status_done),
        RunState::Cancelled => td_string!(locale, import.status_cancelled),
        RunState::Failed => td_string!(locale, import.status_failed),
    }
    .to_string()
}

#[component]
pub fn ImportRunPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), import.run_title) />
        <PageShell>
            <RunContent />
        </PageShell>
    }
}

#[component]
fn RunContent() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let run = Memo::new(move |_| {
        params
            .read()
            .get("run")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let tick = RwSignal::new(0u32);
    let status = Resource::new(
        move || (run.get(), tick.get()),
        |(run, _)| async move {
            match run {
                Some(run) => import_status(run).await,
                None => Err(AppError::code(Code::NotFound)),
            }
        },
    );
    // Poll while the import runs.
    Effect::new(move |_| {
        if let Some(Ok(r)) = status.get() {
            if r.status == RunState::Running {
                set_timeout(
                    move || tick.update(|t| *t = t.wrapping_add(1)),
                    std::time::Duration::from_millis(1000),
                );
            }
        }
    });
    view! {
        <section class="panel" aria-labelledby="run-title">
            <div class="panel-head">
                <h1 id="run-title">{t!(i18n, import.run_title)}</h1>
            </div>
            <Loaded load=status loading=true let:r> <RunView run=r tick=tick /> </Loaded>
        </section>
    }
}

#[component]
fn RunView(run: ImportRun, tick: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let running = run.status == RunState::Running;
    let percent = if run.total > 0 {
        (i64::from(run.processed) * 100 / i64::from(run.total)).clamp(0, 100)
    } else {
        100
    };
    let confirm = RwSignal::new(false);
    let cancel_error = RwSignal::new(None::<AppError>);
    let id = run.id;
    let on_cancel = Callback::new(move |_: ()| {
        leptos::task::spawn_local(async move {
            match cancel_import(id).await {
                Ok(()) => tick.update(|t| *t = t.wrapping_add(1)),
                Err(e) => cancel_error.set(Some(e)),
            }
        });
    });
    let status = run.status;
    let (processed, total) = (run.processed, run.total);
    let back = format!("/admin/import?site={}", run.site_id);
    view! {
        <p class="muted" id="run-file">
            <strong>{run.file_name.clone()}</strong> " → " {run.site_name.clone()} " · " {run.started.clone()}
        </p>
        <div class="progress-block">
            <label for="run-progress" id="run-progress-label">
                {move || status_label(i18n.get_locale(), status)}
                {move || td_string!(i18n.get_locale(), import.progress, done = processed, total = total).to_string()}
            </label>
            <progress id="run-progress" max="100" value=percent.to_string()>{percent} "%"</progress>
            <span class="progress-percent" id="run-percent" aria-hidden="true">{percent} " %"</span>
        </div>
        <ul class="stat-list" id="run-counts">
            <li><strong>{run.added}</strong> " " {t!(i18n, import.added)}</li>
            <li><strong>{run.updated}</strong> " " {t!(i18n, import.updated)}</li>
            <li><strong>{run.deleted}</strong> " " {t!(i18n, import.deleted)}</li>
            <li class:bad={run.errors > 0}><strong>{run.errors}</strong> " " {t!(i18n, import.errors)}</li>
        </ul>
        <ErrorMessage error=Signal::derive(move || cancel_error.get()) />
        {(!running && !run.file_kept).then(|| view! {
            <p class="muted" id="run-file-removed">
                {move || crate::error::Code::ImportFileRemoved.message(i18n.get_locale().into())}
            </p>
        })}
        <div class="form-actions">
            {running.then(|| view! {
                <button type="button" class="button button-danger" id="run-cancel"
                    disabled=run.cancel_requested on:click=move |_| confirm.set(true)>
                    {t!(i18n, import.cancel)}
                </button>
            })}
            {(!running && run.file_kept).then(|| view! {
                <a class="button" id="run-result" href=format!("/admin/import/{id}/result.xlsx") download="">
                    {t!(i18n, import.download_result)}
                </a>
            })}
            <a class="button button-quiet" href=back>{t!(i18n, import.new_import)}</a>
        </div>
        {(!running && run.errors > 0).then(|| view! { <RunProblems run=id /> })}
        <ConfirmDialog
            open=confirm
            title=Signal::derive(move || td_string!(i18n.get_locale(), import.cancel_title).to_string())
            message=Signal::derive(move || td_string!(i18n.get_locale(), import.cancel_message).to_string())
            confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), import.cancel).to_string())
            on_confirm=on_cancel
        />
    }
}

#[component]
fn RunProblems(run: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let problems = Resource::new(
        move || i18n.get_locale().as_str().to_string(),
        move |locale| import_problems(run, locale),
    );
    view! {
        <h2>{t!(i18n, import.problems_title)}</h2>
        <Loaded load=problems let:list> <ProblemTable problems=list id="run-problems" /> </Loaded>
    }
}
