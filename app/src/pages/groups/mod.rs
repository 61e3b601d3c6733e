//! `/admin/groups`: dynamic groups (a rule over properties for the users of a site, what the
//! group grants, when it runs) with a preview of who matches, "run now" and removal; and
//! `/admin/properties`, the properties the rules are built on.
mod editor;
mod list;
pub mod properties;
mod tabs;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::groups::{load_groups_page, GroupRow};
use crate::components::loaded::Loaded;
use crate::components::page_shell::PageShell;
use crate::i18n::*;
use tabs::GroupTabs;
use wire::ConditionOp;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), groups.page_title) />
        <PageShell>
            <GroupTabs current="groups" />
            <GroupsContent />
        </PageShell>
    }
}

/// What the editor shows: nothing, a new group, or a saved one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Editing {
    Closed,
    New,
    Group(Box<GroupRow>),
}

#[component]
fn GroupsContent() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let editing = RwSignal::new(Editing::Closed);
    // Outside the list: they outlive the reload a run or a removal causes.
    let error = RwSignal::new(None::<crate::error::AppError>);
    let status = RwSignal::new(None::<String>);
    let page = Resource::new(move || version.get(), |_| load_groups_page(None));
    view! {
        <Loaded load=page loading=true let:data>
            {
                let data = StoredValue::new(data);
                view! {
                    <div class="groups-layout">
                        <list::GroupList data=data version=version editing=editing error=error status=status />
                        {move || match editing.get() {
                            Editing::Closed => None,
                            open => Some(view! {
                                <editor::GroupEditor data=data editing=open close=editing version=version />
                            }),
                        }}
                    </div>
                }.into_any()
            }
        </Loaded>
    }
}

/// An operator code as the rule editor and the list show it.
pub(crate) fn op_label(locale: Locale, op: ConditionOp) -> String {
    match op {
        ConditionOp::NotEquals => td_string!(locale, groups.op_not_equals),
        ConditionOp::Contains => td_string!(locale, groups.op_contains),
        ConditionOp::LessThan => td_string!(locale, groups.op_less_than),
        ConditionOp::GreaterThan => td_string!(locale, groups.op_greater_than),
        ConditionOp::IsSet => td_string!(locale, groups.op_is_set),
        ConditionOp::IsEmpty => td_string!(locale, groups.op_is_empty),
        ConditionOp::Equals => td_string!(locale, groups.op_equals),
    }
    .to_string()
}

pub(crate) fn schedule_label(locale: Locale, schedule: wire::Schedule) -> String {
    use wire::Schedule;
    match schedule {
        Schedule::Hourly => td_string!(locale, groups.schedule_hourly),
        Schedule::Manual => td_string!(locale, groups.schedule_manual),
        Schedule::Nightly => td_string!(locale, groups.schedule_nightly),
    }
    .to_string()
}
