//! What reaches the vendor: licence purchase requests from the customers (marked handled when
//! done), and the links of individual accounts to schools by institution number.
use leptos::prelude::*;

use crate::components::date::DateText;
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::LoadedList;
use crate::i18n::*;

/// Licence purchase requests from the organisations, newest first; each can be marked handled.
#[component]
pub fn PurchaseInbox() -> impl IntoView {
    use crate::api::operator::{mark_request_handled, purchase_inbox};
    use leptos::task::spawn_local;
    let i18n = use_i18n();
    let refresh = RwSignal::new(0u32);
    let error = RwSignal::new(None);
    let list = Resource::new(move || refresh.get(), |_| purchase_inbox());
    view! {
        <section class="panel" aria-labelledby="inbox-title">
            <h2 id="inbox-title">{t!(i18n, operator.purchase_inbox)}</h2>
            <ErrorMessage error=error />
            <LoadedList load=list let:rows
                empty=move || view! {
                    <p class="empty-state" id="inbox-empty">{t!(i18n, operator.no_requests)}</p>
                }>
                <div class="table-wrap">
                    <table class="table" id="purchase-inbox">
                        <thead><tr>
                            <th scope="col">{t!(i18n, overview.sent_on)}</th>
                            <th scope="col">{t!(i18n, operator.organisation)}</th>
                            <th scope="col" class="numeric">{t!(i18n, overview.quantity)}</th>
                            <th scope="col">{t!(i18n, overview.activation_on)}</th>
                            <th scope="col">{t!(i18n, operator.contact)}</th>
                            <th scope="col">{t!(i18n, overview.status)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| {
                                let id = r.id;
                                let handled = r.status == wire::PurchaseStatus::Handled;
                                view! {
                                    <tr data-organisation=r.organisation.clone()>
                                        <td class="nowrap"><DateText date=r.sent_on /></td>
                                        <td>{r.organisation.clone()}
                                            {(!r.comment.is_empty()).then(|| view! { <span class="user-email">{r.comment.clone()}</span> })}
                                        </td>
                                        <td class="numeric">{r.quantity}</td>
                                        <td class="nowrap"><DateText date=r.activation_on /></td>
                                        <td>{r.requester.clone()}
                                            <span class="user-email">{r.email.clone()}</span>
                                            {(!r.phone.is_empty()).then(|| view! { <span class="user-email">{r.phone.clone()}</span> })}
                                        </td>
                                        <td>{if handled {
                                            view! { <span class="pill pill-request-handled">{t!(i18n, overview.request_handled)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <button type="button" class="button mark-handled"
                                                    on:click=move |_| spawn_local(async move {
                                                        match mark_request_handled(id).await {
                                                            Ok(()) => { error.set(None); refresh.update(|n| *n += 1); }
                                                            Err(e) => error.set(Some(e)),
                                                        }
                                                    })>
                                                    {t!(i18n, operator.mark_handled)}
                                                </button>
                                            }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </LoadedList>
        </section>
    }
}

/// Links of individual accounts to schools, by the school's institution number.
#[component]
pub fn InstitutionLinks() -> impl IntoView {
    use crate::api::institutions::{institution_links, LinkInstitution};
    let i18n = use_i18n();
    let link = ServerAction::<LinkInstitution>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(el)) = (link.value().get(), form.get()) {
            el.reset();
        }
    });
    let list = Resource::new(move || link.version().get(), |_| institution_links());
    let error = Signal::derive(move || link.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let status = Signal::derive(move || {
        matches!(link.value().get(), Some(Ok(_)))
            .then(|| td_string!(i18n.get_locale(), operator.linked).to_string())
    });
    view! {
        <section class="panel" aria-labelledby="institution-links-title">
            <h2 id="institution-links-title">{t!(i18n, operator.institution_links)}</h2>
            <p class="help">{t!(i18n, operator.institution_links_help)}</p>
            <ActionForm action=link node_ref=form attr:class="form row-form" attr:id="institution-link-form">
                <div class="field">
                    <label for="link-username">{t!(i18n, operator.link_username)}</label>
                    <input id="link-username" name="username" type="text" required maxlength="100"
                        autocomplete="off" aria-invalid=invalid("username") />
                </div>
                <div class="field">
                    <label for="link-number">{t!(i18n, admin.institution_number)}</label>
                    <input id="link-number" name="institution_number" type="text" required maxlength="20"
                        aria-invalid=invalid("institution_number") />
                </div>
                <button type="submit" class="button button-primary" id="link-institution"
                    disabled=move || link.pending().get()>{t!(i18n, operator.link_account)}</button>
            </ActionForm>
            <ErrorMessage error=error />
            <StatusMessage text=status />
            <LoadedList load=list let:rows
                empty=move || view! {
                    <p class="empty-state">{t!(i18n, operator.no_links)}</p>
                }>
                <div class="table-wrap">
                    <table class="table" id="institution-links">
                        <thead><tr>
                            <th scope="col">{t!(i18n, operator.link_username)}</th>
                            <th scope="col">{t!(i18n, operator.organisation)}</th>
                            <th scope="col">{t!(i18n, admin.institution_number)}</th>
                            <th scope="col">{t!(i18n, operator.linked_on)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <td class="mono">{r.username}</td>
                                    <td>{r.institution}</td>
                                    <td class="mono">{r.institution_number}</td>
                                    <td class="nowrap">{r.linked_on}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </LoadedList>
        </section>
    }
}
