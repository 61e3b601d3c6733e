//! The paged, sorted, searchable user list of a site (optionally with all its subsites).
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func, LikeExpr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, ExprTrait, FromQueryResult, JoinType, Order, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait, Select,
};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{site, user};
use crate::error::Result;
use crate::sites::resolve;
use crate::{Db, Principal};

pub const PAGE_SIZE: u64 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSort {
    #[default]
    Name,
    Username,
    Created,
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub search: String,
    pub include_subsites: bool,
    pub sort: UserSort,
    pub descending: bool,
    /// Zero-based.
    pub page: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct UserRow {
    pub id: i32,
    pub public_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub active: bool,
    /// Why the account cannot sign in yet: `verify`, `approval`.
    pub pending: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub personnel_number: Option<String>,
    pub locale: Option<String>,
    pub service_account: bool,
    pub created_at: DateTime<Utc>,
    pub site_public_id: Uuid,
    pub site_name: String,
    /// Rows matching the filter in all pages (a window count, so one statement a page).
    pub total: i64,
}

#[derive(Debug, Clone)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    /// Each row's licence (by user id), when the principal may view licences there.
    pub licences: Option<std::collections::HashMap<i32, crate::licences::Status>>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// Lists the users of a site the principal may view users of. The subtree filter is the
/// access filter: everything below a site the principal can see is theirs to see.
pub async fn list(
    db: &Db,
    principal: &Principal,
    site_id: Uuid,
    query: UserQuery,
) -> Result<UserPage> {
    let site = resolve(db, site_id).await?;
    access::require(principal, Operation::ListUsers, &site.scope)?;
    let rows = list_query(site.site.id, &query)
        .into_model::<UserRow>()
        .all(db.conn())
        .await?;
    let total = match rows.first() {
        Some(row) => u64::try_from(row.total).unwrap_or(0),
        None if query.page > 0 => {
            // Past the last page: count so the UI can step back.
            let first = UserQuery {
                page: 0,
                ..query.clone()
            };
            list_query(site.site.id, &first)
                .into_model::<UserRow>()
                .one(db.conn())
                .await?
                .map(|r| u64::try_from(r.total).unwrap_or(0))
                .unwrap_or(0)
        }
        None => 0,
    };
    let licences = if access::allows(principal, Operation::ViewLicences, &site.scope) {
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let today = chrono::Utc::now().date_naive();
        Some(crate::licences::statuses(db.conn(), &ids, today).await?)
    } else {
        None
    };
    Ok(UserPage {
        rows,
        licences,
        total,
        page: query.page,
        page_size: PAGE_SIZE,
    })
}

/// The one SQL statement behind a page of the list (also run bare by the benchmark).
pub fn list_query(site_id: i32, query: &UserQuery) -> Select<user::Entity> {
    filtered_query(site_id, query)
        .limit(PAGE_SIZE)
        .offset(query.page.saturating_mul(PAGE_SIZE))
}

/// Every user matching the filter, sorted, not paged (the list's pages, the export).
pub fn filtered_query(site_id: i32, query: &UserQuery) -> Select<user::Entity> {
    let placement = if query.include_subsites {
        Condition::all().add(user::Column::SiteId.in_subquery(crate::sites::subtree([site_id])))
    } else {
        Condition::all().add(user::Column::SiteId.eq(site_id))
    };
    let mut select = user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::PublicId,
            user::Column::Username,
            user::Column::FirstName,
            user::Column::LastName,
            user::Column::Email,
            user::Column::Active,
            user::Column::Pending,
            user::Column::ExpiresOn,
            user::Column::PersonnelNumber,
            user::Column::Locale,
            user::Column::ServiceAccount,
            user::Column::CreatedAt,
        ])
        .column_as(site::Column::PublicId, "site_public_id")
        .column_as(site::Column::Name, "site_name")
        .column_as(Expr::cust("COUNT(*) OVER ()"), "total")
        .join(JoinType::InnerJoin, user::Relation::Site.def())
        .filter(placement);
    if let Some(pattern) = crate::validate::contains_pattern(&query.search) {
        let like = |col: user::Column| -> SimpleExpr {
            Func::lower(Expr::col((user::Entity, col)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(like(user::Column::Username))
                .add(like(user::Column::FirstName))
                .add(like(user::Column::LastName))
                .add(like(user::Column::Email)),
        );
    }
    let order = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    select = match query.sort {
        UserSort::Name => select
            .order_by(user::Column::LastName, order.clone())
            .order_by(user::Column::FirstName, order.clone()),
        UserSort::Username => select.order_by(user::Column::Username, order.clone()),
        UserSort::Created => select.order_by(user::Column::CreatedAt, order.clone()),
    };
    select.order_by(user::Column::Id, order)
}
