//! Usage charts: an administrator's subtree on its own page (`/admin/usage`), and the shared
//! charts the vendor's insights page shows too. The choice lives in the address (a plain GET
//! form).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;
use wire::UsageDay;

use crate::api::sites::load_site_details;
use crate::api::usage::{load_usage, PERIODS};
use crate::components::chart::DailyChart;
use crate::components::loaded::Loaded;
use crate::components::page_shell::PageShell;
use crate::components::site_picker::SitePicker;
use crate::error::AppError;
use crate::i18n::*;

/// The period asked in the address (30 days unless one offered).
pub fn period(asked: Option<String>) -> u32 {
    asked
        .and_then(|d| d.parse::<u32>().ok())
        .filter(|d| PERIODS.contains(d))
        .unwrap_or(PERIODS[0])
}

/// The four charts of a period's days.
#[component]
pub fn UsageCharts(days: Resource<Result<Vec<UsageDay>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Loaded load=days loading=true let:days>
            {
                let locale = i18n.get_locale_untracked();
                let series = |pick: fn(&UsageDay) -> Option<i64>| {
                    days.iter().map(|d| (d.day, pick(d))).collect::<Vec<_>>()
                };
                view! {
                    <div class="charts">
                        <DailyChart id="chart-active" title=td_string!(locale, usage.active_users).to_string()
                            days=series(|d| Some(d.active_users)) />
                        <DailyChart id="chart-peak" title=td_string!(locale, usage.peak_sessions).to_string()
                            days=series(|d| Some(d.peak_sessions)) />
                        <DailyChart id="chart-licences" title=td_string!(locale, usage.licences).to_string()
                            days=series(|d| d.licences) />
                        <DailyChart id="chart-failures" title=td_string!(locale, usage.failures).to_string()
                            days=series(|d| Some(d.sign_in_failures)) />
                    </div>
                }
            }
        </Loaded>
    }
}

/// The period's choice, as links.
#[component]
pub fn PeriodChoice<H>(days: Memo<u32>, href: H) -> impl IntoView
where
    H: Fn(u32) -> String + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <nav class="segmented" aria-label=move || td_string!(i18n.get_locale(), usage.period)>
            {PERIODS.into_iter().map(|n| view! {
                <a href=move || href(n) id=format!("period-{n}")
                    aria-current=move || (days.get() == n).then_some("page")>
                    {move || td_string!(i18n.get_locale(), usage.last_days, days = n).to_string()}
                </a>
            }).collect_view()}
        </nav>
    }
}

#[component]
pub fn AdminUsagePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let site = Memo::new(move |_| {
        query
            .read()
            .get("site")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let days = Memo::new(move |_| period(query.read().get("days")));
    let usage = Resource::new(
        move || (site.get(), days.get()),
        |(site, days)| load_usage(site, false, String::new(), days),
    );
    let chosen = RwSignal::new(site.get_untracked());
    // The chosen site's name for the picker (read outside a Suspense: loaded in the browser).
    let chosen_name = LocalResource::new(move || {
        let site = site.get();
        async move {
            load_site_details(site)
                .await
                .map(|d| d.node.name)
                .unwrap_or_default()
        }
    });
    view! {
        <Title text=move || format!("{} – Licentia", td_string!(i18n.get_locale(), usage.page_title)) />
        <PageShell>
            <section class="panel usage-page" aria-labelledby="usage-title">
                <div class="panel-head">
                    <h1 id="usage-title">{t!(i18n, usage.page_title)}</h1>
                </div>
                <p class="intro">{t!(i18n, usage.intro)}</p>
                <form class="filter-form" method="get" action="/admin/usage" id="usage-filter">
                    <div class="field">
                        <label for="usage-site">{t!(i18n, usage.site)}</label>
                        <SitePicker id="usage-site" chosen=chosen name="site"
                            initial=Signal::derive(move || chosen_name.get().unwrap_or_default()) />
                    </div>
                    <input type="hidden" name="days" value=move || days.get().to_string() />
                    <button type="submit" class="button" id="usage-show">{t!(i18n, usage.show)}</button>
                </form>
                <PeriodChoice days=days href=move |n| match site.get() {
                    Some(site) => format!("/admin/usage?site={site}&days={n}"),
                    None => format!("/admin/usage?days={n}"),
                } />
                <UsageCharts days=usage />
            </section>
        </PageShell>
    }
}
