//! A site chosen by typing part of its name: a combobox (WAI-ARIA "list autocomplete") whose
//! list the server fills (`search_sites`: at most 50 sites in the reader's reach, or in one
//! site's subtree, each with its path), so it costs the same with five sites or fifty thousand.
//! Arrow keys move through the list, Enter chooses, Escape closes it and keeps the choice.
use leptos::prelude::*;
use uuid::Uuid;

use super::in_browser::in_browser;
use crate::api::outline::{search_sites, FoundSite};
use crate::i18n::*;

#[component]
pub fn SitePicker(
    /// The input's id (the page's `<label for>` names it).
    id: &'static str,
    /// The chosen site.
    chosen: RwSignal<Option<Uuid>>,
    /// The chosen site's name as shown (until the reader types).
    #[prop(optional, into)]
    initial: MaybeProp<String>,
    /// Only sites in this site's subtree.
    #[prop(optional)]
    within: Option<Uuid>,
    #[prop(optional)] described_by: Option<&'static str>,
    /// Sent with a form under this name (the chosen site's id, empty for none).
    #[prop(optional)]
    name: Option<&'static str>,
    /// Whether emptying the field chooses no site (a filter's "all sites").
    #[prop(optional)]
    clearable: bool,
    /// Shown while the field is empty (by default: "Type part of a site's name").
    #[prop(optional, into)]
    placeholder: Option<Signal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let text = RwSignal::new(initial.get_untracked().unwrap_or_default());
    let shown = StoredValue::new(text.get_untracked());
    Effect::new(move |_| {
        let name = initial.get().unwrap_or_default();
        shown.set_value(name.clone());
        if !open.get_untracked() {
            text.set(name);
        }
    });
    let active = RwSignal::new(None::<usize>);
    let list_id = format!("{id}-list");
    let found = in_browser(
        move || (text.get(), open.get()),
        move |(typed, asked)| async move {
            if !asked || typed.trim().is_empty() {
                return Some(Vec::new());
            }
            search_sites(typed, within).await.ok()
        },
    );
    let results = move || found.get().flatten().unwrap_or_default();
    let choose = move |site: &FoundSite| {
        chosen.set(Some(site.node.node.id));
        text.set(site.node.node.name.clone());
        shown.set_value(site.node.node.name.clone());
        open.set(false);
        active.set(None);
    };
    let option_id = move |i: usize| format!("{id}-option-{i}");
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = results().len();
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                open.set(true);
                if count > 0 {
                    active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
                }
            }
            "ArrowUp" => {
                ev.prevent_default();
                if count > 0 {
                    active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
                }
            }
            "Enter" if open.get_untracked() => {
                // Choosing, not sending the form around it.
                ev.prevent_default();
                if let Some(site) = active
                    .get_untracked()
                    .and_then(|i| results().into_iter().nth(i))
                {
                    choose(&site);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                ev.stop_propagation();
                open.set(false);
                active.set(None);
                text.set(shown.get_value());
            }
            _ => {}
        }
    };
    let expanded = move || open.get() && !text.with(|t| t.trim().is_empty());
    view! {
        <div class="site-picker">
            <input
                id=id
                type="text"
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || expanded().to_string()
                aria-activedescendant=move || active.get().filter(|_| expanded()).map(option_id)
                aria-describedby=described_by
                placeholder=move || match placeholder {
                    Some(text) => text.get(),
                    None => td_string!(i18n.get_locale(), admin.type_site_name).to_string(),
                }
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    open.set(true);
                    active.set(None);
                }
                on:keydown=keydown
                on:blur=move |_| {
                    open.set(false);
                    if clearable && text.with_untracked(|t| t.trim().is_empty()) {
                        chosen.set(None);
                        shown.set_value(String::new());
                    }
                    text.set(shown.get_value());
                }
            />
            {name.map(|name| view! {
                <input type="hidden" name=name prop:value=move || chosen.get().map(|s| s.to_string()).unwrap_or_default() />
            })}
            <ul id=list_id role="listbox" class="site-picker-list" hidden=move || !expanded()
                aria-label=move || td_string!(i18n.get_locale(), admin.search_sites)>
                {move || {
                    let found = found.get().flatten();
                    match found {
                        None => view! { <li class="muted" role="presentation">{t!(i18n, common.loading)}</li> }.into_any(),
                        Some(list) if list.is_empty() => view! {
                            <li class="muted" role="presentation">{t!(i18n, admin.no_sites_match)}</li>
                        }.into_any(),
                        Some(list) => list.into_iter().enumerate().map(|(i, site)| {
                            let path = site.path.join(" › ");
                            let name = site.node.node.name.clone();
                            let site_id = site.node.node.id;
                            let seats = format!("{}/{}", site.node.node.used_seats, site.node.node.seat_limit);
                            view! {
                                <li id=option_id(i) role="option" class="site-picker-option"
                                    class:active=move || active.get() == Some(i)
                                    aria-selected=move || (chosen.get() == Some(site_id)).to_string()
                                    data-site=name.clone()
                                    // Before the input's blur closes the list.
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        choose(&site);
                                    }>
                                    <span class="site-picker-name">{name.clone()}
                                        <span class="seat-count">{seats.clone()}</span>
                                    </span>
                                    {(!path.is_empty()).then(|| view! { <small class="tree-path">{path}</small> })}
                                </li>
                            }
                        }).collect_view().into_any(),
                    }
                }}
            </ul>
        </div>
    }
}
