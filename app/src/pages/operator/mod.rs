//! The operator's pages, one per task (customers, renewals, usage, subscriptions, catalogue,
//! announcements, inbox, outgoing mail), each under the same navigation.
pub mod announcements;
pub mod codes;
pub mod customer;
pub mod customers;
pub mod inbox;
pub mod insights;
pub mod outbox;
pub mod products;
pub mod renewals;
pub mod subscriptions;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::page_shell::PageShell;
use crate::i18n::*;

/// The operator's tasks, as the navigation lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Customers,
    Renewals,
    Insights,
    Subscriptions,
    Catalogue,
    Announcements,
    Inbox,
    Outbox,
}

impl Task {
    const ALL: [Task; 8] = [
        Task::Customers,
        Task::Renewals,
        Task::Insights,
        Task::Subscriptions,
        Task::Catalogue,
        Task::Announcements,
        Task::Inbox,
        Task::Outbox,
    ];

    fn href(self) -> &'static str {
        match self {
            Task::Customers => "/operator",
            Task::Renewals => "/operator/renewals",
            Task::Insights => "/operator/insights",
            Task::Subscriptions => "/operator/subscriptions",
            Task::Catalogue => "/operator/catalogue",
            Task::Announcements => "/operator/announcements",
            Task::Inbox => "/operator/inbox",
            Task::Outbox => "/operator/outbox",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Task::Customers => "operator-nav-customers",
            Task::Renewals => "operator-nav-renewals",
            Task::Insights => "operator-nav-insights",
            Task::Subscriptions => "operator-nav-subscriptions",
            Task::Catalogue => "operator-nav-catalogue",
            Task::Announcements => "operator-nav-announcements",
            Task::Inbox => "operator-nav-inbox",
            Task::Outbox => "operator-nav-outbox",
        }
    }

    fn label(self, locale: Locale) -> &'static str {
        match self {
            Task::Customers => td_string!(locale, operator.nav_customers),
            Task::Renewals => td_string!(locale, operator.nav_renewals),
            Task::Insights => td_string!(locale, usage.nav_insights),
            Task::Subscriptions => td_string!(locale, operator.subscriptions),
            Task::Catalogue => td_string!(locale, operator.nav_catalogue),
            Task::Announcements => td_string!(locale, operator.announcements_title),
            Task::Inbox => td_string!(locale, operator.nav_inbox),
            Task::Outbox => td_string!(locale, operator.outbox),
        }
    }
}

/// An operator's page: its title, the tasks' navigation (the current one marked), its content.
#[component]
pub fn OperatorArea(task: Task, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || format!("{} – Licentia", task.label(i18n.get_locale())) />
        <PageShell>
            <nav class="tabs operator-nav" aria-label=move || td_string!(i18n.get_locale(), operator.nav_label)>
                {Task::ALL.into_iter().map(|t| view! {
                    <a href=t.href() id=t.id() aria-current=(t == task).then_some("page")>
                        {move || t.label(i18n.get_locale())}
                    </a>
                }).collect_view()}
            </nav>
            <h1 class="visually-hidden">{move || task.label(i18n.get_locale())}</h1>
            <div class="operator-layout">{children()}</div>
        </PageShell>
    }
}

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    view! {
        <OperatorArea task=Task::Subscriptions>
            <subscriptions::Subscriptions />
        </OperatorArea>
    }
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    view! {
        <OperatorArea task=Task::Catalogue>
            <products::Products />
            <codes::ActivationCodes />
        </OperatorArea>
    }
}

#[component]
pub fn AnnouncementsPage() -> impl IntoView {
    view! {
        <OperatorArea task=Task::Announcements>
            <announcements::Announcements />
        </OperatorArea>
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    view! {
        <OperatorArea task=Task::Inbox>
            <inbox::PurchaseInbox />
            <inbox::InstitutionLinks />
        </OperatorArea>
    }
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    view! {
        <OperatorArea task=Task::Outbox>
            <outbox::Outbox />
        </OperatorArea>
    }
}
