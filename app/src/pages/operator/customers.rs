//! The customers: every organisation but the vendor's, with its seats, licences,
//! subscriptions, next expiry and administrators; searched by name and sorted by any figure.
//! The query lives in the address (a plain GET form and links), so pages can be shared and the
//! list works before the wasm has loaded.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use wire::{CustomerPage, CustomerRow, CustomerSort};

use super::{OperatorArea, Task};
use crate::api::customers::{list_customers, CustomerFilter};
use crate::components::date::{DateTimeText, ShortDate};
use crate::components::loaded::Loaded;
use crate::components::number::grouped;
use crate::components::pager::Pager;
use crate::i18n::*;

#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        <OperatorArea task=Task::Customers>
            <Customers />
        </OperatorArea>
    }
}

/// The address of the customer list with `filter` (its page counted from 1).
fn customers_href(filter: &CustomerFilter) -> String {
    let mut parts = Vec::new();
    if !filter.search.is_empty() {
        parts.push(format!("q={}", crate::url::encode(&filter.search)));
    }
    if filter.sort != CustomerSort::Name {
        parts.push(format!("sort={}", filter.sort));
    }
    if filter.descending {
        parts.push("desc=1".into());
    }
    if filter.page > 0 {
        parts.push(format!("page={}", filter.page + 1));
    }
    if parts.is_empty() {
        "/operator".into()
    } else {
        format!("/operator?{}", parts.join("&"))
    }
}

#[component]
fn Customers() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        CustomerFilter {
            search: q.get("q").unwrap_or_default(),
            sort: q
                .get("sort")
                .and_then(|s| CustomerSort::parse(&s))
                .unwrap_or(CustomerSort::Name),
            descending: q.get("desc").is_some_and(|d| d == "1"),
            page: q
                .get("page")
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(1)
                .saturating_sub(1),
        }
    });
    let page = Resource::new(move || filter.get(), list_customers);
    view! {
        <section class="panel" aria-labelledby="customers-title">
            <div class="panel-head">
                <h2 id="customers-title">{t!(i18n, operator.nav_customers)}</h2>
            </div>
            <form class="filter-form" method="get" action="/operator" id="customer-search" role="search">
                <div class="field">
                    <label for="customer-q">{t!(i18n, operator.customer_search)}</label>
                    <input id="customer-q" name="q" type="search" maxlength="100"
                        prop:value=move || filter.get().search />
                </div>
                {move || {
                    let f = filter.get();
                    (f.sort != CustomerSort::Name).then(|| view! {
                        <input type="hidden" name="sort" value=f.sort.as_str() />
                    })
                }}
                {move || filter.get().descending.then(|| view! { <input type="hidden" name="desc" value="1" /> })}
                <button type="submit" class="button" id="customer-search-go">{t!(i18n, operator.search_button)}</button>
            </form>
            <Loaded load=page let:found>
                <CustomerTable page=found filter=filter />
            </Loaded>
        </section>
    }
}

#[component]
fn CustomerTable(page: CustomerPage, filter: Memo<CustomerFilter>) -> impl IntoView {
    let i18n = use_i18n();
    if page.rows.is_empty() {
        let searching = !filter.get_untracked().search.is_empty();
        return view! {
            <p class="empty-state" id="customers-empty">
                {if searching {
                    t!(i18n, operator.no_customers_match).into_any()
                } else {
                    t!(i18n, operator.no_customers).into_any()
                }}
            </p>
        }
        .into_any();
    }
    let sort_link = move |key: CustomerSort| {
        let f = filter.get();
        let active = f.sort == key;
        let href = customers_href(&CustomerFilter {
            sort: key,
            descending: active && !f.descending,
            page: 0,
            ..f.clone()
        });
        let aria = active.then_some(if f.descending {
            "descending"
        } else {
            "ascending"
        });
        let arrow = match (active, f.descending) {
            (false, _) => "↕",
            (true, true) => "↓",
            (true, false) => "↑",
        };
        (href, aria, arrow)
    };
    let header = move |key: CustomerSort, label: &'static str, numeric: bool| {
        view! {
            <th scope="col" class:numeric=numeric aria-sort=move || sort_link(key).1>
                <a class="sort-link" href=move || sort_link(key).0 data-sort=key.as_str()>
                    {label} <span class="sort-arrow" aria-hidden="true">{move || sort_link(key).2}</span>
                </a>
            </th>
        }
    };
    let locale = i18n.get_locale_untracked();
    let pages = page.total.div_ceil(page.page_size).max(1);
    let current = page.page;
    let summary = td_string!(
        locale,
        operator.customers_found,
        count = grouped(locale, page.total)
    )
    .to_string();
    view! {
        <p class="muted" id="customers-count" aria-live="polite">{summary}</p>
        <div class="table-wrap">
            <table class="table" id="customers">
                <thead><tr>
                    {header(CustomerSort::Name, td_string!(locale, operator.customer), false)}
                    {header(CustomerSort::SeatsUsed, td_string!(locale, operator.seats_used), true)}
                    {header(CustomerSort::LicencesAssigned, td_string!(locale, operator.licences_assigned), true)}
                    <th scope="col">{t!(i18n, operator.subscriptions)}</th>
                    {header(CustomerSort::NextExpiry, td_string!(locale, operator.next_expiry), false)}
                    <th scope="col" class="numeric">{t!(i18n, operator.administrators)}</th>
                    {header(CustomerSort::LastSignIn, td_string!(locale, operator.last_admin_sign_in), false)}
                    {header(CustomerSort::Created, td_string!(locale, operator.customer_since), false)}
                </tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|c| view! { <CustomerLine customer=c /> }).collect_view()}
                </tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! {
            <Pager current=current pages=pages
                href=move |n| customers_href(&CustomerFilter { page: n, ..filter.get_untracked() }) />
        })}
    }
    .into_any()
}

/// "used / limit" in the reader's form.
pub(super) fn of(locale: Locale, used: i64, limit: i64) -> String {
    let n = |v: i64| grouped(locale, u64::try_from(v).unwrap_or(0));
    format!("{} / {}", n(used), n(limit))
}

#[component]
fn CustomerLine(customer: CustomerRow) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let c = customer;
    let counts = c.subscriptions;
    let full = c.seat_limit > 0 && c.seats_used >= c.seat_limit;
    view! {
        <tr data-customer=c.name.clone()>
            <th scope="row"><a href=format!("/operator/customers/{}", c.id)>{c.name.clone()}</a></th>
            <td class="numeric nowrap" class:warning=full>{of(locale, c.seats_used, c.seat_limit)}</td>
            <td class="numeric nowrap">{of(locale, c.licences_assigned, c.licences_valid)}</td>
            <td class="subscription-counts">
                {(counts.current > 0).then(|| view! {
                    <span class="pill pill-subscription-current">{td_string!(locale, operator.count_current, count = counts.current).to_string()}</span>
                })}
                {(counts.upcoming > 0).then(|| view! {
                    <span class="pill pill-subscription-upcoming">{td_string!(locale, operator.count_upcoming, count = counts.upcoming).to_string()}</span>
                })}
                {(counts.ended > 0).then(|| view! {
                    <span class="pill pill-subscription-ended">{td_string!(locale, operator.count_ended, count = counts.ended).to_string()}</span>
                })}
                {(counts.current + counts.upcoming + counts.ended == 0).then(|| view! {
                    <span class="muted">{t!(i18n, operator.no_subscriptions_short)}</span>
                })}
            </td>
            <td class="nowrap">{match c.next_expiry {
                Some(date) => view! { <ShortDate date=date /> }.into_any(),
                None => view! { <span class="muted">"–"</span> }.into_any(),
            }}</td>
            <td class="numeric nowrap">
                {c.administrators}
                <span class="muted small">" "{td_string!(locale, operator.with_email, count = c.administrators_with_email).to_string()}</span>
            </td>
            <td class="nowrap">{match c.last_administrator_sign_in {
                Some(at) => view! { <DateTimeText at=at /> }.into_any(),
                None => view! { <span class="muted">{t!(i18n, operator.never)}</span> }.into_any(),
            }}</td>
            <td class="nowrap"><ShortDate date=wire::time::local_date(c.created_at) /></td>
        </tr>
    }
}
