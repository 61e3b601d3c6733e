//! The structure tree as the WAI-ARIA tree pattern (a navigation tree): each site a link with
//! the role `treeitem`, its children a `group` that loads when the site opens. Arrow keys move
//! and open (right) or close and climb (left), Home and End go to the first and last site, a
//! letter goes to the next site starting with it, Enter selects. Only the open sites' children
//! are ever loaded (`domain::sites::outline`).
use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::site_href;
use crate::api::outline::{site_children, Children, Outline, OutlineNode};
use crate::api::users::UserFilter;
use crate::i18n::*;

/// What the tree knows and shows: the children loaded so far (by parent) and the open sites.
#[derive(Clone, Copy)]
struct TreeState {
    loaded: RwSignal<HashMap<Uuid, Children>>,
    open: RwSignal<HashSet<Uuid>>,
    /// Sites whose children are being loaded.
    loading: RwSignal<HashSet<Uuid>>,
    selected: Signal<Option<Uuid>>,
    filter: Memo<UserFilter>,
}

impl TreeState {
    fn toggle(self, id: Uuid) {
        if self.open.with_untracked(|o| o.contains(&id)) {
            self.open.update(|o| {
                o.remove(&id);
            });
        } else {
            self.open.update(|o| {
                o.insert(id);
            });
            if !self.loaded.with_untracked(|l| l.contains_key(&id)) {
                self.load(id, 0);
            }
        }
    }

    /// Loads a site's children from `offset` on (the first page, or "more").
    fn load(self, id: Uuid, offset: u64) {
        if self.loading.with_untracked(|l| l.contains(&id)) {
            return;
        }
        self.loading.update(|l| {
            l.insert(id);
        });
        spawn_local(async move {
            let result = site_children(id, offset).await;
            self.loading.update(|l| {
                l.remove(&id);
            });
            if let Ok(page) = result {
                self.loaded.update(|l| {
                    let entry = l.entry(id).or_default();
                    if offset == 0 {
                        *entry = page;
                    } else {
                        let known: HashSet<Uuid> = entry.nodes.iter().map(|n| n.node.id).collect();
                        entry.nodes.extend(
                            page.nodes
                                .into_iter()
                                .filter(|n| !known.contains(&n.node.id)),
                        );
                        entry.more = page.more;
                    }
                });
            }
        });
    }
}

#[component]
pub fn TreeView(
    outline: Outline,
    #[prop(into)] selected: Signal<Option<Uuid>>,
    filter: Memo<UserFilter>,
    /// Set when Enter selected a site: the tree that replaces this one (the new site's way)
    /// gives the focus back to it.
    refocus: StoredValue<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| {
        if refocus.get_value() {
            refocus.set_value(false);
            // After the frame: the new tree replaces the old one once it has rendered.
            request_animation_frame(|| {
                if let Ok(Some(item)) = document().query_selector("#site-tree [aria-current=page]")
                {
                    use wasm_bindgen::JsCast;
                    if let Ok(item) = item.dyn_into::<web_sys::HtmlElement>() {
                        let _ = item.focus();
                    }
                }
            });
        }
    });
    let open: HashSet<Uuid> = outline.open.iter().map(|(id, _)| *id).collect();
    let loaded: HashMap<Uuid, Children> = outline.open.into_iter().collect();
    let state = TreeState {
        loaded: RwSignal::new(loaded),
        open: RwSignal::new(open),
        loading: RwSignal::new(HashSet::new()),
        selected,
        filter,
    };
    let roots = outline.roots;
    if roots.nodes.is_empty() {
        return view! { <p class="empty">{t!(i18n, admin.no_sites)}</p> }.into_any();
    }
    let first = roots.nodes.first().map(|n| n.node.id);
    let more_roots = roots.more;
    view! {
        <ul class="tree" role="tree" id="site-tree"
            aria-label=move || td_string!(i18n.get_locale(), admin.structure)
            on:keydown=on_tree_key(state, refocus)>
            {roots.nodes.into_iter().map(|n| view! { <TreeNode node=n level=1 state=state first=first /> }).collect_view()}
        </ul>
        {more_roots.then(|| view! {
            <p class="muted tree-more-note" id="tree-more-roots">{t!(i18n, admin.tree_more_roots)}</p>
        })}
    }
    .into_any()
}

#[component]
fn TreeNode(node: OutlineNode, level: u32, state: TreeState, first: Option<Uuid>) -> AnyView {
    let i18n = use_i18n();
    let id = node.node.id;
    let has_children = node.children > 0;
    let href = move || state.filter.with(|f| site_href(id, f));
    let is_selected = move || state.selected.get() == Some(id);
    // One site takes the Tab key: the selected one, else the first.
    let tab_index = move || {
        let selected = state.selected.get();
        let takes = selected == Some(id) || (selected.is_none() && first == Some(id));
        if takes {
            "0"
        } else {
            "-1"
        }
    };
    // Each node follows only its own state: a memo changes (and re-renders) only when this
    // node opens or its children load, so the focused site is never rendered anew.
    let is_open = Memo::new(move |_| state.open.with(|o| o.contains(&id)));
    let mine = Memo::new(move |_| state.loaded.with(|l| l.get(&id).cloned()));
    let expanded = move || has_children.then(|| is_open.get().to_string());
    let archived = node.node.archived;
    let full = node.node.used_seats >= node.node.seat_limit && !archived;
    let counts = format!("{}/{}", node.node.used_seats, node.node.seat_limit);
    let name = node.node.name.clone();
    let children = move || {
        if !has_children || !is_open.get() {
            return None;
        }
        Some(match mine.get() {
            Some(page) => {
                let more = page.more;
                let shown = page.nodes.len() as u64;
                view! {
                    <ul role="group">
                        {page.nodes.into_iter().map(|n| view! { <TreeNode node=n level=level + 1 state=state first=None /> }).collect_view()}
                        {more.then(|| view! {
                            <li role="none">
                                <button type="button" class="link-button tree-more"
                                    on:click=move |_| state.load(id, shown)>
                                    {t!(i18n, admin.tree_more)}
                                </button>
                            </li>
                        })}
                    </ul>
                }
                .into_any()
            }
            None => view! {
                <ul role="group"><li role="none" class="muted tree-loading">{t!(i18n, common.loading)}</li></ul>
            }
            .into_any(),
        })
    };
    view! {
        <li role="none">
            <a href=href class="tree-node" class:selected=is_selected role="treeitem"
                aria-current=move || is_selected().then_some("page")
                aria-selected=move || is_selected().to_string()
                aria-expanded=expanded attr:aria-level=level.to_string()
                tabindex=tab_index data-site=name.clone() data-id=id.to_string() title=name.clone()>
                {has_children.then(|| view! {
                    <span class="tree-toggle" aria-hidden="true" class:open=move || is_open.get()
                        on:click=move |ev| {
                            ev.prevent_default();
                            ev.stop_propagation();
                            state.toggle(id);
                        }>"▸"</span>
                })}
                <span class="tree-name" class:muted=archived>{name.clone()}</span>
                {if archived {
                    view! { <span class="seat-count archived">{t!(i18n, rollover.archived)}</span> }.into_any()
                } else {
                    view! { <span class="seat-count" class:full=full>{counts}</span> }.into_any()
                }}
            </a>
            {children}
        </li>
    }
    .into_any()
}

/// The tree's keys (WAI-ARIA tree pattern), on the visible tree items in their order.
fn on_tree_key(
    state: TreeState,
    refocus: StoredValue<bool>,
) -> impl Fn(leptos::ev::KeyboardEvent) + 'static {
    move |ev: leptos::ev::KeyboardEvent| {
        use wasm_bindgen::JsCast;
        let Some(tree) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let Ok(list) = tree.query_selector_all("[role=treeitem]") else {
            return;
        };
        let items: Vec<web_sys::HtmlElement> = (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect();
        let active = document().active_element();
        let Some(at) = items
            .iter()
            .position(|item| active.as_ref().is_some_and(|a| a.is_same_node(Some(item))))
        else {
            return;
        };
        let current = &items[at];
        let id = current
            .get_attribute("data-id")
            .and_then(|s| Uuid::parse_str(&s).ok());
        let expanded = current.get_attribute("aria-expanded");
        let focus = |index: usize| {
            if let Some(item) = items.get(index) {
                let _ = item.focus();
            }
        };
        let key = ev.key();
        match key.as_str() {
            // The link selects the site (the browser follows it); the next tree keeps the focus.
            "Enter" => {
                refocus.set_value(true);
                return;
            }
            "ArrowDown" => focus(at + 1),
            "ArrowUp" => focus(at.saturating_sub(1)),
            "Home" => focus(0),
            "End" => focus(items.len().saturating_sub(1)),
            "ArrowRight" => match (expanded.as_deref(), id) {
                (Some("false"), Some(id)) => state.toggle(id),
                (Some("true"), _) => focus(at + 1),
                _ => return,
            },
            "ArrowLeft" => match (expanded.as_deref(), id) {
                (Some("true"), Some(id)) => state.toggle(id),
                _ => {
                    // To the parent: the tree item of the group this one lies in.
                    let parent = current
                        .closest("[role=group]")
                        .ok()
                        .flatten()
                        .and_then(|group| group.parent_element())
                        .and_then(|li| li.query_selector(":scope > [role=treeitem]").ok().flatten())
                        .and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok());
                    match parent {
                        Some(p) => {
                            let _ = p.focus();
                        }
                        None => return,
                    }
                }
            },
            _ if key.chars().count() == 1 && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() => {
                // Type-ahead: the next site whose name starts with the letter.
                let letter = key.to_lowercase();
                let starts = |item: &web_sys::HtmlElement| {
                    item.get_attribute("data-site")
                        .is_some_and(|name| name.to_lowercase().starts_with(&letter))
                };
                let next = (1..=items.len())
                    .map(|step| (at + step) % items.len())
                    .find(|i| starts(&items[*i]));
                match next {
                    Some(i) => focus(i),
                    None => return,
                }
            }
            _ => return,
        }
        ev.prevent_default();
    }
}
