//! The audit journal: who changed what, when and from where, newest first, 50 a page. The
//! filter lives in the query string (a plain GET form), and the same query downloads as CSV.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::journal::{list_journal, JournalEntry, JournalFilter};
use crate::api::sites::load_site_details;
use crate::components::date::DateTimeText;
use crate::components::loaded::Loaded;
use crate::components::page_shell::PageShell;
use crate::components::pager::Pager;
use crate::components::site_picker::SitePicker;
use crate::i18n::*;
use crate::labels::{action, field, journal_name, journal_value, ACTIONS};

#[component]
pub fn JournalPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), journal.page_title) />
        <PageShell>
            <JournalContent />
        </PageShell>
    }
}

/// The query string of a filter (without the page), for links and the CSV download.
pub fn filter_query(f: &JournalFilter) -> String {
    let mut parts = Vec::new();
    if let Some(site) = f.site {
        parts.push(format!("site={site}"));
    }
    for (key, value) in [
        ("actor", &f.actor),
        ("action", &f.action),
        ("from", &f.from),
        ("to", &f.to),
    ] {
        if !value.is_empty() {
            parts.push(format!("{key}={}", crate::url::encode(value)));
        }
    }
    parts.join("&")
}

#[component]
fn JournalContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        JournalFilter {
            site: q.get("site").and_then(|s| Uuid::parse_str(&s).ok()),
            actor: q.get("actor").unwrap_or_default(),
            action: q.get("action").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            page: q
                .get("page")
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(1)
                .saturating_sub(1),
        }
    });
    let entries = Resource::new(move || filter.get(), list_journal);
    // The chosen site's name (the site is chosen by a search on the server).
    let chosen_site = RwSignal::new(filter.get_untracked().site);
    let chosen_name = LocalResource::new(move || {
        let site = filter.get().site;
        async move {
            match site {
                Some(site) => load_site_details(Some(site))
                    .await
                    .map(|d| d.node.name)
                    .unwrap_or_default(),
                None => String::new(),
            }
        }
    });
    let csv_href = move || {
        let q = filter_query(&filter.get());
        if q.is_empty() {
            "/admin/journal.csv".to_string()
        } else {
            format!("/admin/journal.csv?{q}")
        }
    };
    view! {
        <section class="panel" aria-labelledby="journal-title">
            <div class="panel-head">
                <h1 id="journal-title">{t!(i18n, journal.page_title)}</h1>
                <a class="button" id="journal-csv" href=csv_href download="">
                    {t!(i18n, journal.download_csv)}
                </a>
            </div>
            <form class="filter-form" method="get" action="/admin/journal" id="journal-filter">
                <div class="field">
                    <label for="journal-site">{t!(i18n, journal.filter_site)}</label>
                    <SitePicker id="journal-site" chosen=chosen_site name="site" clearable=true
                        initial=Signal::derive(move || chosen_name.get().unwrap_or_default())
                        placeholder=Signal::derive(move || td_string!(i18n.get_locale(), journal.all_sites).to_string()) />
                </div>
                <div class="field">
                    <label for="journal-actor">{t!(i18n, journal.filter_actor)}</label>
                    <input id="journal-actor" name="actor" type="search" prop:value=move || filter.get().actor />
                </div>
                <div class="field">
                    <label for="journal-action">{t!(i18n, journal.filter_action)}</label>
                    <select id="journal-action" name="action">
                        <option value="">{t!(i18n, journal.all_actions)}</option>
                        {ACTIONS.iter().map(|code| {
                            let code: &'static str = code;
                            view! {
                                <option value=code selected=move || filter.get().action == code>
                                    {move || action(i18n.get_locale(), code).unwrap_or(code)}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="journal-from">{t!(i18n, journal.filter_from)}</label>
                    <input id="journal-from" name="from" type="date" prop:value=move || filter.get().from />
                </div>
                <div class="field">
                    <label for="journal-to">{t!(i18n, journal.filter_to)}</label>
                    <input id="journal-to" name="to" type="date" prop:value=move || filter.get().to />
                </div>
                <div class="filter-actions">
                    <button type="submit" class="button button-primary" id="journal-apply">{t!(i18n, journal.apply)}</button>
                    <a class="button button-quiet" href="/admin/journal">{t!(i18n, journal.reset)}</a>
                </div>
            </form>
            <Loaded load=entries loading=true let:page>
                {
                    if page.entries.is_empty() {
                        view! {
                            <div class="empty-state" id="journal-empty"><p>{t!(i18n, journal.empty)}</p></div>
                        }.into_any()
                    } else {
                            let from = page.page * page.page_size + 1;
                            let to = page.page * page.page_size + page.entries.len() as u64;
                            let total = page.total;
                            let current = page.page;
                            let page_href = move |n: u64| {
                                let q = filter_query(&filter.get());
                                let sep = if q.is_empty() { "" } else { "&" };
                                format!("/admin/journal?{q}{sep}page={}", n + 1)
                            };
                            view! {
                                <div class="table-wrap">
                                    <table class="table" id="journal-table">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, journal.col_when)}</th>
                                                <th scope="col">{t!(i18n, journal.col_actor)}</th>
                                                <th scope="col">{t!(i18n, journal.col_action)}</th>
                                                <th scope="col">{t!(i18n, journal.col_target)}</th>
                                                <th scope="col">{t!(i18n, journal.col_site)}</th>
                                                <th scope="col">{t!(i18n, journal.col_changes)}</th>
                                                <th scope="col">{t!(i18n, journal.col_address)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {page.entries.into_iter().map(|e| view! { <EntryRow entry=e /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <div class="table-footer">
                                    <p class="muted" id="journal-count">
                                        {move || td_string!(i18n.get_locale(), journal.showing, from = from, to = to, total = total).to_string()}
                                    </p>
                                    <Pager current=current pages=page.total.div_ceil(page.page_size.max(1)).max(1) href=page_href />
                                </div>
                            }.into_any()
                    }
                }
            </Loaded>
        </section>
    }
}

#[component]
fn EntryRow(entry: JournalEntry) -> impl IntoView {
    let i18n = use_i18n();
    let code = entry.action.clone();
    let label_code = code.clone();
    view! {
        <tr data-action=code>
            <td class="nowrap"><DateTimeText at=entry.at /></td>
            <td class="mono">{move || journal_name(i18n.get_locale(), &entry.actor)}</td>
            <td>{move || action(i18n.get_locale(), &label_code).map(str::to_string).unwrap_or_else(|| label_code.clone())}</td>
            <td>{move || journal_name(i18n.get_locale(), &entry.target)}</td>
            <td>{entry.site.clone()}</td>
            <td>
                <ul class="changes">
                    {entry.changes.into_iter().map(|c| {
                        let name = c.field.clone();
                        let (f1, f2) = (c.field.clone(), c.field.clone());
                        let (before, after) = (c.before.clone(), c.after.clone());
                        view! {
                            <li>
                                <span class="change-field">{move || field(i18n.get_locale(), &name).map(str::to_string).unwrap_or_else(|| name.strip_prefix("property:").unwrap_or(&name).to_string())} ": "</span>
                                {(!c.before.is_empty()).then(|| view! { <del>{move || journal_value(i18n.get_locale(), &f1, &before)}</del> " → " })}
                                <ins>{move || journal_value(i18n.get_locale(), &f2, &after)}</ins>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </td>
            <td class="mono">{entry.client_address.clone()}</td>
        </tr>
    }
}
