//! The two tabs of the groups area: dynamic groups and the properties they are built on.
use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn GroupTabs(current: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let here = move |tab: &'static str| (tab == current).then_some("page");
    view! {
        <nav class="tabs" aria-label=move || td_string!(i18n.get_locale(), groups.tabs_label)>
            <a href="/admin/groups" id="tab-groups" aria-current=here("groups")>{t!(i18n, groups.tab_groups)}</a>
            <a href="/admin/properties" id="tab-properties" aria-current=here("properties")>{t!(i18n, groups.tab_properties)}</a>
        </nav>
    }
}
