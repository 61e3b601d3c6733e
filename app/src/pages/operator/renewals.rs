//! Renewals: the customers' subscriptions ending within 30, 60 or 90 days (and whether a later
//! one is claimed already), renewals claimed in advance, and subscriptions that lapsed with
//! nothing after them.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use wire::{RenewalRow, RenewalState};

use super::customers::of;
use super::{OperatorArea, Task};
use crate::api::customers::{list_renewals, renewals_digest, SetRenewalsDigest};
use crate::components::date::ShortDate;
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::components::loaded::{Loaded, LoadedList};
use crate::error::AppError;
use crate::i18n::*;

/// The windows offered, in days.
const WINDOWS: [u32; 3] = [30, 60, 90];

#[component]
pub fn RenewalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let within = Memo::new(move |_| {
        query
            .read()
            .get("within")
            .and_then(|w| w.parse::<u32>().ok())
            .filter(|w| WINDOWS.contains(w))
            .unwrap_or(30)
    });
    let list = Resource::new(move || within.get(), list_renewals);
    // Made here, before any Suspend, like the list: the server and the browser number them alike.
    let digest = Resource::new(|| (), |_| renewals_digest());
    view! {
        <OperatorArea task=Task::Renewals>
            <section class="panel" aria-labelledby="renewals-title">
                <div class="panel-head">
                    <h2 id="renewals-title">{t!(i18n, operator.nav_renewals)}</h2>
                    <div class="button-group" role="group" aria-label=move || td_string!(i18n.get_locale(), import.export)>
                        <a class="button" id="renewals-xlsx" download=""
                            href=move || format!("/operator/renewals.xlsx?within={}", within.get())>
                            {t!(i18n, import.export)} " " {t!(i18n, import.export_xlsx)}
                        </a>
                        <a class="button" id="renewals-csv" download=""
                            href=move || format!("/operator/renewals.csv?within={}", within.get())>
                            {t!(i18n, import.export_csv)}
                        </a>
                    </div>
                </div>
                <nav class="segmented" aria-label=move || td_string!(i18n.get_locale(), operator.renewals_window)>
                    {WINDOWS.into_iter().map(|days| view! {
                        <a href=format!("/operator/renewals?within={days}") id=format!("within-{days}")
                            aria-current=move || (within.get() == days).then_some("page")>
                            {move || td_string!(i18n.get_locale(), operator.within_days, days = days).to_string()}
                        </a>
                    }).collect_view()}
                </nav>
                <LoadedList load=list let:rows
                    empty=move || view! { <p class="empty-state" id="renewals-empty">{t!(i18n, operator.no_renewals)}</p> }>
                    <RenewalTable rows=rows />
                </LoadedList>
            </section>
            <DigestChoice wanted=digest />
        </OperatorArea>
    }
}

/// The operator's own choice of the weekly renewals mail, saved as it is ticked.
#[component]
fn DigestChoice(wanted: Resource<Result<bool, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetRenewalsDigest>::new();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let status = Signal::derive(move || {
        save.value()
            .get()
            .and_then(|r| r.ok())
            .map(|_| td_string!(i18n.get_locale(), common.saved).to_string())
    });
    view! {
        <section class="panel" aria-labelledby="digest-title">
            <h2 id="digest-title">{t!(i18n, operator.digest_title)}</h2>
            <Loaded load=wanted let:on>
                <div class="field">
                    <label class="choice">
                        <input type="checkbox" id="renewals-digest" checked=on
                            aria-describedby="renewals-digest-help"
                            disabled=move || save.pending().get()
                            on:change=move |ev| {
                                save.dispatch(SetRenewalsDigest { wanted: event_target_checked(&ev) });
                            } />
                        {t!(i18n, operator.digest_choice)}
                    </label>
                    <p class="help" id="renewals-digest-help">{t!(i18n, operator.digest_help)}</p>
                </div>
            </Loaded>
            <ErrorMessage error=error />
            <StatusMessage text=status />
        </section>
    }
}

#[component]
fn RenewalTable(rows: Vec<RenewalRow>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <div class="table-wrap">
            <table class="table" id="renewals">
                <thead><tr>
                    <th scope="col">{t!(i18n, operator.customer)}</th>
                    <th scope="col">{t!(i18n, overview.status)}</th>
                    <th scope="col">{t!(i18n, onboarding.serial)}</th>
                    <th scope="col">{t!(i18n, operator.valid)}</th>
                    <th scope="col" class="numeric">{t!(i18n, operator.licences_assigned)}</th>
                    <th scope="col">{t!(i18n, operator.contact_email)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let (class, label) = match r.state {
                            RenewalState::Ending => ("pill-renewal-ending", td_string!(locale, operator.renewal_ending)),
                            RenewalState::Renewed => ("pill-subscription-current", td_string!(locale, operator.renewal_renewed)),
                            RenewalState::Upcoming => ("pill-subscription-upcoming", td_string!(locale, operator.renewal_upcoming)),
                            RenewalState::Lapsed => ("pill-subscription-ended", td_string!(locale, operator.renewal_lapsed)),
                        };
                        let serial = r.serial.clone();
                        view! {
                            <tr data-serial=serial data-state=r.state.as_str()>
                                <th scope="row"><a href=format!("/operator/customers/{}", r.customer)>{r.customer_name}</a></th>
                                <td><span class=format!("pill {class}")>{label}</span></td>
                                <td class="mono">{r.serial}</td>
                                <td class="nowrap"><ShortDate date=r.valid_from /> " – " <ShortDate date=r.valid_until /></td>
                                <td class="numeric nowrap">{of(locale, r.assigned, r.seats)}</td>
                                <td>{r.contact_email.unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
