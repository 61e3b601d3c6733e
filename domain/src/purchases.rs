//! Licence purchase requests: someone with `licences.order` asks the vendor for more licences
//! for their organisation (quantity, a desired activation date at least 14 days ahead, an
//! e-mail address; a phone number and a comment if they like). The operators get it in their
//! inbox and by mail, the requester a copy; the requester follows its status.
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;
use wire::PurchaseStatus;

use crate::access::{self, Operation};
use crate::entities::{purchase_request, site, user};
use crate::error::{Code, Error, Result};
use crate::mail::{self, Purchase, Template};
use crate::{sites, users, validate, Db, Principal};

/// How far ahead the activation date must be (the vendor needs the time).
pub const LEAD_DAYS: i64 = 14;
const MAX_QUANTITY: i32 = 100_000;
const MAX_COMMENT: usize = 2000;

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct RequestForm {
    pub quantity: String,
    pub activation_on: String,
    pub email: String,
    pub phone: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRequest {
    pub public_id: Uuid,
    pub organisation: String,
    pub requester: String,
    pub quantity: i32,
    pub activation_on: NaiveDate,
    pub email: String,
    pub phone: Option<String>,
    pub comment: Option<String>,
    pub status: PurchaseStatus,
    pub created_at: chrono::DateTime<Utc>,
}

fn info(r: purchase_request::Model, organisation: String) -> PurchaseRequest {
    PurchaseRequest {
        public_id: r.public_id,
        organisation,
        requester: r.requester_name,
        quantity: r.quantity,
        activation_on: r.activation_on,
        email: r.email,
        phone: r.phone,
        comment: r.comment,
        status: PurchaseStatus::parse(&r.status).unwrap_or(PurchaseStatus::New),
        created_at: r.created_at,
    }
}

struct Valid {
    quantity: i32,
    activation_on: NaiveDate,
    email: String,
    phone: Option<String>,
    comment: Option<String>,
}

fn validate_form(form: &RequestForm, today: NaiveDate) -> Result<Valid> {
    let quantity: i32 = form
        .quantity
        .trim()
        .parse()
        .map_err(|_| Error::invalid("quantity", Code::QuantityInvalid))?;
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(Error::invalid("quantity", Code::QuantityInvalid));
    }
    let activation_on = validate::optional_date("activation_on", &form.activation_on)?
        .ok_or(Error::invalid("activation_on", Code::DateInvalid))?;
    if activation_on < today + Duration::days(LEAD_DAYS) {
        return Err(Error::invalid("activation_on", Code::ActivationTooSoon));
    }
    let email = validate::email(&form.email)?;
    let phone = validate::optional_phone(&form.phone)?.unwrap_or_default();
    let comment = form.comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(Error::invalid("comment", Code::CommentTooLong));
    }
    Ok(Valid {
        quantity,
        activation_on,
        email,
        phone: (!phone.is_empty()).then(|| phone.to_string()),
        comment: (!comment.is_empty()).then(|| comment.to_string()),
    })
}

/// Sends a request for the principal's organisation; mails the operators and the requester.
pub async fn request(
    db: &Db,
    principal: &Principal,
    form: RequestForm,
    today: NaiveDate,
) -> Result<PurchaseRequest> {
    let me = users::own_account(db, principal).await?;
    let home = sites::resolve_by_id(db, me.site_id).await?;
    access::require(principal, Operation::OrderLicences, &home.scope)?;
    let valid = validate_form(&form, today)?;
    let root_id = home.scope.root_id().ok_or(Error::NotFound)?;
    let organisation = site::Entity::find_by_id(root_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?
        .name;
    let requester = format!("{} {}", me.first_name, me.last_name)
        .trim()
        .to_string();
    let operators = user::Entity::find()
        .filter(user::Column::IsOperator.eq(true))
        .filter(user::Column::Active.eq(true))
        .all(db.conn())
        .await?;
    let txn = db.write().await?;
    let created = purchase_request::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(root_id),
        requested_by: Set(Some(me.id)),
        requester_name: Set(requester.clone()),
        quantity: Set(valid.quantity),
        activation_on: Set(valid.activation_on),
        email: Set(valid.email.clone()),
        phone: Set(valid.phone.clone()),
        comment: Set(valid.comment.clone()),
        status: Set(PurchaseStatus::New.as_str().into()),
        created_at: Set(Utc::now()),
        handled_at: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let details = Purchase {
        requester,
        organisation: organisation.clone(),
        quantity: valid.quantity,
        activation_on: valid.activation_on.to_string(),
        email: valid.email.clone(),
        phone: valid.phone.unwrap_or_default(),
        comment: valid.comment.unwrap_or_default(),
    };
    for operator in operators
        .iter()
        .filter_map(|o| o.email.as_ref().map(|e| (e, o)))
    {
        let (address, who) = operator;
        mail::queue(
            &*txn,
            address,
            who.locale.as_deref(),
            Template::PurchaseRequest(details.clone()),
        )
        .await?;
    }
    mail::queue(
        &*txn,
        &valid.email,
        me.locale.as_deref(),
        Template::PurchaseRequestCopy(details),
    )
    .await?;
    txn.commit().await?;
    Ok(info(created, organisation))
}

/// The requests the signed-in user sent, newest first.
pub async fn mine(db: &Db, principal: &Principal) -> Result<Vec<PurchaseRequest>> {
    let me = users::own_account(db, principal).await?;
    let rows = purchase_request::Entity::find()
        .filter(purchase_request::Column::RequestedBy.eq(me.id))
        .order_by_desc(purchase_request::Column::CreatedAt)
        .all(db.conn())
        .await?;
    with_organisations(db, rows).await
}

/// Every request, newest first (operators' inbox).
pub async fn inbox(db: &Db, principal: &Principal) -> Result<Vec<PurchaseRequest>> {
    access::require_operator(principal, Operation::ManageSubscriptions)?;
    let rows = purchase_request::Entity::find()
        .order_by_desc(purchase_request::Column::CreatedAt)
        .order_by_desc(purchase_request::Column::Id)
        .all(db.conn())
        .await?;
    with_organisations(db, rows).await
}

/// An operator marks a request handled.
pub async fn mark_handled(db: &Db, principal: &Principal, request: Uuid) -> Result<()> {
    access::require_operator(principal, Operation::ManageSubscriptions)?;
    let updated = purchase_request::Entity::update_many()
        .col_expr(
            purchase_request::Column::Status,
            Expr::value(PurchaseStatus::Handled.as_str()),
        )
        .col_expr(purchase_request::Column::HandledAt, Expr::value(Utc::now()))
        .filter(purchase_request::Column::PublicId.eq(request))
        .exec(&*db.autocommit().await)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

async fn with_organisations(
    db: &Db,
    rows: Vec<purchase_request::Model>,
) -> Result<Vec<PurchaseRequest>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.site_id).collect();
    let names = site::Entity::find()
        .filter(site::Column::Id.is_in(ids))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = names
                .iter()
                .find(|s| s.id == r.site_id)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            info(r, name)
        })
        .collect())
}
