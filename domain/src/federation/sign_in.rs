//! Signing in through a federation: the user its identifier names, or (when the federation
//! creates users) a new one placed and entitled by the rules, in one transaction that takes a
//! seat and journals what the rules did.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;
use wire::FederationIdentifier;

use super::rules::{self, first, Placement};
use super::Claims;
use crate::audit::{self, Action, Change, Event};
use crate::auth::{refusal, SignedIn};
use crate::entities::{federation, federation_account, role_grant, user};
use crate::error::{Code, Error, Result};
use crate::identifiers::Scheme;
use crate::licences;
use crate::sso::{Identity, LinkedSignIn};
use crate::users::{user_label, NewUser};
use crate::{sites, Db, Principal};

/// Signs in the user `identity` (validated by the server against the federation's issuer)
/// stands for, creating them when the federation may.
pub async fn sign_in(
    db: &Db,
    federation_id: Uuid,
    identity: &Identity,
    client_address: Option<&str>,
) -> Result<LinkedSignIn> {
    let fed = federation::Entity::find()
        .filter(federation::Column::PublicId.eq(federation_id))
        .one(db.conn())
        .await?
        .ok_or(Error::Refused(Code::SsoProviderUnknown))?;
    let claims = &identity.claims;
    let value = rules::identifier(&fed, claims)?;
    let now = Utc::now();
    // The federation acts within the reach of the administrator who saved it, as they are now.
    let keeper = rules::keeper(db, &fed).await?;
    let found = match rules::known_user(db.conn(), &fed, &value).await? {
        Some(found) => {
            if let Some(code) = refusal(db, &found).await? {
                return Err(Error::Refused(code));
            }
            let home = sites::resolve_by_id(db, found.site_id).await?;
            rules::may_sign_in(db, &keeper, &found, &home).await?;
            remember(db, &fed, &value, &found, &home, client_address).await?;
            found
        }
        None if fed.create_users => {
            let placement = rules::placement(db, &fed, claims, &keeper).await?;
            rules::may_create(&keeper, &placement.school)?;
            create(db, &fed, &value, claims, &placement).await?
        }
        None => return Err(Error::Refused(Code::FederationUnknownUser)),
    };
    let claim = licences::claim_at_sign_in(db, &found, wire::time::local_date(now)).await;
    Ok(LinkedSignIn {
        signed_in: SignedIn {
            user_id: found.id,
            locale: found.locale,
            must_change_password: false,
            second_factor: crate::factors::step_at_sign_in(db, found.id, now).await?,
        },
        claim,
    })
}

/// Records the sign-in of a known user (and which identifier they came with).
async fn remember(
    db: &Db,
    fed: &federation::Model,
    value: &str,
    found: &user::Model,
    home: &sites::Resolved,
    client_address: Option<&str>,
) -> Result<()> {
    let principal = Principal::load(db, found.id)
        .await?
        .from_address(client_address.map(str::to_string));
    let now = Utc::now();
    let txn = db.write().await?;
    crate::auth::signed_in_at(&*txn, found.id, now).await?;
    let updated = federation_account::Entity::update_many()
        .col_expr(federation_account::Column::LastUsedAt, Expr::value(now))
        .filter(federation_account::Column::FederationId.eq(fed.id))
        .filter(federation_account::Column::Value.eq(value))
        .exec(&*txn)
        .await?;
    if updated.rows_affected == 0 {
        account(fed, value, found.id, now).insert(&*txn).await?;
    }
    audit::record(
        &*txn,
        &principal,
        Event {
            action: Action::SsoSignIn,
            target: crate::audit::Target::user(found),
            site: &home.site,
            changes: vec![Change::set("federation", &fed.name)],
        },
    )
    .await?;
    txn.commit().await
}

fn account(
    fed: &federation::Model,
    value: &str,
    user_id: i32,
    now: chrono::DateTime<Utc>,
) -> federation_account::ActiveModel {
    federation_account::ActiveModel {
        federation_id: Set(fed.id),
        value: Set(value.to_string()),
        user_id: Set(user_id),
        created_at: Set(now),
        last_used_at: Set(Some(now)),
        ..Default::default()
    }
}

/// Creates the user the rules place, with the roles they grant, journaled as the federation's
/// doing. A full site refuses; the seat is taken first, so concurrent sign-ins cannot overfill.
async fn create(
    db: &Db,
    fed: &federation::Model,
    value: &str,
    claims: &Claims,
    placement: &Placement,
) -> Result<user::Model> {
    let kind = FederationIdentifier::parse(&fed.identify_by);
    let email = first(claims, "email")
        .filter(|_| first(claims, "email_verified") == Some("true"))
        .and_then(|e| crate::validate::optional_email(e).ok().flatten());
    let (first_name, last_name) = names(claims, value);
    let username = free_username(db, &candidates(claims, email.as_deref(), value)).await?;
    let now = Utc::now();
    let place = placement.site();
    let txn = db.write().await?;
    let created = crate::users::insert_unchecked(
        &*txn,
        place.id,
        NewUser {
            username,
            first_name,
            last_name,
            email,
            password_hash: None,
            must_change_password: false,
            pending: None,
            locale: None,
        },
    )
    .await
    .map_err(|err| match err {
        Error::Refused(Code::NoFreeSeat) => Error::Refused(Code::FederationSiteFull),
        other => other,
    })?;
    account(fed, value, created.id, now).insert(&*txn).await?;
    if kind == Some(FederationIdentifier::EckId) {
        crate::identifiers::insert(&*txn, fed.site_id, created.id, Scheme::EckId, value).await?;
    }
    let label = user_label(&created);
    let by = Change::set("federation", &fed.name);
    audit::record(
        &*txn,
        &Principal::Anonymous,
        Event {
            action: Action::UserCreate,
            target: crate::audit::Target {
                label: label.clone(),
                user: Some(created.id),
            },
            site: place,
            changes: vec![Change::set("username", &created.username), by.clone()],
        },
    )
    .await?;
    for role in &placement.roles {
        role_grant::ActiveModel {
            user_id: Set(created.id),
            role_id: Set(role.id),
            site_id: Set(placement.school.site.id),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        audit::record(
            &*txn,
            &Principal::Anonymous,
            Event {
                action: Action::GrantAdd,
                target: crate::audit::Target {
                    label: label.clone(),
                    user: Some(created.id),
                },
                site: &placement.school.site,
                changes: vec![
                    Change::new("role", "", crate::roles::journal_name(role)),
                    by.clone(),
                ],
            },
        )
        .await?;
    }
    for role in &placement.left_out {
        tracing::warn!(federation = %fed.public_id, role = %role.public_id,
            "a rule grants a role its administrator may no longer grant: left out");
    }
    crate::auth::signed_in_at(&*txn, created.id, now).await?;
    txn.commit().await?;
    Ok(created)
}

/// First and last name from the claims (`given_name`, `family_name`, else `name` split at its
/// last space), else the identifier.
fn names(claims: &Claims, value: &str) -> (String, String) {
    let cut = |s: &str| s.chars().take(100).collect::<String>();
    match (first(claims, "given_name"), first(claims, "family_name")) {
        (Some(given), Some(family)) => (cut(given), cut(family)),
        _ => match first(claims, "name") {
            Some(name) => match name.rsplit_once(' ') {
                Some((given, family)) => (cut(given.trim()), cut(family.trim())),
                None => (cut(name), String::new()),
            },
            None => (cut(value.split('@').next().unwrap_or(value)), String::new()),
        },
    }
}

/// Usernames to try, best first: the e-mail address, `preferred_username`, the identifier.
fn candidates(claims: &Claims, email: Option<&str>, value: &str) -> Vec<String> {
    [email, first(claims, "preferred_username"), Some(value)]
        .into_iter()
        .flatten()
        .filter_map(|c| crate::validate::username(c).ok())
        .collect()
}

/// The first candidate nobody has, else the first with a number behind it.
async fn free_username(db: &Db, candidates: &[String]) -> Result<String> {
    let base = candidates
        .first()
        .cloned()
        .unwrap_or_else(|| format!("user-{}", &Uuid::new_v4().simple().to_string()[..8]));
    let mut tried: Vec<String> = candidates.to_vec();
    tried.extend((2..=20).map(|n| format!("{base}.{n}")));
    let taken: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(user::Column::Username.is_in(tried.clone()))
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(tried
        .into_iter()
        .find(|t| !taken.contains(t) && crate::validate::username(t).is_ok())
        .unwrap_or_else(|| format!("{base}-{}", &Uuid::new_v4().simple().to_string()[..6])))
}
