//! The operator's page: subscriptions (create one, see which are claimed) and the mail outbox
//! (what was queued, delivered, or is being retried).
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::operator::{list_outbox, list_subscriptions, CreateSubscription};
use crate::components::date::{DateText, DateTimeText, ShortDate};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::LoadedList;
use crate::components::page_shell::PageShell;
use crate::components::public_page::locale_code;
use crate::i18n::*;
use wire::JobStatus;

#[component]
pub fn OperatorPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), operator.page_title) />
        <PageShell>
            <div class="operator-layout">
                <Subscriptions />
                <super::operator_products::Products />
                <super::operator_codes::ActivationCodes />
                <PurchaseInbox />
                <super::operator_announcements::Announcements />
                <InstitutionLinks />
                <Outbox />
            </div>
        </PageShell>
    }
}

#[component]
fn Subscriptions() -> impl IntoView {
    let i18n = use_i18n();
    let locale = locale_code();
    let create = ServerAction::<CreateSubscription>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(el)) = (create.value().get(), form.get()) {
            el.reset();
        }
    });
    let list = Resource::new(move || create.version().get(), |_| list_subscriptions());
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let status = Signal::derive(move || {
        matches!(create.value().get(), Some(Ok(())))
            .then(|| td_string!(i18n.get_locale(), operator.subscription_created).to_string())
    });
    view! {
        <section class="panel" aria-labelledby="subscriptions-title">
            <div class="panel-head">
                <h1 id="subscriptions-title">{t!(i18n, operator.subscriptions)}</h1>
                <a class="button" href="/admin/webhooks?vendor=1" id="vendor-webhooks-link">{t!(i18n, webhooks.vendor_link)}</a>
            </div>
            <ActionForm action=create node_ref=form attr:class="form grid-form" attr:id="subscription-form">
                <div class="field">
                    <label for="sub-serial">{t!(i18n, onboarding.serial)}</label>
                    <input id="sub-serial" name="serial" type="text" inputmode="numeric" required
                        maxlength="20" aria-describedby="sub-serial-help" aria-invalid=invalid("serial") />
                    <p class="help" id="sub-serial-help">{t!(i18n, onboarding.serial_help)}</p>
                </div>
                <div class="field">
                    <label for="sub-seats">{t!(i18n, operator.seats)}</label>
                    <input id="sub-seats" name="seats" type="text" inputmode="numeric" required
                        aria-invalid=invalid("seats") />
                </div>
                <div class="field">
                    <label for="sub-from">{t!(i18n, operator.valid_from)}</label>
                    <input id="sub-from" name="valid_from" type="date" required aria-invalid=invalid("valid_from") />
                </div>
                <div class="field">
                    <label for="sub-until">{t!(i18n, operator.valid_until)}</label>
                    <input id="sub-until" name="valid_until" type="date" required aria-invalid=invalid("valid_until") />
                </div>
                <div class="field">
                    <label for="sub-email">{t!(i18n, operator.contact_email)}</label>
                    <input id="sub-email" name="contact_email" type="email" maxlength="254"
                        aria-describedby="sub-email-help" aria-invalid=invalid("email") />
                    <p class="help" id="sub-email-help">{t!(i18n, operator.contact_email_help)}</p>
                </div>
                <div class="field">
                    <label for="sub-locale">{t!(i18n, operator.mail_language)}</label>
                    <select id="sub-locale" name="locale" prop:value=locale>
                        <option value="nl" lang="nl">"Nederlands"</option>
                        <option value="fr" lang="fr">"Français"</option>
                        <option value="en" lang="en">"English"</option>
                    </select>
                </div>
                <div class="full-row"><ErrorMessage error=error /></div>
                <div class="form-actions full-row">
                    <StatusMessage text=status />
                    <button type="submit" class="button button-primary" id="create-subscription"
                        disabled=move || create.pending().get()>{t!(i18n, common.create)}</button>
                </div>
            </ActionForm>
            <LoadedList load=list let:rows
                empty=move || view! {
                    <p class="empty-state">{t!(i18n, operator.no_subscriptions)}</p>
                }>
                <div class="table-wrap">
                    <table class="table" id="subscriptions">
                        <thead><tr>
                            <th scope="col">{t!(i18n, onboarding.serial)}</th>
                            <th scope="col" class="numeric">{t!(i18n, operator.seats)}</th>
                            <th scope="col">{t!(i18n, operator.valid)}</th>
                            <th scope="col">{t!(i18n, operator.contact_email)}</th>
                            <th scope="col">{t!(i18n, operator.claimed_by)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|s| view! {
                                <tr>
                                    <td class="mono">{s.serial}</td>
                                    <td class="numeric">{s.seats}</td>
                                    <td class="nowrap"><ShortDate date=s.valid_from /> " – " <ShortDate date=s.valid_until /></td>
                                    <td>{s.contact_email}</td>
                                    <td>{if s.claimed_by.is_empty() {
                                        view! { <span class="muted">{t!(i18n, operator.not_claimed)}</span> }.into_any()
                                    } else {
                                        view! { {s.claimed_by} }.into_any()
                                    }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </LoadedList>
        </section>
    }
}

/// Licence purchase requests from the organisations, newest first; each can be marked handled.
#[component]
fn PurchaseInbox() -> impl IntoView {
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
fn InstitutionLinks() -> impl IntoView {
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

#[component]
fn Outbox() -> impl IntoView {
    let i18n = use_i18n();
    let refresh = RwSignal::new(0u32);
    let list = Resource::new(move || refresh.get(), |_| list_outbox());
    let status_label = move |status: JobStatus| {
        let locale = i18n.get_locale();
        match status {
            JobStatus::Done => td_string!(locale, operator.status_done),
            JobStatus::Failed => td_string!(locale, operator.status_failed),
            JobStatus::Queued => td_string!(locale, operator.status_queued),
        }
    };
    view! {
        <section class="panel" aria-labelledby="outbox-title">
            <div class="panel-head">
                <h2 id="outbox-title">{t!(i18n, operator.outbox)}</h2>
                <button type="button" class="button" id="refresh-outbox"
                    on:click=move |_| refresh.update(|n| *n += 1)>{t!(i18n, operator.refresh)}</button>
            </div>
            <p class="help">{t!(i18n, operator.outbox_help)}</p>
            <LoadedList load=list let:rows
                empty=move || view! {
                    <p class="empty-state">{t!(i18n, operator.no_mail)}</p>
                }>
                <div class="table-wrap">
                    <table class="table" id="outbox">
                        <thead><tr>
                            <th scope="col">{t!(i18n, operator.queued_at)}</th>
                            <th scope="col">{t!(i18n, operator.recipient)}</th>
                            <th scope="col">{t!(i18n, operator.subject)}</th>
                            <th scope="col">{t!(i18n, operator.status)}</th>
                            <th scope="col" class="numeric">{t!(i18n, operator.attempts)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|m| {
                                let label = status_label(m.status);
                                view! {
                                    <tr>
                                        <td class="nowrap"><DateTimeText at=m.queued_at /></td>
                                        <td>{m.to}</td>
                                        <td>{m.subject}</td>
                                        <td title=m.last_error>
                                            <span class=format!("pill pill-{}", m.status)>{label}</span>
                                        </td>
                                        <td class="numeric">{m.attempts}</td>
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
