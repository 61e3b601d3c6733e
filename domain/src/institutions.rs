//! Institution linking (as LeesVoor has it): a school site carries its official institution
//! number (set by its administrators); the vendor's operators link an individual account to
//! the school by that number; the user sees the link in their profile and may withdraw their
//! consent at any time, which removes it. Both are journaled.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{institution_link, site, user};
use crate::error::{Code, Error, Result};
use crate::{users, validate, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionLink {
    pub public_id: Uuid,
    pub username: String,
    pub institution: String,
    pub institution_number: String,
    pub linked_at: DateTime<Utc>,
}

fn info(l: &institution_link::Model, who: &user::Model, school: &site::Model) -> InstitutionLink {
    InstitutionLink {
        public_id: l.public_id,
        username: who.username.clone(),
        institution: school.name.clone(),
        institution_number: school.institution_number.clone().unwrap_or_default(),
        linked_at: l.linked_at,
    }
}

/// An operator links the account `username` to the school with `number`.
pub async fn link(
    db: &Db,
    principal: &Principal,
    username: &str,
    number: &str,
) -> Result<InstitutionLink> {
    access::require_operator(principal, Operation::LinkInstitution)?;
    let number = validate::institution_number(number)?.ok_or(Error::invalid(
        "institution_number",
        Code::InstitutionNumberInvalid,
    ))?;
    let who = user::Entity::find()
        .filter(user::Column::Username.eq(validate::username(username)?))
        .one(db.conn())
        .await?
        .ok_or(Error::invalid("username", Code::UserUnknown))?;
    let school = site::Entity::find()
        .filter(site::Column::InstitutionNumber.eq(&number))
        .one(db.conn())
        .await?
        .ok_or(Error::invalid(
            "institution_number",
            Code::InstitutionUnknown,
        ))?;
    let txn = db.write().await?;
    let created = institution_link::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        user_id: Set(who.id),
        site_id: Set(school.id),
        linked_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    .map_err(
        |e| match Error::from_db_unique(e, Code::InstitutionAlreadyLinked) {
            Error::Conflict(code) => Error::invalid("username", code),
            other => other,
        },
    )?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::InstitutionLink,
            target: crate::audit::Target::user(&who),
            site: &school,
            changes: vec![Change::set("institution_number", &number)],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(info(&created, &who, &school))
}

/// The latest links, for the operators' page.
pub async fn recent(db: &Db, principal: &Principal) -> Result<Vec<InstitutionLink>> {
    access::require_operator(principal, Operation::LinkInstitution)?;
    let links = institution_link::Entity::find()
        .order_by_desc(institution_link::Column::LinkedAt)
        .all(db.conn())
        .await?;
    described(db, links).await
}

/// The signed-in user's links.
pub async fn mine(db: &Db, principal: &Principal) -> Result<Vec<InstitutionLink>> {
    let me = users::own_account(db, principal).await?;
    let links = institution_link::Entity::find()
        .filter(institution_link::Column::UserId.eq(me.id))
        .order_by_desc(institution_link::Column::LinkedAt)
        .all(db.conn())
        .await?;
    described(db, links).await
}

/// The user withdraws their consent: the link goes.
pub async fn withdraw(db: &Db, principal: &Principal, link: Uuid) -> Result<()> {
    let me = users::own_account(db, principal).await?;
    let found = institution_link::Entity::find()
        .filter(institution_link::Column::PublicId.eq(link))
        .filter(institution_link::Column::UserId.eq(me.id))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let school = site::Entity::find_by_id(found.site_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let txn = db.write().await?;
    institution_link::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::InstitutionWithdraw,
            target: crate::audit::Target::user(&me),
            site: &school,
            changes: vec![Change::new(
                "institution_number",
                school.institution_number.clone().unwrap_or_default(),
                "",
            )],
        },
    )
    .await?;
    txn.commit().await
}

async fn described(db: &Db, links: Vec<institution_link::Model>) -> Result<Vec<InstitutionLink>> {
    let user_ids: Vec<i32> = links.iter().map(|l| l.user_id).collect();
    let site_ids: Vec<i32> = links.iter().map(|l| l.site_id).collect();
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db.conn())
        .await?;
    let schools = site::Entity::find()
        .filter(site::Column::Id.is_in(site_ids))
        .all(db.conn())
        .await?;
    Ok(links
        .iter()
        .filter_map(|l| {
            let who = people.iter().find(|p| p.id == l.user_id)?;
            let school = schools.iter().find(|s| s.id == l.site_id)?;
            Some(info(l, who, school))
        })
        .collect())
}
