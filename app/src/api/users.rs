use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub active: bool,
    pub pending: Option<wire::Pending>,
    pub created_on: chrono::NaiveDate,
    pub site_id: Uuid,
    pub site_name: String,
    /// The value of the property chosen in the filter (empty: none chosen or no value).
    pub property_value: String,
    /// The licence and its day (none: not shown to this administrator).
    pub licence: Option<wire::LicenceState>,
    pub service_account: bool,
    /// The signed-in administrator's own row (nobody takes their own licence away).
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    /// Whether the Licence column is shown.
    pub shows_licences: bool,
    /// How many users match, when counting cost nothing more than the page (else the page
    /// asks `count_users`).
    pub count: Option<UserCount>,
    pub page: u64,
    pub page_size: u64,
    /// The place after the page's last row, when a page follows (the next page's `after`).
    pub next: Option<String>,
    /// The place before the page's first row, when a page precedes (the previous page's
    /// `before`).
    pub previous: Option<String>,
}

/// How many users a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCount {
    /// Counted up to `domain::users::COUNT_LIMIT` when the list is filtered.
    pub total: u64,
    /// False when more than `total` users match.
    pub exact: bool,
}

#[cfg(feature = "ssr")]
impl From<domain::users::Count> for UserCount {
    fn from(c: domain::users::Count) -> Self {
        UserCount {
            total: c.total,
            exact: c.exact,
        }
    }
}

/// The list's filter, as it stands in the page's query string.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserFilter {
    pub search: String,
    pub include_subsites: bool,
    /// `name`, `username` or `created`.
    pub sort: String,
    pub descending: bool,
    pub page: u64,
    /// A property key: its value is shown in a column, sortable (`sort = "property"`).
    #[serde(default)]
    pub property: String,
    /// Only users with this value of the property (text: containing it).
    #[serde(default)]
    pub property_value: String,
    /// The page after this place in the list (a neighbour page's link; faster than a number).
    #[serde(default)]
    pub after: String,
    /// The page before this place in the list.
    #[serde(default)]
    pub before: String,
}

#[cfg(feature = "ssr")]
impl From<domain::users::UserRow> for UserRow {
    fn from(r: domain::users::UserRow) -> Self {
        let pending = r.pending_state();
        UserRow {
            id: r.public_id,
            username: r.username,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email.unwrap_or_default(),
            active: r.active,
            pending,
            created_on: wire::time::local(r.created_at).date(),
            site_id: r.site_public_id,
            site_name: r.site_name,
            property_value: r.property_value.unwrap_or_default(),
            licence: None,
            service_account: r.service_account,
            is_me: false,
        }
    }
}

impl UserFilter {
    /// The same filter on its first page (a new search, order or site starts there).
    pub fn first_page(&self) -> UserFilter {
        UserFilter {
            page: 0,
            after: String::new(),
            before: String::new(),
            ..self.clone()
        }
    }
}

#[cfg(feature = "ssr")]
impl From<UserFilter> for domain::users::ListFilter {
    fn from(f: UserFilter) -> Self {
        domain::users::ListFilter {
            search: f.search,
            include_subsites: f.include_subsites,
            sort: f.sort,
            descending: f.descending,
            page: f.page,
            property: f.property,
            property_value: f.property_value,
            after: f.after,
            before: f.before,
        }
    }
}

#[server(endpoint = "list_users")]
pub async fn list_users(site: Option<Uuid>, filter: UserFilter) -> Result<UserPage, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let filter = domain::users::ListFilter::from(filter);
    let page = domain::users::page(&db, &principal, site, filter.into()).await?;
    let licences = page.licences;
    Ok(UserPage {
        shows_licences: licences.is_some(),
        rows: page
            .rows
            .into_iter()
            .map(|r| {
                let status = licences.as_ref().and_then(|l| l.get(&r.id)).copied();
                let is_me = principal.user_id() == Some(r.id);
                let mut row = UserRow::from(r);
                row.is_me = is_me;
                row.licence = status.map(Into::into);
                row
            })
            .collect(),
        count: page.count.map(Into::into),
        page: page.page,
        page_size: page.page_size,
        next: page.next.map(|c| c.encode()),
        previous: page.previous.map(|c| c.encode()),
    })
}

/// How many users the list holds (asked after the page when its count would cost more).
#[server(endpoint = "count_users")]
pub async fn count_users(site: Option<Uuid>, filter: UserFilter) -> Result<UserCount, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let filter = domain::users::ListFilter::from(filter);
    Ok(
        domain::users::count_users(&db, &principal, site, filter.into())
            .await?
            .into(),
    )
}

#[allow(clippy::too_many_arguments)] // a form: one argument per field
#[server(endpoint = "create_user")]
pub async fn create_user(
    site: Uuid,
    username: String,
    first_name: String,
    last_name: String,
    email: String,
    #[server(default)] password: String,
    #[server(default)] invite: bool,
    #[server(default)] must_change_password: bool,
    #[server(default)] locale: String,
) -> Result<UserRow, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::users::NewUserForm {
        username,
        first_name,
        last_name,
        email,
        password,
        invite,
        must_change_password,
        locale,
    };
    Ok(domain::users::create(&db, &principal, site, form)
        .await?
        .into())
}

#[server(endpoint = "set_user_active")]
pub async fn set_user_active(user: Uuid, active: bool) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::users::set_active(&db, &principal, user, active).await?)
}

#[server(endpoint = "delete_user")]
pub async fn delete_user(user: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::users::delete(&db, &principal, user).await?)
}

/// What a bulk action did: users changed (or queued), users left alone and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    pub changed: u64,
    /// (user, why not)
    pub skipped: Vec<(String, crate::error::Code)>,
    pub queued: bool,
}

/// Applies `action` (`activate`, `deactivate`, `expiry`, `move`, `delete`) to the chosen users,
/// or to every user matching the list's filter when `all_matching`.
#[allow(clippy::too_many_arguments)] // a form: one argument per field
#[server(endpoint = "bulk_users")]
pub async fn bulk_users(
    site: Uuid,
    users: Vec<Uuid>,
    all_matching: bool,
    filter: UserFilter,
    action: String,
    #[server(default)] date: String,
    #[server(default)] target: Option<Uuid>,
) -> Result<BulkResult, AppError> {
    use domain::users::{BulkAction, Selection};
    let (db, principal) = crate::ssr::principal().await?;
    let action = BulkAction::parse(&action, &date, target)?;
    let selection = if all_matching {
        Selection::matching(filter.into())
    } else {
        Selection::Users(users)
    };
    let report = domain::users::bulk(&db, &principal, site, selection, action).await?;
    Ok(BulkResult {
        changed: report.changed,
        skipped: report.skipped,
        queued: report.queued,
    })
}

/// The counters above the list: seats of valid subscriptions and how many are free, seats of
/// coming ones, and users of the site (with subsites) without a valid licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceCounters {
    pub valid_total: i64,
    pub valid_unused: i64,
    pub upcoming: i64,
    pub without_licence: u64,
}

#[server(endpoint = "licence_counters")]
pub async fn count_licences(site: Option<Uuid>) -> Result<LicenceCounters, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let today = wire::time::today();
    let c = domain::licences::counters(&db, &principal, site, today).await?;
    Ok(LicenceCounters {
        valid_total: c.valid_total,
        valid_unused: c.valid_unused,
        upcoming: c.upcoming,
        without_licence: c.without_licence,
    })
}

/// Gives the user a free licence; answers their new state.
#[server(endpoint = "assign_licence")]
pub async fn assign_licence(user: Uuid) -> Result<wire::LicenceState, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let today = wire::time::today();
    let status = domain::licences::assign(&db, &principal, user, today).await?;
    Ok(status.into())
}

/// Takes the user's current and coming licences away; answers their new state.
#[server(endpoint = "unassign_licence")]
pub async fn unassign_licence(user: Uuid) -> Result<wire::LicenceState, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let today = wire::time::today();
    domain::licences::unassign(&db, &principal, user, today).await?;
    let status = domain::licences::status_of(&db, &principal, user, today).await?;
    Ok(status.into())
}
