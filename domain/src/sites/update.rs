//! Editing a site's information: name, maximum users, registration code, expiry date.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::lock::{lock_site, release_seats, take_seats};
use super::read::{describe, resolve, resolve_by_id, SiteDetails};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::site;
use crate::error::{Code, Error, Result};
use crate::{validate, Db, Principal};

/// The site information form as typed.
#[derive(Debug, Clone, Default)]
pub struct SiteForm {
    pub name: String,
    pub seat_limit: String,
    pub registration_code: String,
    pub expires_on: String,
    /// How users registering with the code get in: `immediate` (empty), `verify`, `approval`.
    pub registration_flow: String,
    /// E-mail domains registrations are limited to (empty: any).
    pub allowed_domains: String,
    /// The school's official institution number (empty: none).
    pub institution_number: String,
}

pub async fn update(
    db: &Db,
    principal: &Principal,
    public_id: Uuid,
    form: SiteForm,
) -> Result<SiteDetails> {
    let resolved = resolve(db, public_id).await?;
    access::require(principal, Operation::EditSite, &resolved.scope)?;
    let name = validate::site_name(&form.name)?;
    if resolved.site.parent_id.is_none() && !super::same_name(&name, &resolved.site.name) {
        super::check_root_name(db.conn(), "name", &name, Some(resolved.site.id)).await?;
    }
    let seat_limit = validate::seat_limit(&form.seat_limit)?;
    let registration_code = validate::registration_code(&form.registration_code)?;
    let expires_on = validate::optional_date("expires_on", &form.expires_on)?;
    let registration_flow = validate::registration_flow(&form.registration_flow)?;
    let allowed_domains = validate::allowed_domains(&form.allowed_domains)?;
    let institution_number = validate::institution_number(&form.institution_number)?;
    super::expiry::check_site(principal, &resolved, expires_on)?;
    // A new registration code lets anyone sign up here: not into a group giving what the
    // principal could not give.
    if registration_code.is_some() && registration_code != resolved.site.registration_code {
        crate::groups::guard::check_newcomer(db.conn(), principal, &resolved.scope.ancestry)
            .await?;
    }
    let limit_changes = seat_limit != resolved.site.seat_limit;
    if limit_changes {
        // The seats of a subsite are the parent's: changing them is the parent's business.
        let parent = resolved
            .scope
            .parent()
            .ok_or(Error::invalid("seat_limit", Code::SeatLimitOfRoot))?;
        access::require(principal, Operation::ResizeSite, &parent).map_err(|_| Error::Forbidden)?;
    }

    let txn = db.write().await?;
    let current = lock_site(&*txn, resolved.site.id).await?;
    if seat_limit != current.seat_limit {
        if seat_limit < current.used_seats {
            return Err(Error::invalid("seat_limit", Code::SeatLimitBelowUsed));
        }
        let parent_id = current
            .parent_id
            .ok_or(Error::invalid("seat_limit", Code::SeatLimitOfRoot))?;
        let delta = seat_limit - current.seat_limit;
        if delta > 0 {
            if !take_seats(&*txn, parent_id, delta, 0).await? {
                return Err(Error::invalid("seat_limit", Code::NotEnoughSeatsInParent));
            }
        } else {
            release_seats(&*txn, parent_id, -delta, 0).await?;
        }
    }
    site::Entity::update_many()
        .col_expr(site::Column::Name, Expr::value(name.clone()))
        .col_expr(site::Column::SeatLimit, Expr::value(seat_limit))
        .col_expr(
            site::Column::RegistrationCode,
            Expr::value(registration_code.clone()),
        )
        .col_expr(site::Column::ExpiresOn, Expr::value(expires_on))
        .col_expr(
            site::Column::RegistrationFlow,
            Expr::value(registration_flow),
        )
        .col_expr(
            site::Column::AllowedDomains,
            Expr::value(allowed_domains.clone()),
        )
        .col_expr(
            site::Column::InstitutionNumber,
            Expr::value(institution_number.clone()),
        )
        .filter(site::Column::Id.eq(current.id))
        .filter(Expr::col(site::Column::UsedSeats).lte(seat_limit))
        .exec(&*txn)
        .await
        .map_err(|e| {
            // Two unique columns: say which one is taken.
            let detail = e.to_string();
            let (field, code) = if detail.contains("institution") {
                ("institution_number", Code::InstitutionNumberTaken)
            } else {
                ("registration_code", Code::RegistrationCodeTaken)
            };
            match Error::from_db_unique(e, code) {
                Error::Conflict(code) => Error::invalid(field, code),
                other => other,
            }
        })?;
    let show = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SiteUpdate,
            target: name.clone().into(),
            site: &current,
            changes: vec![
                Change::new("name", &current.name, &name),
                Change::new("seat_limit", current.seat_limit, seat_limit),
                Change::new(
                    "registration_code",
                    show(&current.registration_code),
                    show(&registration_code),
                ),
                Change::new("expires_on", date(current.expires_on), date(expires_on)),
                Change::new(
                    "registration_flow",
                    &current.registration_flow,
                    registration_flow,
                ),
                Change::new(
                    "allowed_domains",
                    show(&current.allowed_domains).replace('\n', ", "),
                    show(&allowed_domains).replace('\n', ", "),
                ),
                Change::new(
                    "institution_number",
                    show(&current.institution_number),
                    show(&institution_number),
                ),
            ],
        },
    )
    .await?;
    txn.commit().await?;

    let resolved = resolve_by_id(db, resolved.site.id).await?;
    let subsites = site::Entity::find()
        .filter(site::Column::ParentId.eq(resolved.site.id))
        .count(db.conn())
        .await?;
    Ok(describe(principal, &resolved, subsites))
}
