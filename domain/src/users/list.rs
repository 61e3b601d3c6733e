//! The paged, sorted, searchable user list of a site (optionally with all its subsites).
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func, LikeExpr, NullOrdering, SimpleExpr};
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
    /// By the value of the property named in `UserQuery::sort_key`.
    Property,
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub search: String,
    pub include_subsites: bool,
    pub sort: UserSort,
    pub descending: bool,
    /// Zero-based.
    pub page: u64,
    /// Only users whose property (by key) has this value: text properties contain it (in any
    /// case), other types equal it.
    pub property: Option<(String, String)>,
    /// The property key the list is sorted by (with `UserSort::Property`) and whose value
    /// the list shows.
    pub sort_key: String,
}

/// The user list's filter as the page (and its export link) names it, before its rules.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub search: String,
    pub include_subsites: bool,
    /// `username`, `created` or `property`; anything else sorts by name.
    pub sort: String,
    pub descending: bool,
    pub page: u64,
    /// The property key shown (and sorted by, with `sort = "property"`).
    pub property: String,
    /// The value the shown property must have (ignored when empty).
    pub property_value: String,
}

impl ListFilter {
    /// The property filter (key, value): only with both a property and a value.
    pub(crate) fn property_filter(&self) -> Option<(String, String)> {
        (!self.property.is_empty() && !self.property_value.trim().is_empty())
            .then(|| (self.property.clone(), self.property_value.clone()))
    }
}

impl From<ListFilter> for UserQuery {
    /// Sorting by property needs a property; filtering by one needs a value as well.
    fn from(f: ListFilter) -> Self {
        let property = f.property_filter();
        UserQuery {
            search: f.search,
            include_subsites: f.include_subsites,
            sort: match f.sort.as_str() {
                "username" => UserSort::Username,
                "created" => UserSort::Created,
                "property" if !f.property.is_empty() => UserSort::Property,
                _ => UserSort::Name,
            },
            descending: f.descending,
            page: f.page,
            property,
            sort_key: f.property,
        }
    }
}

/// The properties a query names, checked against the organisation's definitions.
#[derive(Debug, Clone, Default)]
pub struct PropertyParts {
    pub filter: Vec<crate::properties::filter::Checked>,
    /// The shown (and maybe sorted by) property: its id and type.
    pub shown: Option<(i32, crate::properties::Kind)>,
}

impl PropertyParts {
    /// Checks the query's property filter and shown property in the organisation of `site`.
    pub async fn of(
        db: &Db,
        scope: &crate::access::SiteScope,
        query: &UserQuery,
    ) -> Result<PropertyParts> {
        if query.property.is_none() && query.sort_key.is_empty() {
            return Ok(PropertyParts::default());
        }
        let root = scope.root_id().ok_or(crate::Error::NotFound)?;
        let definitions = crate::properties::of_organisation(db.conn(), root).await?;
        let filter = match &query.property {
            Some((key, value)) => {
                use crate::properties::filter::{check, Condition, Op};
                let text = definitions
                    .iter()
                    .any(|d| &d.key == key && d.kind == crate::properties::Kind::Text.as_str());
                let condition = Condition {
                    key: key.clone(),
                    op: if text { Op::Contains } else { Op::Equals },
                    value: value.clone(),
                };
                check(&[condition], &definitions)?
            }
            None => Vec::new(),
        };
        let shown = definitions
            .iter()
            .find(|d| d.key == query.sort_key)
            .map(|d| {
                (
                    d.id,
                    crate::properties::Kind::parse(&d.kind)
                        .unwrap_or(crate::properties::Kind::Text),
                )
            });
        if shown.is_none() && !query.sort_key.is_empty() {
            return Err(crate::Error::RefusedAt(
                crate::Code::PropertyUnknown,
                vec![query.sort_key.clone()],
            ));
        }
        Ok(PropertyParts { filter, shown })
    }
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
    /// The value of the shown property (`UserQuery::sort_key`), if any.
    pub property_value: Option<String>,
    /// Rows matching the filter in all pages (a window count, so one statement a page).
    pub total: i64,
}

impl UserRow {
    /// Why the account cannot sign in yet, if it cannot.
    pub fn pending_state(&self) -> Option<wire::Pending> {
        self.pending.as_deref().and_then(wire::Pending::parse)
    }
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
    let parts = PropertyParts::of(db, &site.scope, &query).await?;
    let rows = list_query(site.site.id, &query, &parts)
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
            list_query(site.site.id, &first, &parts)
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
        let today = wire::time::today();
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
pub fn list_query(site_id: i32, query: &UserQuery, parts: &PropertyParts) -> Select<user::Entity> {
    filtered_query(site_id, query, parts)
        .limit(PAGE_SIZE)
        .offset(query.page.saturating_mul(PAGE_SIZE))
}

/// Every user matching the filter, sorted, not paged (the list's pages, the export).
pub fn filtered_query(
    site_id: i32,
    query: &UserQuery,
    parts: &PropertyParts,
) -> Select<user::Entity> {
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
        .column_as(shown_value(parts), "property_value")
        .column_as(Expr::cust("COUNT(*) OVER ()"), "total")
        .join(JoinType::InnerJoin, user::Relation::Site.def())
        .filter(placement)
        .filter(crate::properties::filter::condition(&parts.filter));
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
        // Users without a value come last, either way.
        UserSort::Property => match parts.shown {
            Some((_, crate::properties::Kind::Number)) => select.order_by_with_nulls(
                Func::cast_as(shown_value(parts), "NUMERIC"),
                order.clone(),
                NullOrdering::Last,
            ),
            _ => select.order_by_with_nulls(shown_value(parts), order.clone(), NullOrdering::Last),
        },
    };
    select.order_by(user::Column::Id, order)
}

/// The shown property's value of each user, as a correlated subquery (NULL without one).
fn shown_value(parts: &PropertyParts) -> Expr {
    use crate::entities::property_value;
    match parts.shown {
        Some((definition, _)) => Expr::SubQuery(
            None,
            Box::new(
                sea_orm::sea_query::Query::select()
                    .column(property_value::Column::Value)
                    .from(property_value::Entity)
                    .and_where(property_value::Column::DefinitionId.eq(definition))
                    .and_where(
                        Expr::col((property_value::Entity, property_value::Column::UserId))
                            .equals((user::Entity, user::Column::Id)),
                    )
                    .to_owned()
                    .into(),
            ),
        ),
        None => Func::cast_as(Expr::val(Option::<String>::None), "TEXT").into(),
    }
}
