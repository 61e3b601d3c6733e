//! The user list of the selected site: search, the subsites switch, sortable columns, pages
//! of 25 with navigation bottom right, and the form to add one user.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::bulk_bar::{BulkBar, Selection};
use super::{admin_href, new_user::NewUserForm, user_row::UserRowView};
use crate::api::sites::SiteDetails;
use crate::api::users::{count_users, UserFilter, UserPage};
use crate::components::loaded::{Lenient, Loaded};
use crate::components::number::grouped;
use crate::components::pager::Pager;
use crate::error::AppError;
use crate::i18n::*;

/// The download of the list as it is filtered (all its pages).
fn export_href(site: Uuid, filter: &UserFilter, extension: &str) -> String {
    let query = admin_href(site, &filter.first_page());
    let query = query.split_once('?').map_or("", |(_, q)| q);
    format!("/admin/users/export.{extension}?{query}")
}

#[component]
pub fn UserList(
    details: SiteDetails,
    users: Resource<Result<UserPage, AppError>>,
    counters: Resource<Result<crate::api::users::LicenceCounters, AppError>>,
    properties: Resource<Result<crate::api::properties::PropertiesPage, AppError>>,
    filter: Memo<UserFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let site = details.node.id;
    let can_manage = details.can_manage_users;
    let can_assign = details.can_assign_roles;
    let can_assign_licences = details.can_assign_licences;
    let shows_counters = details.can_view_licences;
    let adding = super::use_admin().adding_user;
    let navigate = use_navigate();
    let go = {
        let navigate = navigate.clone();
        move |f: UserFilter| navigate(&admin_href(site, &f), Default::default())
    };
    let on_search = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let value = ev
                .target()
                .and_then(|t| {
                    use wasm_bindgen::JsCast;
                    t.dyn_into::<web_sys::HtmlFormElement>().ok()
                })
                .and_then(|form| form.elements().named_item("q"))
                .and_then(|el| {
                    use wasm_bindgen::JsCast;
                    el.dyn_into::<web_sys::HtmlInputElement>().ok()
                })
                .map(|input| input.value())
                .unwrap_or_default();
            go(UserFilter {
                search: value,
                ..filter.get_untracked().first_page()
            });
        }
    };
    let on_subsites = {
        let go = go.clone();
        move |ev| {
            let checked = event_target_checked(&ev);
            go(UserFilter {
                include_subsites: checked,
                ..filter.get_untracked().first_page()
            });
        }
    };
    let on_property = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let field = |name: &str| {
                use wasm_bindgen::JsCast;
                ev.target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                    .and_then(|form| form.elements().named_item(name))
                    .and_then(|el| {
                        el.clone()
                            .dyn_into::<web_sys::HtmlInputElement>()
                            .map(|i| i.value())
                            .or_else(|el| {
                                el.dyn_into::<web_sys::HtmlSelectElement>()
                                    .map(|s| s.value())
                            })
                            .ok()
                    })
                    .unwrap_or_default()
            };
            let property = field("prop");
            let current = filter.get_untracked();
            go(UserFilter {
                property_value: if property.is_empty() {
                    String::new()
                } else {
                    field("pv")
                },
                sort: if property.is_empty() && current.sort == "property" {
                    "name".into()
                } else {
                    current.sort.clone()
                },
                property,
                ..current.first_page()
            });
        }
    };
    let free = details.node.seat_limit - details.node.used_seats;
    // A new filter (or site) is a new list: the selection starts empty.
    let selection = Selection::new();
    Effect::new(move |_| {
        filter.track();
        selection.clear();
    });
    view! {
        <section class="panel" aria-labelledby="users-title">
            <div class="panel-head">
                <h2 id="users-title">{t!(i18n, admin.users)}</h2>
                <div class="button-group" role="group" aria-label=move || td_string!(i18n.get_locale(), import.export)>
                    <a class="button" id="export-xlsx" download=""
                        href=move || export_href(site, &filter.get(), "xlsx")>
                        {t!(i18n, import.export)} " " {t!(i18n, import.export_xlsx)}
                    </a>
                    <a class="button" id="export-csv" download=""
                        href=move || export_href(site, &filter.get(), "csv")>
                        {t!(i18n, import.export_csv)}
                    </a>
                </div>
                <a class="button" id="usage-link" href=format!("/admin/usage?site={site}")>
                    {t!(i18n, usage.open_usage)}
                </a>
                {can_manage.then(|| view! {
                    <a class="button" id="import-users" href=format!("/admin/import?site={site}")>
                        {t!(i18n, import.import_users)}
                    </a>
                    <a class="button" id="rollover-link" href=format!("/admin/rollover?site={site}")>
                        {t!(i18n, rollover.open)}
                    </a>
                })}
                {can_manage.then(|| view! {
                    <button type="button" class="button button-primary" id="add-user"
                        aria-expanded=move || adding.get().to_string()
                        on:click=move |_| adding.update(|a| *a = !*a)>
                        "+ " {t!(i18n, admin.new_user)}
                    </button>
                })}
            </div>
            <Show when=move || adding.get()>
                <NewUserForm site=site free=free open=adding />
            </Show>
            {shows_counters.then(|| view! {
                <Loaded load=counters quiet=true let:c><LicenceCounters counters=c /></Loaded>
            })}
            <div class="toolbar">
                <form class="search-form" role="search" on:submit=on_search.clone()>
                    <label for="user-search" class="visually-hidden">{t!(i18n, admin.search_users)}</label>
                    <input id="user-search" name="q" type="search" class="input-search"
                        placeholder=move || td_string!(i18n.get_locale(), admin.search_users)
                        prop:value=move || filter.get().search />
                    <button type="submit" class="button">{t!(i18n, admin.search)}</button>
                </form>
                <Loaded load=Lenient(properties) let:page>
                    {
                        let definitions = page.map(|p| p.definitions).unwrap_or_default();
                        (!definitions.is_empty()).then(|| view! {
                            <form class="search-form property-filter" id="property-filter" on:submit=on_property.clone()>
                                <label for="filter-property" class="visually-hidden">{t!(i18n, admin.filter_property)}</label>
                                <select id="filter-property" name="prop">
                                    <option value="">{t!(i18n, admin.filter_property_none)}</option>
                                    {definitions.into_iter().map(|d| {
                                        let key = d.key.clone();
                                        let value = d.key.clone();
                                        let selected = move || filter.get().property == key;
                                        let label = move || d.label(crate::locale_code(i18n.get_locale()));
                                        view! { <option value=value selected=selected>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <label for="filter-property-value" class="visually-hidden">{t!(i18n, admin.filter_property_value)}</label>
                                <input id="filter-property-value" name="pv" type="text" class="input-search"
                                    placeholder=move || td_string!(i18n.get_locale(), admin.filter_property_value)
                                    prop:value=move || filter.get().property_value />
                                <button type="submit" class="button">{t!(i18n, admin.filter_apply)}</button>
                            </form>
                        })
                    }
                </Loaded>
                <label class="switch-label">
                    <input type="checkbox" role="switch" id="include-subsites"
                        prop:checked=move || filter.get().include_subsites on:change=on_subsites />
                    <span>{t!(i18n, admin.include_subsites)}</span>
                </label>
            </div>
            <Loaded load=(users, Lenient(properties)) loading=true let:loaded>
                {
                    let (page, properties) = loaded;
                    let labels = properties.map(|p| p.definitions).unwrap_or_default();
                    view! { <UserTable page=page labels=labels filter=filter site=site can_manage=can_manage can_assign=can_assign can_assign_licences=can_assign_licences selection=selection /> }
                }
            </Loaded>
        </section>
    }
}

#[component]
fn UserTable(
    page: UserPage,
    labels: Vec<crate::api::properties::PropertyDef>,
    filter: Memo<UserFilter>,
    site: Uuid,
    can_manage: bool,
    can_assign: bool,
    can_assign_licences: bool,
    selection: Selection,
) -> impl IntoView {
    let i18n = use_i18n();
    let f = filter.get_untracked();
    let shows_licences = page.shows_licences;
    if page.rows.is_empty() {
        let searching = !f.search.is_empty() || !f.property_value.is_empty();
        return view! {
            <div class="empty-state" id="users-empty">
                <p>{if searching { t!(i18n, admin.no_users_match).into_any() } else { t!(i18n, admin.no_users).into_any() }}</p>
            </div>
        }
        .into_any();
    }
    let show_site = f.include_subsites;
    let shown_property = labels.into_iter().find(|d| d.key == f.property);
    let show_property = shown_property.is_some();
    let sort_link = move |key: &'static str| {
        let f = filter.get();
        let active = f.sort == key;
        let descending = active && !f.descending;
        let href = admin_href(
            site,
            &UserFilter {
                sort: key.into(),
                descending,
                ..f.first_page()
            },
        );
        let aria = active.then_some(if f.descending {
            "descending"
        } else {
            "ascending"
        });
        let arrow = if !active {
            "↕"
        } else if f.descending {
            "↓"
        } else {
            "↑"
        };
        (href, aria, arrow)
    };
    let header = move |key: &'static str, label: AnyView| {
        view! {
            <th scope="col" aria-sort=move || sort_link(key).1>
                <a class="sort-link" href=move || sort_link(key).0 data-sort=key>
                    {label} <span class="sort-arrow" aria-hidden="true">{move || sort_link(key).2}</span>
                </a>
            </th>
        }
    };
    let from = page.page * page.page_size + 1;
    let to = page.page * page.page_size + page.rows.len() as u64;
    // The count came with the page when it cost nothing more; else it is asked after it, from
    // the browser (the page does not wait for a count of a million matches).
    let known = page.count;
    let asked = known.is_none().then(|| {
        let f = filter.get_untracked();
        LocalResource::new(move || count_users(Some(site), f.clone()))
    });
    let count =
        Signal::derive(move || known.or_else(|| asked.and_then(|r| r.get()).and_then(Result::ok)));
    let total = Signal::derive(move || count.get().map_or(0, |c| c.total));
    let current = page.page;
    let page_size = page.page_size;
    let has_next = page.next.is_some();
    // Past the count's limit (or before it is known) the pager offers the next page.
    let pages = move || match count.get() {
        Some(c) if c.exact => c.total.div_ceil(page_size).max(1),
        Some(c) => c.total.div_ceil(page_size).max(current + 2),
        None => current + if has_next { 2 } else { 1 },
    };
    // The count in the reader's form; past the limit, "more than" it.
    let count_text = move |exact_key: &dyn Fn(Locale, String) -> String,
                           more_key: &dyn Fn(Locale, String) -> String| {
        let locale = i18n.get_locale();
        let c = count.get()?;
        let n = grouped(locale, c.total);
        Some(if c.exact {
            exact_key(locale, n)
        } else {
            more_key(locale, n)
        })
    };
    // The neighbour pages by their place in the list (found through the index however deep);
    // others by number.
    let places = StoredValue::new((page.next.clone(), page.previous.clone()));
    let page_href = move |n: u64| {
        let (after, before) = places.with_value(|(next, previous)| match (next, previous) {
            (Some(next), _) if n == current + 1 => (next.clone(), String::new()),
            (_, Some(previous)) if n + 1 == current => (String::new(), previous.clone()),
            _ => Default::default(),
        });
        admin_href(
            site,
            &UserFilter {
                page: n,
                after,
                before,
                ..filter.get()
            },
        )
    };
    let page_ids: Vec<Uuid> = page.rows.iter().map(|r| r.id).collect();
    let on_page = page_ids.len() as u64;
    let page_selected = {
        let ids = page_ids.clone();
        move || {
            selection.all_matching.get()
                || selection
                    .users
                    .with(|s| ids.iter().all(|id| s.contains(id)))
        }
    };
    let toggle_page = {
        let ids = page_ids.clone();
        move |ev| {
            let checked = event_target_checked(&ev);
            selection.all_matching.set(false);
            selection.users.update(|s| {
                for id in &ids {
                    if checked {
                        s.insert(*id);
                    } else {
                        s.remove(id);
                    }
                }
            });
        }
    };
    let offer_all = {
        let page_selected = page_selected.clone();
        move || {
            can_manage
                && count.get().is_some_and(|c| c.total > on_page)
                && page_selected()
                && !selection.all_matching.get()
        }
    };
    view! {
        {can_manage.then(|| view! { <BulkBar site=site selection=selection filter=filter total=total /> })}
        <Show when=offer_all.clone()>
            <p class="select-note" id="select-note">
                {move || td_string!(i18n.get_locale(), admin.page_selected, count = on_page).to_string()} " "
                <button type="button" class="link-button" id="select-all-matching"
                    on:click=move |_| selection.all_matching.set(true)>
                    {move || count_text(
                        &|l, n| td_string!(l, admin.select_all_matching, count = n).to_string(),
                        &|l, n| td_string!(l, admin.select_all_matching_more, count = n).to_string(),
                    )}
                </button>
            </p>
        </Show>
        <Show when=move || selection.all_matching.get()>
            <p class="select-note" id="all-matching-note">
                {move || count_text(
                    &|l, n| td_string!(l, admin.all_matching_selected, count = n).to_string(),
                    &|l, n| td_string!(l, admin.all_matching_selected_more, count = n).to_string(),
                )} " "
                <button type="button" class="link-button" on:click=move |_| selection.clear()>
                    {t!(i18n, admin.bulk_clear)}
                </button>
            </p>
        </Show>
        <div class="table-wrap">
            <table class="table" id="user-table">
                <thead>
                    <tr>
                        {can_manage.then(|| view! {
                            <th scope="col" class="select-cell">
                                <input type="checkbox" id="select-page"
                                    aria-label=move || td_string!(i18n.get_locale(), admin.select_page)
                                    prop:checked=page_selected.clone() on:change=toggle_page.clone() />
                            </th>
                        })}
                        {header("name", t!(i18n, admin.col_name).into_any())}
                        {header("username", t!(i18n, admin.col_username).into_any())}
                        {show_site.then(|| view! { <th scope="col">{t!(i18n, admin.col_site)}</th> })}
                        {shown_property.map(|d| {
                            let label = move || d.label(crate::locale_code(i18n.get_locale()));
                            header("property", view! { {label} }.into_any())
                        })}
                        {shows_licences.then(|| view! { <th scope="col">{t!(i18n, admin.col_licence)}</th> })}
                        {header("created", t!(i18n, admin.col_created).into_any())}
                        <th scope="col" class="active-cell">{t!(i18n, admin.col_active)}</th>
                        {(can_manage || can_assign).then(|| view! { <th scope="col" class="actions"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| view! {
                        <UserRowView row=row show_site=show_site show_property=show_property can_manage=can_manage can_assign=can_assign shows_licence=shows_licences can_assign_licence=can_assign_licences selection=selection />
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="table-footer">
            <p class="muted" id="user-count" aria-live="polite" aria-busy=move || count.get().is_none().then_some("true")>
                {move || count_text(
                    &|l, n| td_string!(l, admin.showing, from = from, to = to, total = n).to_string(),
                    &|l, n| td_string!(l, admin.showing_more, from = from, to = to, total = n).to_string(),
                ).unwrap_or_else(|| td_string!(i18n.get_locale(), admin.showing_counting, from = from, to = to).to_string())}
            </p>
            {move || view! { <Pager current=current pages=pages() href=page_href /> }}
        </div>
    }
    .into_any()
}

/// Valid unused of total, upcoming, users without a licence (as Sociel shows them).
#[component]
fn LicenceCounters(counters: crate::api::users::LicenceCounters) -> impl IntoView {
    let i18n = use_i18n();
    let c = counters;
    view! {
        <dl class="licence-counters" id="licence-counters">
            <div>
                <dt>{t!(i18n, admin.licences_free)}</dt>
                <dd id="licences-free">{move || td_string!(i18n.get_locale(), admin.licences_free_of, free = c.valid_unused, total = c.valid_total).to_string()}</dd>
            </div>
            <div>
                <dt>{t!(i18n, admin.licences_upcoming)}</dt>
                <dd id="licences-upcoming">{c.upcoming}</dd>
            </div>
            <div>
                <dt>{t!(i18n, admin.users_without_licence)}</dt>
                <dd id="users-without-licence">{c.without_licence}</dd>
            </div>
        </dl>
    }
}
