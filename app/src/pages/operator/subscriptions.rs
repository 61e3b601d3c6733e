//! Subscriptions: create one (a serial number the customer claims), and see which are claimed.
use leptos::prelude::*;

use crate::api::operator::{list_subscriptions, CreateSubscription};
use crate::components::date::ShortDate;
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::LoadedList;
use crate::components::public_page::locale_code;
use crate::i18n::*;

#[component]
pub fn Subscriptions() -> impl IntoView {
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
                <h2 id="subscriptions-title">{t!(i18n, operator.subscriptions)}</h2>
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
