//! The usage charts' figures: the rolled-up days of a subtree (an administrator's own, or a
//! customer's for the vendor) or of every customer, for a product or all of them, one value
//! per day of the period (days without activity are zeros).
use chrono::{Duration, NaiveDate};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;
use wire::UsageDay;

use crate::access::{self, Operation};
use crate::error::{Code, Error, Result};
use crate::{Db, Principal};

/// The longest period a chart shows.
pub const MOST_DAYS: i64 = 366;

/// Whose usage: a site with its subtree, or every customer (operators only).
#[derive(Debug, Clone, Copy)]
pub enum Whose {
    Site(Uuid),
    EveryCustomer,
}

#[derive(Debug, Clone)]
pub struct UsageQuery {
    pub whose: Whose,
    /// A product's key; none: all products.
    pub product: Option<String>,
    /// The first and last day shown (both included).
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Each day of the period, summed over the subtree's sites (a user is in one site); its peak
/// of concurrent sessions is the site's own (which counts its whole subtree).
pub async fn series(db: &Db, principal: &Principal, query: UsageQuery) -> Result<Vec<UsageDay>> {
    let roots = match query.whose {
        Whose::Site(site) => {
            let resolved = crate::sites::resolve(db, site).await?;
            access::require(principal, Operation::ViewUsage, &resolved.scope)?;
            Roots::One(resolved.site.id)
        }
        Whose::EveryCustomer => {
            access::require_operator(principal, Operation::ViewCustomers)?;
            Roots::Customers
        }
    };
    if query.to < query.from || (query.to - query.from).num_days() >= MOST_DAYS {
        return Err(Error::invalid("to", Code::DateInvalid));
    }
    let product = match query.product.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(key) => crate::products::find_by_key(db.conn(), key).await?.id,
    };
    let (roots_sql, mut values): (&str, Vec<Value>) = match roots {
        Roots::One(id) => ("?", vec![id.into(), id.into()]),
        Roots::Customers => (
            "SELECT id FROM sites WHERE parent_id IS NULL AND NOT is_vendor",
            Vec::new(),
        ),
    };
    let sql = format!(
        "SELECT d.day, SUM(d.sign_ins) AS sign_ins, SUM(d.sign_in_failures) AS failures, \
           SUM(d.active_users) AS active_users, SUM(d.app_sessions) AS sessions, \
           SUM(CASE WHEN d.site_id IN ({roots_sql}) THEN d.peak_sessions ELSE 0 END) AS peak, \
           SUM(d.licences) AS licences \
         FROM usage_days d \
         WHERE d.site_id IN (SELECT descendant_id FROM site_closure WHERE ancestor_id IN ({roots_sql})) \
           AND d.product_id = ? AND d.day >= ? AND d.day <= ? \
         GROUP BY d.day ORDER BY d.day"
    );
    values.extend([product.into(), query.from.into(), query.to.into()]);
    let found = db
        .conn()
        .query_all_raw(crate::sql::statement(db.backend(), &sql, values))
        .await?;
    let mut by_day = std::collections::HashMap::new();
    for row in &found {
        let day: NaiveDate = row.try_get("", "day")?;
        let sum = |column: &str| -> Result<i64> {
            Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0))
        };
        by_day.insert(
            day,
            UsageDay {
                day,
                sign_ins: sum("sign_ins")?,
                sign_in_failures: sum("failures")?,
                active_users: sum("active_users")?,
                app_sessions: sum("sessions")?,
                peak_sessions: sum("peak")?,
                licences: row.try_get::<Option<i64>>("", "licences")?,
            },
        );
    }
    let mut days = Vec::new();
    let mut day = query.from;
    while day <= query.to {
        days.push(by_day.remove(&day).unwrap_or(UsageDay {
            day,
            sign_ins: 0,
            sign_in_failures: 0,
            active_users: 0,
            app_sessions: 0,
            peak_sessions: 0,
            licences: None,
        }));
        day += Duration::days(1);
    }
    Ok(days)
}

enum Roots {
    One(i32),
    Customers,
}
