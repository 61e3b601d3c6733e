//! Activation codes: the vendor's operators generate a batch of single-use codes for a bundle
//! and a number of days (for distributors and bookshops) and export it as CSV; a signed-in
//! user redeems a code on the overview and gets a licence in their organisation, valid from
//! that day (a one-seat subscription marked as the code's: it does not add to the
//! organisation's seat limit). Redemption is one conditional update, so a code is used once
//! under any concurrency; failures are throttled per user, and an unknown, used or revoked code
//! gets the same answer. A batch is revoked as a whole and shows who redeemed which code.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::access;
use crate::audit::{self, Action, Change, Event};
use crate::auth::throttle::{self, Keys};
use crate::entities::{activation_batch, activation_code, bundle, licence, subscription, user};
use crate::error::{Code, Error, Result};
use crate::users::user_label;
use crate::{sheet, texts, Db, Principal};

/// The most codes in one batch, and the longest licence a code gives.
pub const MAX_BATCH: i32 = 10_000;
pub const MAX_DAYS: i32 = 3660;
/// The letters of a code: no 0/O, 1/I/L, U (read aloud and typed from paper).
const ALPHABET: &[u8; 31] = b"ABCDEFGHJKMNPQRSTVWXYZ234567890";
/// Characters in a code (16 × log2(31) ≈ 79 bits).
const LENGTH: usize = 16;

/// A batch as typed.
#[derive(Debug, Clone, Default)]
pub struct BatchForm {
    pub name: String,
    /// None: every product.
    pub bundle: Option<Uuid>,
    pub days: String,
    pub size: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub public_id: Uuid,
    pub name: String,
    /// None: every product.
    pub bundle_name: Option<String>,
    pub days: i32,
    pub size: i32,
    pub redeemed: i32,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A code of a batch, and who redeemed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// As printed: groups of four.
    pub code: String,
    pub redeemed_by: Option<String>,
    pub redeemed_at: Option<DateTime<Utc>>,
}

/// What a redemption gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    pub until: NaiveDate,
    pub products: Vec<String>,
}

/// A code in groups of four, as printed.
pub fn printed(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, in the stored form: upper case, without dashes and spaces.
fn normalised(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}'))
        .flat_map(char::to_uppercase)
        .collect()
}

fn new_code() -> String {
    (0..LENGTH)
        .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
        .collect()
}

fn number(field: &'static str, raw: &str, max: i32) -> Result<i32> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| Error::invalid(field, Code::ActivationNumberInvalid))
}

async fn info(db: &Db, b: &activation_batch::Model) -> Result<Batch> {
    Ok(listed(&bundle_names(db, std::slice::from_ref(b)).await?, b))
}

/// The names of the batches' bundles, in one statement.
async fn bundle_names(db: &Db, batches: &[activation_batch::Model]) -> Result<Vec<bundle::Model>> {
    Ok(bundle::Entity::find()
        .filter(bundle::Column::Id.is_in(batches.iter().filter_map(|b| b.bundle_id)))
        .all(db.conn())
        .await?)
}

fn listed(bundles: &[bundle::Model], b: &activation_batch::Model) -> Batch {
    Batch {
        public_id: b.public_id,
        name: b.name.clone(),
        bundle_name: bundles
            .iter()
            .find(|x| Some(x.id) == b.bundle_id)
            .map(|x| x.name.clone()),
        days: b.days,
        size: b.size,
        redeemed: b.redeemed,
        created_at: b.created_at,
        revoked_at: b.revoked_at,
    }
}

/// Generates a batch of codes.
pub async fn create_batch(db: &Db, principal: &Principal, form: BatchForm) -> Result<Batch> {
    access::require_vendor(principal)?;
    let name = crate::validate::site_name(&form.name)?;
    let days = number("days", &form.days, MAX_DAYS)?;
    let size = number("size", &form.size, MAX_BATCH)?;
    let bundle_id = match form.bundle {
        Some(id) => Some(
            bundle::Entity::find()
                .filter(bundle::Column::PublicId.eq(id))
                .one(db.conn())
                .await?
                .ok_or(Error::Unknown {
                    field: "bundle",
                    code: Code::ProductUnknown,
                })?
                .id,
        ),
        None => None,
    };
    let txn = db.write().await?;
    let made = activation_batch::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        name: Set(name),
        bundle_id: Set(bundle_id),
        days: Set(days),
        size: Set(size),
        redeemed: Set(0),
        created_by: Set(principal.user_id()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let codes: Vec<activation_code::ActiveModel> = (0..size)
        .map(|_| activation_code::ActiveModel {
            batch_id: Set(made.id),
            code: Set(new_code()),
            redeemed_by: Set(None),
            redeemed_at: Set(None),
            subscription_id: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in codes.chunks(500) {
        activation_code::Entity::insert_many(chunk.to_vec())
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    info(db, &made).await
}

/// Every batch, newest first.
pub async fn batches(db: &Db, principal: &Principal) -> Result<Vec<Batch>> {
    access::require_vendor(principal)?;
    let all = activation_batch::Entity::find()
        .order_by_desc(activation_batch::Column::Id)
        .all(db.conn())
        .await?;
    let bundles = bundle_names(db, &all).await?;
    Ok(all.iter().map(|b| listed(&bundles, b)).collect())
}

async fn find(db: &Db, principal: &Principal, batch: Uuid) -> Result<activation_batch::Model> {
    access::require_vendor(principal)?;
    activation_batch::Entity::find()
        .filter(activation_batch::Column::PublicId.eq(batch))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)
}

/// A batch's codes with who redeemed them.
pub async fn codes(db: &Db, principal: &Principal, batch: Uuid) -> Result<(Batch, Vec<CodeRow>)> {
    let found = find(db, principal, batch).await?;
    let rows = activation_code::Entity::find()
        .filter(activation_code::Column::BatchId.eq(found.id))
        .order_by_asc(activation_code::Column::Id)
        .all(db.conn())
        .await?;
    let redeemers = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().filter_map(|r| r.redeemed_by)))
        .all(db.conn())
        .await?;
    let listed = rows
        .iter()
        .map(|r| CodeRow {
            code: printed(&r.code),
            redeemed_by: r
                .redeemed_by
                .and_then(|id| redeemers.iter().find(|u| u.id == id))
                .map(user_label),
            redeemed_at: r.redeemed_at,
        })
        .collect();
    Ok((info(db, &found).await?, listed))
}

/// A batch's codes as CSV, headers in `locale`: the code, whether it was redeemed, by whom
/// and when.
pub async fn export_csv(
    db: &Db,
    principal: &Principal,
    batch: Uuid,
    locale: &str,
) -> Result<(String, Vec<u8>)> {
    let (info, rows) = codes(db, principal, batch).await?;
    let t = |key: &str| texts::text(locale, key);
    let mut out = String::new();
    let header = [
        t("codes.code"),
        t("codes.redeemed_by"),
        t("codes.redeemed_at"),
    ];
    out.push_str(&header.map(|h| sheet::csv_cell(&h)).join(";"));
    out.push_str("\r\n");
    for row in rows {
        let at = row
            .redeemed_at
            .map(|at| wire::time::local(at).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let cells = [row.code, row.redeemed_by.unwrap_or_default(), at];
        out.push_str(&cells.map(|c| sheet::csv_cell(&c)).join(";"));
        out.push_str("\r\n");
    }
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(out.into_bytes());
    Ok((
        format!("{} – {}.csv", t("codes.file_name"), info.name),
        bytes,
    ))
}

/// Revokes a batch: its codes not yet redeemed stop working (the licences given stay).
pub async fn revoke_batch(db: &Db, principal: &Principal, batch: Uuid) -> Result<()> {
    let found = find(db, principal, batch).await?;
    let txn = db.write().await?;
    activation_batch::Entity::update_many()
        .col_expr(activation_batch::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(activation_batch::Column::Id.eq(found.id))
        .filter(activation_batch::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// The signed-in user redeems a code: a licence in their organisation from `today`.
pub async fn redeem(
    db: &Db,
    principal: &Principal,
    typed: &str,
    today: NaiveDate,
) -> Result<Redeemed> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    throttle::guarded(
        db,
        &Keys::redemption(me),
        redeem_checked(db, principal, me, typed, today),
    )
    .await
}

async fn redeem_checked(
    db: &Db,
    principal: &Principal,
    me: i32,
    typed: &str,
    today: NaiveDate,
) -> Result<Redeemed> {
    let invalid = || Error::invalid("code", Code::ActivationCodeInvalid);
    let code = normalised(typed);
    if code.len() != LENGTH {
        return Err(invalid());
    }
    let found = activation_code::Entity::find()
        .filter(activation_code::Column::Code.eq(code))
        .one(db.conn())
        .await?
        .ok_or_else(invalid)?;
    let batch = activation_batch::Entity::find_by_id(found.batch_id)
        .one(db.conn())
        .await?
        .filter(|b| b.revoked_at.is_none())
        .ok_or_else(invalid)?;
    let holder = user::Entity::find_by_id(me)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)?;
    let site = crate::sites::resolve_by_id(db, holder.site_id).await?;
    let root = site.scope.root_id().ok_or(Error::NotFound)?;
    let until = today + Duration::days(i64::from(batch.days) - 1);
    let now = Utc::now();
    let txn = db.write().await?;
    let taken = activation_code::Entity::update_many()
        .col_expr(activation_code::Column::RedeemedBy, Expr::value(me))
        .col_expr(activation_code::Column::RedeemedAt, Expr::value(now))
        .filter(activation_code::Column::Id.eq(found.id))
        .filter(activation_code::Column::RedeemedBy.is_null())
        .exec(&*txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(invalid());
    }
    let made = subscription::ActiveModel {
        serial: Set(format!("AC{:09}", found.id)),
        seats: Set(1),
        valid_from: Set(today),
        valid_until: Set(until),
        contact_email: Set(None),
        locale: Set(holder.locale.clone().unwrap_or_else(|| "nl".into())),
        site_id: Set(Some(root)),
        claimed_at: Set(Some(now)),
        created_at: Set(now),
        bundle_id: Set(batch.bundle_id),
        assigned: Set(1),
        activation_batch_id: Set(Some(batch.id)),
        expiry_announced: Set(false),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    licence::ActiveModel {
        subscription_id: Set(made.id),
        user_id: Set(me),
        assigned_at: Set(now),
        group_id: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    activation_code::Entity::update_many()
        .col_expr(
            activation_code::Column::SubscriptionId,
            Expr::value(made.id),
        )
        .filter(activation_code::Column::Id.eq(found.id))
        .exec(&*txn)
        .await?;
    activation_batch::Entity::update_many()
        .col_expr(
            activation_batch::Column::Redeemed,
            Expr::col(activation_batch::Column::Redeemed).add(1),
        )
        .filter(activation_batch::Column::Id.eq(batch.id))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::CodeRedeem,
            target: crate::audit::Target::user(&holder),
            site: &site.site,
            changes: vec![
                Change::set("batch", &batch.name),
                Change::set("until", until),
            ],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Redeemed {
        until,
        products: crate::products::bundle_keys(db.conn(), batch.bundle_id).await?,
    })
}
