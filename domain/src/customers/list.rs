//! The customer list: each organisation's root with its seats, licences, subscriptions and
//! administrators, searched by name, sorted by any figure, a page at a time. One statement
//! reads the page: the subscriptions and the administrators are each summed once per
//! organisation in a derived table (a few thousand rows), not once per customer shown.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    Value,
};
use wire::{CustomerPage, CustomerRow, CustomerSort, SubscriptionCounts};

use crate::access::{self, Operation};
use crate::entities::site;
use crate::error::Result;
use crate::{Db, Principal};

pub const PAGE_SIZE: u64 = 25;

#[derive(Debug, Clone)]
pub struct CustomerQuery {
    /// A part of the name (case and accents folded); empty: every customer.
    pub search: String,
    pub sort: CustomerSort,
    pub descending: bool,
    pub page: u64,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        CustomerQuery {
            search: String::new(),
            sort: CustomerSort::Name,
            descending: false,
            page: 0,
        }
    }
}

/// The figures of every customer (one row per organisation but the vendor's), with `?` for
/// today ([`figure_values`]). Administrators are the users holding a role that administers
/// (not the built-in User or Application roles), service accounts left out: the few users
/// named by those grants are looked up one by one (on PostgreSQL as an array, so that the
/// planner never walks the whole users table to meet them: with statistics older than the
/// newest administrator it once merged them with a million users, 280 ms instead of 8).
pub(super) fn figures(backend: DbBackend) -> String {
    let administrators = "SELECT g.user_id FROM role_grants g JOIN roles r ON r.id = g.role_id \
        WHERE r.builtin_key IS NULL OR r.builtin_key NOT IN ('user', 'application')";
    let named = match backend {
        DbBackend::Postgres => format!("u.id = ANY(ARRAY({administrators}))"),
        _ => format!("u.id IN ({administrators})"),
    };
    FIGURES.replace("{administrators}", &named)
}

const FIGURES: &str = "\
    SELECT s.id AS site_id, s.public_id, s.name, s.seat_limit, s.used_seats, s.created_at, \
      COALESCE(sub.assigned, 0) AS licences_assigned, \
      COALESCE(sub.valid_seats, 0) AS licences_valid, \
      COALESCE(sub.upcoming, 0) AS upcoming, \
      COALESCE(sub.current_count, 0) AS current_count, \
      COALESCE(sub.ended, 0) AS ended, \
      sub.next_expiry, \
      COALESCE(adm.administrators, 0) AS administrators, \
      COALESCE(adm.with_email, 0) AS with_email, \
      adm.last_sign_in \
    FROM sites s \
    LEFT JOIN ( \
      SELECT site_id, \
        SUM(CASE WHEN valid_from <= ? AND valid_until >= ? THEN assigned ELSE 0 END) AS assigned, \
        SUM(CASE WHEN valid_from <= ? AND valid_until >= ? THEN seats ELSE 0 END) AS valid_seats, \
        SUM(CASE WHEN activation_batch_id IS NULL AND valid_from > ? THEN 1 ELSE 0 END) AS upcoming, \
        SUM(CASE WHEN activation_batch_id IS NULL AND valid_from <= ? AND valid_until >= ? \
          THEN 1 ELSE 0 END) AS current_count, \
        SUM(CASE WHEN activation_batch_id IS NULL AND valid_until < ? THEN 1 ELSE 0 END) AS ended, \
        MIN(CASE WHEN activation_batch_id IS NULL AND valid_until >= ? THEN valid_until END) \
          AS next_expiry \
      FROM subscriptions WHERE site_id IS NOT NULL GROUP BY site_id \
    ) sub ON sub.site_id = s.id \
    LEFT JOIN ( \
      SELECT u.organisation_id, COUNT(*) AS administrators, COUNT(u.email) AS with_email, \
        MAX(u.last_sign_in_at) AS last_sign_in \
      FROM users u WHERE {administrators} AND NOT u.service_account \
      GROUP BY u.organisation_id \
    ) adm ON adm.organisation_id = s.id \
    WHERE s.parent_id IS NULL AND NOT s.is_vendor";

/// The values of [`figures`]' placeholders.
pub(super) fn figure_values(today: NaiveDate) -> Vec<Value> {
    (0..9).map(|_| today.into()).collect()
}

/// A page of the customers, as an operator sees them on `today`.
pub async fn list(
    db: &Db,
    principal: &Principal,
    query: CustomerQuery,
    today: NaiveDate,
) -> Result<CustomerPage> {
    access::require_operator(principal, Operation::ViewCustomers)?;
    let mut values = figure_values(today);
    let mut sql = format!("SELECT * FROM ({}", figures(db.backend()));
    // The number of customers needs none of their figures: the names searched give it, or a
    // count of the organisations.
    let total = match named(db, &query.search).await? {
        Some(ids) if ids.is_empty() => {
            return Ok(CustomerPage {
                rows: Vec::new(),
                total: 0,
                page: query.page,
                page_size: PAGE_SIZE,
            });
        }
        Some(ids) => {
            sql.push_str(&format!(" AND s.id IN ({})", placeholders(ids.len())));
            let total = ids.len() as u64;
            values.extend(ids.into_iter().map(Value::from));
            total
        }
        None => customers().count(db.conn()).await?,
    };
    sql.push_str(") c");
    sql.push_str(&format!(
        " ORDER BY {} LIMIT {PAGE_SIZE} OFFSET {}",
        order_by(query.sort, query.descending),
        query.page.saturating_mul(PAGE_SIZE)
    ));
    let rows = db
        .conn()
        .query_all_raw(crate::sql::statement(db.backend(), &sql, values))
        .await?
        .iter()
        .map(customer_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(CustomerPage {
        rows,
        total,
        page: query.page,
        page_size: PAGE_SIZE,
    })
}

/// The organisations whose name holds `search` (case and accents folded), None when there is
/// no search. Names are folded here, the same on both databases (SQLite's `lower` knows only
/// ASCII): every organisation's name is read, a few thousand short rows at most.
async fn named(db: &Db, search: &str) -> Result<Option<Vec<i32>>> {
    let part = fold(search.trim());
    if part.is_empty() {
        return Ok(None);
    }
    let roots: Vec<(i32, String)> = customers()
        .select_only()
        .column(site::Column::Id)
        .column(site::Column::Name)
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(Some(
        roots
            .into_iter()
            .filter(|(_, name)| fold(name).contains(&part))
            .map(|(id, _)| id)
            .collect(),
    ))
}

/// Every customer's root: the organisations but the vendor's.
fn customers() -> sea_orm::Select<site::Entity> {
    site::Entity::find()
        .filter(site::Column::ParentId.is_null())
        .filter(site::Column::IsVendor.eq(false))
}

/// Lower case, Latin accents removed: "École" and "ecole" are the same.
fn fold(text: &str) -> String {
    migrations::folded_for_sqlite(&text.to_lowercase())
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The order of a sort: a figure without a value (no expiry, never signed in) last either way,
/// then by name and id so that pages never overlap.
fn order_by(sort: CustomerSort, descending: bool) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    let figure = match sort {
        CustomerSort::Name => None,
        CustomerSort::SeatsUsed => Some("c.used_seats"),
        CustomerSort::LicencesAssigned => Some("c.licences_assigned"),
        CustomerSort::NextExpiry => Some("c.next_expiry"),
        CustomerSort::LastSignIn => Some("c.last_sign_in"),
        CustomerSort::Created => Some("c.created_at"),
    };
    match figure {
        Some(figure) => format!(
            "CASE WHEN {figure} IS NULL THEN 1 ELSE 0 END, {figure} {direction}, c.name, c.site_id"
        ),
        None => format!("c.name {direction}, c.site_id {direction}"),
    }
}

pub(super) fn customer_row(row: &sea_orm::QueryResult) -> Result<CustomerRow> {
    let count = |column: &str| -> Result<u32> {
        let n: i64 = row.try_get("", column)?;
        Ok(u32::try_from(n).unwrap_or(0))
    };
    Ok(CustomerRow {
        id: row.try_get("", "public_id")?,
        name: row.try_get("", "name")?,
        seats_used: i64::from(row.try_get::<i32>("", "used_seats")?),
        seat_limit: i64::from(row.try_get::<i32>("", "seat_limit")?),
        licences_assigned: row.try_get("", "licences_assigned")?,
        licences_valid: row.try_get("", "licences_valid")?,
        subscriptions: SubscriptionCounts {
            upcoming: count("upcoming")?,
            current: count("current_count")?,
            ended: count("ended")?,
        },
        next_expiry: row.try_get::<Option<NaiveDate>>("", "next_expiry")?,
        administrators: row.try_get("", "administrators")?,
        administrators_with_email: row.try_get("", "with_email")?,
        last_administrator_sign_in: row.try_get::<Option<DateTime<Utc>>>("", "last_sign_in")?,
        created_at: row.try_get("", "created_at")?,
    })
}
