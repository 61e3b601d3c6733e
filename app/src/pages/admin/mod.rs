//! The administrator page: the structure tree on the left, the selected site's information
//! and its user list on the right. All state that matters sits in the query string, so a
//! reload or a shared link shows the same view.
mod app_sessions_dialog;
mod approvals;
mod bulk_bar;
mod factor_policy;
mod federation_form;
mod federations;
mod grant_dialog;
mod links_dialog;
mod move_dialog;
mod new_site;
mod new_user;
mod properties_dialog;
mod registration_form;
mod site_info;
mod subscriptions;
mod tree;
mod tree_view;
mod user_list;
mod user_row;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::outline::site_outline;
use crate::api::sites::load_site_details;
use crate::api::users::{list_users, UserFilter};
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::components::page_shell::PageShell;
use crate::error::AppError;
use crate::i18n::*;

/// What the selected site's panels show, loaded by the page (see `AdminContent`).
#[derive(Clone, Copy)]
struct SiteLoads {
    subscriptions: Resource<Result<Vec<crate::api::subscriptions::OrgSubscription>, AppError>>,
    approvals: Resource<Result<Vec<crate::api::onboarding::PendingUser>, AppError>>,
    counters: Resource<Result<crate::api::users::LicenceCounters, AppError>>,
    properties: Resource<Result<crate::api::properties::PropertiesPage, AppError>>,
}

/// Shared by the parts of the page: bump `version` after a write to reload everything.
#[derive(Clone, Copy)]
pub struct AdminCtx {
    pub version: RwSignal<u32>,
    pub notice: RwSignal<Option<String>>,
    pub error: RwSignal<Option<AppError>>,
    /// Whether the add-user form is open (kept across reloads of the list).
    pub adding_user: RwSignal<bool>,
}

impl AdminCtx {
    pub fn reload(&self) {
        self.version.update(|v| *v += 1);
    }

    pub fn done(&self, notice: String) {
        self.error.set(None);
        self.notice.set(Some(notice));
        self.reload();
    }

    pub fn failed(&self, error: AppError) {
        self.notice.set(None);
        self.error.set(Some(error));
    }
}

pub fn use_admin() -> AdminCtx {
    use_context::<AdminCtx>().unwrap_or(AdminCtx {
        version: RwSignal::new(0),
        notice: RwSignal::new(None),
        error: RwSignal::new(None),
        adding_user: RwSignal::new(false),
    })
}

/// The page's address for another site, keeping how the list is shown (subsites, sort) but
/// not what it was searched or filtered for (the tree's and the site search's links).
pub fn site_href(site: Uuid, filter: &UserFilter) -> String {
    admin_href(
        site,
        &UserFilter {
            include_subsites: filter.include_subsites,
            sort: filter.sort.clone(),
            descending: filter.descending,
            ..Default::default()
        },
    )
}

/// The page's address for a site and a list filter.
pub fn admin_href(site: Uuid, filter: &UserFilter) -> String {
    let mut href = format!("/admin?site={site}");
    if filter.include_subsites {
        href.push_str("&all=1");
    }
    if !filter.search.is_empty() {
        href.push_str("&q=");
        href.push_str(&crate::url::encode(&filter.search));
    }
    if !filter.sort.is_empty() && filter.sort != "name" {
        href.push_str("&sort=");
        href.push_str(&filter.sort);
    }
    if filter.descending {
        href.push_str("&desc=1");
    }
    if !filter.property.is_empty() {
        href.push_str("&prop=");
        href.push_str(&crate::url::encode(&filter.property));
        if !filter.property_value.is_empty() {
            href.push_str("&pv=");
            href.push_str(&crate::url::encode(&filter.property_value));
        }
    }
    if filter.page > 0 {
        href.push_str(&format!("&page={}", filter.page + 1));
    }
    if !filter.after.is_empty() {
        href.push_str("&after=");
        href.push_str(&crate::url::encode(&filter.after));
    } else if !filter.before.is_empty() {
        href.push_str("&before=");
        href.push_str(&crate::url::encode(&filter.before));
    }
    href
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), admin.page_title) />
        <PageShell>
            <AdminContent />
        </PageShell>
    }
}

#[component]
fn AdminContent() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = AdminCtx {
        version: RwSignal::new(0),
        notice: RwSignal::new(None),
        error: RwSignal::new(None),
        adding_user: RwSignal::new(false),
    };
    provide_context(ctx);
    let query = use_query_map();
    let requested_site = Memo::new(move |_| {
        query
            .read()
            .get("site")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let filter = Memo::new(move |_| {
        let q = query.read();
        UserFilter {
            search: q.get("q").unwrap_or_default(),
            include_subsites: q.get("all").as_deref() == Some("1"),
            sort: q.get("sort").unwrap_or_else(|| "name".into()),
            descending: q.get("desc").as_deref() == Some("1"),
            page: q
                .get("page")
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(1)
                .saturating_sub(1),
            property: q.get("prop").unwrap_or_default(),
            property_value: q.get("pv").unwrap_or_default(),
            after: q.get("after").unwrap_or_default(),
            before: q.get("before").unwrap_or_default(),
        }
    });
    // Messages belong to the site they were about.
    Effect::new(move |_| {
        requested_site.track();
        ctx.notice.set(None);
        ctx.error.set(None);
    });
    // The tree on demand: the top of the reach and the way down to the selected site.
    let tree = Resource::new(
        move || (requested_site.get(), ctx.version.get()),
        |(site, _)| site_outline(site),
    );
    let details = Resource::new(
        move || (requested_site.get(), ctx.version.get()),
        |(site, _)| load_site_details(site),
    );
    let users = Resource::new(
        move || (requested_site.get(), filter.get(), ctx.version.get()),
        |(site, filter, _)| list_users(site, filter),
    );
    // Every resource of the page is made here, before any Suspend: the server may build a
    // Suspend's content more than once (its dry runs, as many as timing gives), so a resource
    // made inside one gets another number on the server than in the browser, which then finds
    // no data under its number, shows "Loading…" where the server showed the list, and stops
    // with a hydration error.
    let loads = SiteLoads {
        subscriptions: Resource::new(
            move || (requested_site.get(), ctx.version.get()),
            |(site, _)| crate::api::subscriptions::organisation_subscriptions(site),
        ),
        approvals: Resource::new(
            move || (requested_site.get(), ctx.version.get()),
            |(site, _)| crate::api::onboarding::pending_users(site),
        ),
        counters: Resource::new(
            move || (requested_site.get(), ctx.version.get()),
            |(site, _)| crate::api::users::count_licences(site),
        ),
        properties: Resource::new(
            move || requested_site.get(),
            crate::api::properties::load_properties_page,
        ),
    };
    let selected = Signal::derive(move || {
        requested_site
            .get()
            .or_else(|| details.get().and_then(|d| d.ok()).map(|d| d.node.id))
    });

    view! {
        <div class="admin-layout">
            <aside class="panel tree-panel" aria-labelledby="structure-title">
                <tree::SiteTree tree=tree details=details selected=selected filter=filter />
            </aside>
            <div class="admin-main">
                <ErrorMessage error=ctx.error />
                <StatusMessage text=ctx.notice />
                <Transition fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                    // Own Suspend: a refusal here is the page's answer (the message with a hint to pick a
                    // site), and "signed out" shows nothing while the shell redirects.
                    {move || Suspend::new(async move {
                        match details.await {
                            Ok(d) => view! {
                                <site_info::SiteInfo details=d.clone() />
                                {d.can_claim_subscription.then(|| view! { <subscriptions::OrgSubscriptions site=d.node.id list=loads.subscriptions /> })}
                                {d.can_manage_sign_in.then(|| view! { <factor_policy::FactorPolicyPanel site=d.node.id /> })}
                                {d.can_manage_sign_in.then(|| view! { <federations::FederationsPanel site=d.node.id /> })}
                                <approvals::Approvals pending=loads.approvals can_decide=d.can_manage_users />
                                <user_list::UserList details=d users=users counters=loads.counters properties=loads.properties filter=filter />
                            }.into_any(),
                            Err(e) if e.is(crate::error::Code::Unauthenticated) => ().into_any(),
                            Err(e) => view! {
                                <section class="panel empty-state">
                                    <ErrorMessage error=Signal::stored(Some(e)) />
                                    <p>{t!(i18n, admin.select_site)}</p>
                                </section>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}
