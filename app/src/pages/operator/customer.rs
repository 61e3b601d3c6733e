//! One customer: its figures, subscriptions, administrators, purchase requests and the journal
//! entries that matter to the vendor, with a way into its administration for support (the
//! visit is journaled on the customer before the page goes there).
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;
use wire::{CustomerDetail, PurchaseStatus};

use super::customers::of;
use super::{OperatorArea, Task};
use crate::api::customers::{load_customer, open_customer_support};
use crate::components::date::{DateText, DateTimeText, ShortDate};
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::Loaded;
use crate::components::number::grouped;
use crate::i18n::*;
use crate::labels::{action, builtin_role, journal_name};

#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
            .unwrap_or_default()
    });
    let detail = Resource::new(move || id.get(), load_customer);
    let i18n = use_i18n();
    view! {
        <OperatorArea task=Task::Customers>
            <p class="back-link"><a href="/operator">"‹ " {t!(i18n, operator.all_customers)}</a></p>
            <Loaded load=detail let:customer>
                <Customer customer=customer />
            </Loaded>
        </OperatorArea>
    }
}

#[component]
fn Customer(customer: CustomerDetail) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let f = customer.figures.clone();
    let id = f.id;
    let error = RwSignal::new(None);
    let support = move |_| {
        spawn_local(async move {
            match open_customer_support(id).await {
                Ok(()) => {
                    let _ = window().location().set_href(&format!("/admin?site={id}"));
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let n = move |v: i64| grouped(locale, u64::try_from(v).unwrap_or(0));
    let today = crate::components::date::today();
    view! {
        <section class="panel" aria-labelledby="customer-title" id="customer">
            <div class="panel-head">
                <h2 id="customer-title">{f.name.clone()}</h2>
                <a class="button" id="customer-usage" href=format!("/operator/insights?customer={id}")>
                    {t!(i18n, usage.open_usage)}
                </a>
                <button type="button" class="button" id="customer-support" on:click=support>
                    {t!(i18n, operator.open_administration)}
                </button>
            </div>
            <p class="help">{t!(i18n, operator.open_administration_help)}</p>
            <ErrorMessage error=error />
            <dl class="figures" id="customer-figures">
                <div><dt>{t!(i18n, operator.seats_used)}</dt><dd>{of(locale, f.seats_used, f.seat_limit)}</dd></div>
                <div><dt>{t!(i18n, operator.licences_assigned)}</dt><dd>{of(locale, f.licences_assigned, f.licences_valid)}</dd></div>
                <div><dt>{t!(i18n, operator.sites)}</dt><dd>{n(customer.sites)}</dd></div>
                <div><dt>{t!(i18n, operator.users)}</dt><dd>{n(customer.users)}</dd></div>
                <div><dt>{t!(i18n, operator.next_expiry)}</dt><dd>{match f.next_expiry {
                    Some(date) => view! { <DateText date=date /> }.into_any(),
                    None => view! { "–" }.into_any(),
                }}</dd></div>
                <div><dt>{t!(i18n, operator.customer_since)}</dt><dd><DateText date=wire::time::local_date(f.created_at) /></dd></div>
            </dl>
        </section>

        <Listing id="customer-subscriptions-title" listed=customer.subscriptions.len()
            title=td_string!(locale, operator.subscriptions).to_string()
            empty=td_string!(locale, operator.no_subscriptions).to_string()>
            <table class="table" id="customer-subscriptions">
                <thead><tr>
                    <th scope="col">{t!(i18n, onboarding.serial)}</th>
                    <th scope="col">{t!(i18n, operator.valid)}</th>
                    <th scope="col" class="numeric">{t!(i18n, operator.licences_assigned)}</th>
                    <th scope="col">{t!(i18n, overview.status)}</th>
                </tr></thead>
                <tbody>{customer.subscriptions.into_iter().map(|s| {
                    let (class, label) = if s.valid_from > today {
                        ("pill-subscription-upcoming", td_string!(locale, operator.state_upcoming))
                    } else if s.valid_until < today {
                        ("pill-subscription-ended", td_string!(locale, operator.state_ended))
                    } else {
                        ("pill-subscription-current", td_string!(locale, operator.state_current))
                    };
                    view! {
                        <tr>
                            <td class="mono">{s.serial}
                                {s.activation_code.then(|| view! { <span class="user-email">{t!(i18n, operator.activation_code)}</span> })}
                            </td>
                            <td class="nowrap"><ShortDate date=s.valid_from /> " – " <ShortDate date=s.valid_until /></td>
                            <td class="numeric nowrap">{of(locale, s.assigned, s.seats)}</td>
                            <td><span class=format!("pill {class}")>{label}</span></td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </Listing>

        <Listing id="customer-admins-title" listed=customer.administrators.len()
            title=td_string!(locale, operator.administrators).to_string()
            empty=td_string!(locale, operator.no_administrators).to_string()>
            <table class="table" id="customer-administrators">
                <thead><tr>
                    <th scope="col">{t!(i18n, operator.name)}</th>
                    <th scope="col">{t!(i18n, operator.contact)}</th>
                    <th scope="col">{t!(i18n, operator.roles)}</th>
                    <th scope="col">{t!(i18n, operator.last_sign_in)}</th>
                </tr></thead>
                <tbody>{customer.administrators.into_iter().map(|a| view! {
                    <tr>
                        <td>{a.name}<span class="user-email mono">{a.username}</span></td>
                        <td>{match a.email {
                            Some(email) => view! { <a href=format!("mailto:{email}")>{email.clone()}</a> }.into_any(),
                            None => view! { <span class="muted">{t!(i18n, operator.no_email)}</span> }.into_any(),
                        }}</td>
                        <td>{a.roles.into_iter().map(|role| {
                            let name = role
                                .builtin
                                .as_deref()
                                .and_then(|key| builtin_role(locale, key))
                                .map_or(role.name, str::to_string);
                            view! {
                                <span class="role-at">{name} " " <span class="muted">{format!("({})", role.site)}</span></span>
                            }
                        }).collect_view()}</td>
                        <td class="nowrap">{match a.last_sign_in {
                            Some(at) => view! { <DateTimeText at=at /> }.into_any(),
                            None => view! { <span class="muted">{t!(i18n, operator.never)}</span> }.into_any(),
                        }}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </Listing>

        <Listing id="customer-requests-title" listed=customer.purchases.len()
            title=td_string!(locale, operator.purchase_inbox).to_string()
            empty=td_string!(locale, operator.no_requests).to_string()>
            <table class="table" id="customer-requests">
                <thead><tr>
                    <th scope="col">{t!(i18n, overview.sent_on)}</th>
                    <th scope="col">{t!(i18n, operator.contact)}</th>
                    <th scope="col" class="numeric">{t!(i18n, overview.quantity)}</th>
                    <th scope="col">{t!(i18n, overview.activation_on)}</th>
                    <th scope="col">{t!(i18n, overview.status)}</th>
                </tr></thead>
                <tbody>{customer.purchases.into_iter().map(|p| view! {
                    <tr>
                        <td class="nowrap"><DateTimeText at=p.requested_at /></td>
                        <td>{p.requester}</td>
                        <td class="numeric">{p.quantity}</td>
                        <td class="nowrap"><DateText date=p.activation_on /></td>
                        <td>{if p.status == PurchaseStatus::Handled {
                            view! { <span class="pill pill-request-handled">{t!(i18n, overview.request_handled)}</span> }.into_any()
                        } else {
                            view! { <span class="pill pill-request-new">{t!(i18n, operator.request_open)}</span> }.into_any()
                        }}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </Listing>

        <Listing id="customer-events-title" listed=customer.events.len()
            title=td_string!(locale, operator.customer_journal).to_string()
            empty=td_string!(locale, operator.no_events).to_string()>
            <table class="table" id="customer-events">
                <thead><tr>
                    <th scope="col">{t!(i18n, operator.when)}</th>
                    <th scope="col">{t!(i18n, operator.who)}</th>
                    <th scope="col">{t!(i18n, operator.what)}</th>
                </tr></thead>
                <tbody>{customer.events.into_iter().map(|e| {
                    let what = action(locale, &e.action).unwrap_or("").to_string();
                    view! {
                        <tr data-action=e.action.clone()>
                            <td class="nowrap"><DateTimeText at=e.at /></td>
                            <td class="mono">{journal_name(locale, &e.actor)}</td>
                            <td>{what}<span class="user-email">{journal_name(locale, &e.target)}</span></td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </Listing>
    }
}

/// A section of the customer's page: its heading, and its table or, when it lists nothing,
/// `empty`.
#[component]
fn Listing(
    id: &'static str,
    title: String,
    empty: String,
    listed: usize,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=id>
            <h2 id=id>{title}</h2>
            {if listed == 0 {
                view! { <p class="empty-state">{empty}</p> }.into_any()
            } else {
                view! { <div class="table-wrap">{children()}</div> }.into_any()
            }}
        </section>
    }
}
