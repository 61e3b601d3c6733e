//! The structure tree: every site with `used/max`, a search field, add and delete subsite.
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::{admin_href, new_site::NewSiteForm, use_admin};
use crate::api::sites::{delete_site, SiteDetails, SiteNode};
use crate::api::users::UserFilter;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::loaded::{Loaded, LoadedList};
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn SiteTree(
    tree: Resource<Result<Vec<SiteNode>, AppError>>,
    details: Resource<Result<SiteDetails, AppError>>,
    #[prop(into)] selected: Signal<Option<Uuid>>,
    filter: Memo<UserFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let search = RwSignal::new(String::new());
    let adding = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let navigate = use_navigate();
    let current = Signal::derive(move || details.get().and_then(|d| d.ok()));

    let do_delete = Callback::new(move |_| {
        let Some(d) = current.get_untracked() else {
            return;
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match delete_site(d.node.id).await {
                Ok(()) => {
                    ctx.done(
                        td_string!(i18n.get_locale_untracked(), admin.site_deleted).to_string(),
                    );
                    if let Some(parent) = d.node.parent_id {
                        navigate(
                            &admin_href(parent, &UserFilter::default()),
                            Default::default(),
                        );
                    }
                }
                Err(e) => ctx.failed(e),
            }
        });
    });

    view! {
        <div class="panel-head">
            <h2 id="structure-title">{t!(i18n, admin.structure)}</h2>
        </div>
        <div class="field field-compact">
            <label for="site-search" class="visually-hidden">{t!(i18n, admin.search_sites)}</label>
            <input id="site-search" type="search" class="input-search"
                placeholder=move || td_string!(i18n.get_locale(), admin.search_sites)
                on:input=move |ev| search.set(event_target_value(&ev)) prop:value=search />
        </div>
        <LoadedList load=tree loading=true quiet=true let:nodes
            empty=move || view! { <p class="empty">{t!(i18n, admin.no_sites)}</p> }>
            <TreeView nodes=nodes search=search selected=selected filter=filter />
        </LoadedList>
        <Loaded load=details quiet=true let:d>
            {(d.can_manage || d.can_delete).then(|| {
                let name = d.node.name.clone();
                let title = format!("{} – {name}", td_string!(i18n.get_locale_untracked(), admin.delete_subsite));
                view! {
                    <div class="tree-actions">
                        {d.can_manage.then(|| view! {
                            <button type="button" class="button" id="add-subsite"
                                aria-expanded=move || adding.get().to_string()
                                on:click=move |_| adding.update(|a| *a = !*a)>
                                "+ " {t!(i18n, admin.new_subsite)}
                            </button>
                        })}
                        {(d.can_delete && !d.is_root).then(|| view! {
                            <button type="button" class="button button-danger-quiet" id="delete-subsite"
                                on:click=move |_| confirm_delete.set(true)>
                                {t!(i18n, admin.delete_subsite)}
                            </button>
                        })}
                    </div>
                    <Show when=move || adding.get()>
                        <NewSiteForm parent=d.node.id parent_name=name.clone() open=adding />
                    </Show>
                    <ConfirmDialog
                        open=confirm_delete
                        title=title.clone()
                        message=Signal::derive(move || td_string!(i18n.get_locale(), admin.confirm_delete_site).to_string())
                        confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), common.delete).to_string())
                        on_confirm=do_delete
                    />
                }
            })}
        </Loaded>
    }
}

#[component]
fn TreeView(
    nodes: Vec<SiteNode>,
    search: RwSignal<String>,
    selected: Signal<Option<Uuid>>,
    filter: Memo<UserFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ids: Vec<Uuid> = nodes.iter().map(|n| n.id).collect();
    let mut children: HashMap<Option<Uuid>, Vec<SiteNode>> = HashMap::new();
    for node in nodes {
        let parent = node.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(node);
    }
    let children = StoredValue::new(children);
    move || {
        let term = search.get().trim().to_lowercase();
        let roots = children.with_value(|c| c.get(&None).cloned().unwrap_or_default());
        let rendered: Vec<AnyView> = children.with_value(|c| {
            roots
                .iter()
                .filter_map(|n| render_node(n, c, &term, selected, filter))
                .collect()
        });
        if rendered.is_empty() {
            view! { <p class="empty">{t!(i18n, admin.no_sites_match)}</p> }.into_any()
        } else {
            view! { <ul class="tree" role="list">{rendered}</ul> }.into_any()
        }
    }
}

/// A node and the part of its subtree that matches the search (None when nothing does).
fn render_node(
    node: &SiteNode,
    children: &HashMap<Option<Uuid>, Vec<SiteNode>>,
    term: &str,
    selected: Signal<Option<Uuid>>,
    filter: Memo<UserFilter>,
) -> Option<AnyView> {
    let kids: Vec<AnyView> = children
        .get(&Some(node.id))
        .map(|list| {
            list.iter()
                .filter_map(|child| render_node(child, children, term, selected, filter))
                .collect()
        })
        .unwrap_or_default();
    let matches = term.is_empty() || node.name.to_lowercase().contains(term);
    if !matches && kids.is_empty() {
        return None;
    }
    let id = node.id;
    let href = move || {
        let f = filter.get();
        admin_href(
            id,
            &UserFilter {
                include_subsites: f.include_subsites,
                sort: f.sort,
                descending: f.descending,
                ..Default::default()
            },
        )
    };
    let is_selected = move || selected.get() == Some(id);
    let i18n = use_i18n();
    let archived = node.archived;
    let full = node.used_seats >= node.seat_limit && !archived;
    let counts = format!("{}/{}", node.used_seats, node.seat_limit);
    Some(
        view! {
            <li>
                <a href=href class="tree-node" class:selected=is_selected
                    aria-current=move || is_selected().then_some("page") data-site=node.name.clone()>
                    <span class="tree-name" class:muted=archived>{node.name.clone()}</span>
                    {if archived {
                        view! { <span class="seat-count archived">{t!(i18n, rollover.archived)}</span> }.into_any()
                    } else {
                        view! { <span class="seat-count" class:full=full>{counts}</span> }.into_any()
                    }}
                </a>
                {(!kids.is_empty()).then(|| view! { <ul role="list">{kids}</ul> })}
            </li>
        }
        .into_any(),
    )
}
