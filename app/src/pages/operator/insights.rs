//! The vendor's usage insights: every customer's usage together or one customer's, for a
//! product or all of them, over a period.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::{OperatorArea, Task};
use crate::api::operator::catalogue;
use crate::api::usage::load_usage;
use crate::components::loaded::Loaded;
use crate::i18n::*;
use crate::pages::usage::{period, PeriodChoice, UsageCharts};

#[component]
pub fn InsightsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let customer = Memo::new(move |_| {
        query
            .read()
            .get("customer")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let product = Memo::new(move |_| query.read().get("product").unwrap_or_default());
    let days = Memo::new(move |_| period(query.read().get("days")));
    let usage = Resource::new(
        move || (customer.get(), product.get(), days.get()),
        |(customer, product, days)| load_usage(customer, customer.is_none(), product, days),
    );
    let products = Resource::new(|| (), |_| catalogue());
    view! {
        <OperatorArea task=Task::Insights>
            <section class="panel" aria-labelledby="insights-title">
                <div class="panel-head">
                    <h2 id="insights-title">{t!(i18n, usage.page_title)}</h2>
                </div>
                <p class="intro">{t!(i18n, usage.intro)}</p>
                <form class="filter-form" method="get" action="/operator/insights" id="insights-filter">
                    {move || customer.get().map(|c| view! { <input type="hidden" name="customer" value=c.to_string() /> })}
                    <div class="field">
                        <label for="insights-product">{t!(i18n, usage.product)}</label>
                        <Loaded load=products let:catalogue>
                            <select id="insights-product" name="product">
                                <option value="">{t!(i18n, usage.all_products)}</option>
                                {catalogue.0.into_iter().map(|p| {
                                    let key = p.key.clone();
                                    view! {
                                        <option value=p.key.clone() selected=move || product.get() == key>{p.name}</option>
                                    }
                                }).collect_view()}
                            </select>
                        </Loaded>
                    </div>
                    <input type="hidden" name="days" value=move || days.get().to_string() />
                    <button type="submit" class="button" id="insights-show">{t!(i18n, usage.show)}</button>
                </form>
                <PeriodChoice days=days href=move |n| {
                    let mut href = format!("/operator/insights?days={n}");
                    if let Some(customer) = customer.get() {
                        href.push_str(&format!("&customer={customer}"));
                    }
                    let product = product.get();
                    if !product.is_empty() {
                        href.push_str(&format!("&product={}", crate::url::encode(&product)));
                    }
                    href
                } />
                <UsageCharts days=usage />
            </section>
        </OperatorArea>
    }
}
