//! A day-by-day bar chart drawn as SVG on the server (it prints, and needs no script), with
//! a summary for screen readers, the same figures as a table, and a CSV download.
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::components::date::short_date;
use crate::components::number::grouped;
use crate::i18n::*;

/// The plot's drawing units: it stretches to its box (only bars in it); the labels beside and
/// under it are text of the page, so that they keep their shape on a phone.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 150.0;
/// Room above the highest bar.
const TOP: f64 = 4.0;

/// One value per day; none where it was not counted.
#[component]
pub fn DailyChart(
    /// The chart's id (its parts' ids begin with it).
    id: &'static str,
    title: String,
    days: Vec<(NaiveDate, Option<i64>)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let n = |v: i64| grouped(locale, u64::try_from(v).unwrap_or(0));
    let values: Vec<i64> = days.iter().filter_map(|(_, v)| *v).collect();
    let max = values.iter().copied().max().unwrap_or(0);
    let total: i64 = values.iter().sum();
    let (first, last) = (days.first().map(|d| d.0), days.last().map(|d| d.0));
    let summary = match (first, last) {
        (Some(from), Some(to)) => td_string!(
            locale,
            usage.chart_summary,
            from = short_date(locale, from),
            to = short_date(locale, to),
            max = n(max),
            total = n(total)
        )
        .to_string(),
        _ => String::new(),
    };
    let slot = WIDTH / days.len().max(1) as f64;
    let scale = (HEIGHT - TOP) / max.max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .filter_map(|(i, (day, value))| {
            let value = (*value)?;
            let height = value as f64 * scale;
            let x = i as f64 * slot + slot * 0.1;
            let y = HEIGHT - height;
            let label = format!("{}: {}", short_date(locale, *day), n(value));
            Some(view! {
                <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", slot * 0.8)
                    height=format!("{height:.1}") class="chart-bar"><title>{label}</title></rect>
            })
        })
        .collect_view();
    let csv = {
        let mut text = format!(
            "{};{}\r\n",
            td_string!(locale, usage.day),
            td_string!(locale, usage.value)
        );
        for (day, value) in &days {
            text.push_str(&format!(
                "{day};{}\r\n",
                value.map(|v| v.to_string()).unwrap_or_default()
            ));
        }
        format!("data:text/csv;charset=utf-8,{}", crate::url::encode(&text))
    };
    let title_id = format!("{id}-title");
    let summary_id = format!("{id}-summary");
    let rows = days
        .iter()
        .map(|(day, value)| {
            view! {
                <tr>
                    <td class="nowrap">{short_date(locale, *day)}</td>
                    <td class="numeric">{match value {
                        Some(v) => n(*v),
                        None => td_string!(locale, usage.not_counted).to_string(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" id=id aria-labelledby=title_id.clone()>
            <figcaption id=title_id.clone()>{title.clone()}</figcaption>
            <div class="chart-frame">
                <div class="chart-y" aria-hidden="true"><span>{n(max)}</span><span>"0"</span></div>
                <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" class="chart-svg"
                    aria-labelledby=format!("{title_id} {summary_id}") preserveAspectRatio="none">
                    {bars}
                </svg>
                <div class="chart-x" aria-hidden="true">
                    <span>{first.map(|d| short_date(locale, d))}</span>
                    <span>{last.map(|d| short_date(locale, d))}</span>
                </div>
            </div>
            <p class="chart-summary" id=summary_id>{summary}</p>
            <div class="chart-tools">
                <details class="chart-table">
                    <summary>{t!(i18n, usage.table_view)}</summary>
                    // Scrolls when long: reachable by keyboard, named by its chart.
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby=title_id.clone()>
                        <table class="table">
                            <caption class="visually-hidden">{title}</caption>
                            <thead><tr>
                                <th scope="col">{t!(i18n, usage.day)}</th>
                                <th scope="col" class="numeric">{t!(i18n, usage.value)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </details>
                <a class="button chart-csv" href=csv download=format!("{id}.csv")>{t!(i18n, usage.download_csv)}</a>
            </div>
        </figure>
    }
}
