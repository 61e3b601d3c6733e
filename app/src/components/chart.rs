//! A day-by-day bar chart drawn as SVG on the server (it prints, and needs no script), with
//! a summary for screen readers, the same figures as a table, and a CSV download.
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::components::date::short_date;
use crate::components::number::grouped;
use crate::i18n::*;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

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
    let slot = (WIDTH - LEFT) / days.len().max(1) as f64;
    let scale = (HEIGHT - TOP - BOTTOM) / max.max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .filter_map(|(i, (day, value))| {
            let value = (*value)?;
            let height = value as f64 * scale;
            let x = LEFT + i as f64 * slot + slot * 0.1;
            let y = HEIGHT - BOTTOM - height;
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
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" class="chart-svg"
                aria-labelledby=format!("{title_id} {summary_id}") preserveAspectRatio="none">
                <line x1=LEFT y1=HEIGHT - BOTTOM x2=WIDTH y2=HEIGHT - BOTTOM class="chart-axis" />
                <line x1=LEFT y1=TOP x2=LEFT y2=HEIGHT - BOTTOM class="chart-axis" />
                <text x=LEFT - 6.0 y=TOP + 10.0 text-anchor="end" class="chart-label">{n(max)}</text>
                <text x=LEFT - 6.0 y=HEIGHT - BOTTOM text-anchor="end" class="chart-label">"0"</text>
                {first.map(|d| view! {
                    <text x=LEFT y=HEIGHT - 6.0 class="chart-label">{short_date(locale, d)}</text>
                })}
                {last.map(|d| view! {
                    <text x=WIDTH y=HEIGHT - 6.0 text-anchor="end" class="chart-label">{short_date(locale, d)}</text>
                })}
                {bars}
            </svg>
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
