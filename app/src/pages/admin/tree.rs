//! The structure tree panel: the tree on demand (`tree_view`), the search through the server's
//! sites with their paths, add and delete subsite.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::{admin_href, new_site::NewSiteForm, site_href, use_admin};
use crate::api::outline::{search_sites, FoundSite, Outline};
use crate::api::sites::{delete_site, SiteDetails};
use crate::api::users::UserFilter;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::in_browser::in_browser;
use crate::components::loaded::Loaded;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn SiteTree(
    tree: Resource<Result<Outline, AppError>>,
    details: Resource<Result<SiteDetails, AppError>>,
    #[prop(into)] selected: Signal<Option<Uuid>>,
    filter: Memo<UserFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let search = RwSignal::new(String::new());
    let adding = RwSignal::new(false);
    let refocus = StoredValue::new(false);
    let confirm_delete = RwSignal::new(false);
    let navigate = use_navigate();
    let current = Signal::derive(move || details.get().and_then(|d| d.ok()));
    // The search runs on the server (bounded), from two characters on.
    let searching = move || search.with(|s| s.trim().chars().count() >= 2);
    let found = in_browser(
        move || search.get(),
        |text| async move {
            if text.trim().chars().count() < 2 {
                return None;
            }
            search_sites(text, None).await.ok()
        },
    );

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
        <div hidden=searching>
            <Loaded load=tree loading=true quiet=true let:outline>
                <super::tree_view::TreeView outline=outline selected=selected filter=filter refocus=refocus />
            </Loaded>
        </div>
        {move || searching().then(|| view! { <FoundSites found=found.get().flatten() filter=filter /> })}
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

/// The sites a search found, each with its path (top first), as links that select it.
#[component]
fn FoundSites(found: Option<Vec<FoundSite>>, filter: Memo<UserFilter>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(found) = found else {
        return view! { <p class="muted">{t!(i18n, common.loading)}</p> }.into_any();
    };
    if found.is_empty() {
        return view! { <p class="empty" id="no-sites-found">{t!(i18n, admin.no_sites_match)}</p> }
            .into_any();
    }
    view! {
        <ul class="tree tree-results" id="site-results" role="list">
            {found.into_iter().map(|f| {
                let id = f.node.node.id;
                let href = move || filter.with(|f| site_href(id, f));
                let node = f.node.node;
                let counts = format!("{}/{}", node.used_seats, node.seat_limit);
                let path = f.path.join(" › ");
                view! {
                    <li>
                        <a href=href class="tree-node" data-found=node.name.clone()>
                            <span class="tree-found">
                                <span class="tree-name">{node.name.clone()}</span>
                                {(!path.is_empty()).then(|| view! { <small class="tree-path">{path}</small> })}
                            </span>
                            <span class="seat-count">{counts}</span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
