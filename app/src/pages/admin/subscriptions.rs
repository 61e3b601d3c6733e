//! An organisation's subscriptions on its root site: current, upcoming (a renewal) and ended,
//! and a form to add one with its serial number. The seat limit follows the current ones.
use leptos::prelude::*;
use uuid::Uuid;

use super::use_admin;
use crate::api::subscriptions::{AddSubscription, OrgSubscription};
use crate::components::date::ShortDate;
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::loaded::LoadedList;
use crate::error::AppError;
use crate::i18n::*;
use wire::SubscriptionState;

#[component]
pub fn OrgSubscriptions(
    site: Uuid,
    list: Resource<Result<Vec<OrgSubscription>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let add = ServerAction::<AddSubscription>::new();
    let error = Signal::derive(move || add.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    Effect::new(move |_| {
        if let Some(Ok(added)) = add.value().get() {
            ctx.done(
                td_string!(
                    i18n.get_locale_untracked(),
                    admin.subscription_added,
                    serial = added.serial
                )
                .to_string(),
            );
        }
    });
    let state_label = move |state: SubscriptionState| {
        let locale = i18n.get_locale();
        match state {
            SubscriptionState::Upcoming => td_string!(locale, admin.subscription_upcoming),
            SubscriptionState::Ended => td_string!(locale, admin.subscription_ended),
            SubscriptionState::Current => td_string!(locale, admin.subscription_current),
        }
    };
    view! {
        <section class="panel" aria-labelledby="org-subscriptions-title">
            <h2 id="org-subscriptions-title">{t!(i18n, admin.subscriptions)}</h2>
            <LoadedList load=list let:rows
                empty=move || view! {
                    <p class="muted" id="no-org-subscriptions">{t!(i18n, admin.no_subscriptions)}</p>
                }>
                <div class="table-wrap">
                    <table class="table" id="org-subscriptions">
                        <thead><tr>
                            <th scope="col">{t!(i18n, onboarding.serial)}</th>
                            <th scope="col" class="numeric">{t!(i18n, operator.seats)}</th>
                            <th scope="col">{t!(i18n, operator.valid)}</th>
                            <th scope="col">{t!(i18n, overview.status)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|s| {
                                let label = state_label(s.state);
                                view! {
                                    <tr data-serial=s.serial.clone()>
                                        <td class="mono">{s.serial.clone()}</td>
                                        <td class="numeric">{s.seats}</td>
                                        <td class="nowrap"><ShortDate date=s.valid_from /> " – " <ShortDate date=s.valid_until /></td>
                                        <td><span class=format!("pill pill-subscription-{}", s.state)>{label}</span></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </LoadedList>
            <ActionForm action=add attr:class="form row-form" attr:id="add-subscription-form">
                <input type="hidden" name="site" value=site.to_string() />
                <div class="field">
                    <label for="add-serial">{t!(i18n, admin.add_subscription_serial)}</label>
                    <input id="add-serial" name="serial" type="text" inputmode="numeric" required maxlength="20"
                        aria-describedby="add-serial-help" aria-invalid=invalid("serial") />
                    <p class="help" id="add-serial-help">{t!(i18n, admin.add_subscription_help)}</p>
                </div>
                <button type="submit" class="button" id="add-subscription"
                    disabled=move || add.pending().get()>{t!(i18n, admin.add_subscription)}</button>
            </ActionForm>
            <ErrorMessage error=error />
        </section>
    }
}
