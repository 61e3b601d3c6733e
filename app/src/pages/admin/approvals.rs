//! The approval queue of the selected site: registrations waiting for an administrator.
//! Shown only when someone waits; rejecting asks for confirmation (the registration is removed).
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_admin;
use crate::api::onboarding::{decide_registration, PendingUser};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::loaded::LoadedList;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn Approvals(
    pending: Resource<Result<Vec<PendingUser>, AppError>>,
    can_decide: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <LoadedList load=pending quiet=true empty=|| () let:rows>
                {view! {
                    <section class="panel" aria-labelledby="approvals-title" id="approvals">
                        <h2 id="approvals-title" class="section-title">
                            {t!(i18n, admin.approvals_title)} " (" {rows.len()} ")"
                        </h2>
                        <ul class="approval-list">
                            {rows.into_iter().map(|row| view! { <ApprovalRow row=row can_decide=can_decide /> }).collect_view()}
                        </ul>
                    </section>
                }}
        </LoadedList>
    }
}

#[component]
fn ApprovalRow(row: PendingUser, can_decide: bool) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let confirm = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = row.id;
    let decide = move |approve: bool| {
        busy.set(true);
        spawn_local(async move {
            match decide_registration(id, approve).await {
                Ok(()) => {
                    let locale = i18n.get_locale_untracked();
                    let done = if approve {
                        td_string!(locale, admin.registration_approved)
                    } else {
                        td_string!(locale, admin.registration_rejected)
                    };
                    ctx.done(done.to_string());
                }
                Err(e) => ctx.failed(e),
            }
            busy.set(false);
        });
    };
    let name = row.name.clone();
    let approve_name = name.clone();
    let reject_name = name.clone();
    view! {
        <li class="approval" data-username=row.username.clone()>
            <div>
                <span class="user-name">{row.name.clone()}</span>
                <span class="user-email">{row.username.clone()} " · " {row.email.clone()} " · " {row.registered_at.clone()}</span>
            </div>
            {can_decide.then(|| view! {
                <div class="approval-actions">
                    <button type="button" class="button button-primary approve"
                        aria-label=move || td_string!(i18n.get_locale(), admin.approve_label, name = approve_name.clone()).to_string()
                        disabled=move || busy.get() on:click=move |_| decide(true)>
                        {t!(i18n, admin.approve)}
                    </button>
                    <button type="button" class="button button-danger-quiet reject"
                        aria-label=move || td_string!(i18n.get_locale(), admin.reject_label, name = reject_name.clone()).to_string()
                        aria-haspopup="dialog" disabled=move || busy.get() on:click=move |_| confirm.set(true)>
                        {t!(i18n, admin.reject)}
                    </button>
                    <ConfirmDialog
                        open=confirm
                        title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), admin.reject), name))
                        message=Signal::derive(move || td_string!(i18n.get_locale(), admin.confirm_reject).to_string())
                        confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), admin.reject).to_string())
                        on_confirm=Callback::new(move |_| decide(false))
                    />
                </div>
            })}
        </li>
    }
}
