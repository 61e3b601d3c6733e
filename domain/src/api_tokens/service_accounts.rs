//! Service accounts: users named after an external party, without a password (they cannot
//! sign in) and without an e-mail address; they take a seat like any account and act through
//! API tokens with the roles granted to them.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::user;
use crate::error::Result;
use crate::users::{insert_unchecked, NewUser};
use crate::{roles, sites, validate, Db, Principal};

/// A username from the party's name: `api-` and its letters and digits, plus a short random
/// suffix so that two parties of the same name do not collide.
fn username_for(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 24 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let suffix: u32 = rand::random();
    if slug.is_empty() {
        format!("api-{suffix:08x}")
    } else {
        format!("api-{slug}-{suffix:08x}")
    }
}

/// Creates a service account in `site`. With `application`, it also gets the built-in
/// Application role there (check licences, keep application sessions and settings), which the
/// caller must hold themselves.
pub async fn create_service_account(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    name: &str,
    application: bool,
) -> Result<user::Model> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::CreateServiceAccount, &resolved.scope)?;
    let name = validate::site_name(name)?;
    if application {
        access::require(principal, Operation::SetUserGrants, &resolved.scope)?;
        access::require_held(
            principal,
            &resolved.scope,
            roles::builtin_permissions(roles::APPLICATION),
        )?;
    }
    let txn = db.write().await?;
    // The random suffix makes a taken name unlikely; a clash says "username taken".
    let mut created = insert_unchecked(
        &*txn,
        resolved.site.id,
        NewUser {
            username: username_for(&name),
            first_name: name.clone(),
            last_name: String::new(),
            email: None,
            password_hash: None,
            must_change_password: false,
            pending: None,
            locale: None,
        },
    )
    .await?;
    user::Entity::update_many()
        .col_expr(user::Column::ServiceAccount, Expr::value(true))
        .filter(user::Column::Id.eq(created.id))
        .exec(&*txn)
        .await?;
    created.service_account = true;
    if application {
        roles::grant_builtin_unchecked(&*txn, created.id, roles::APPLICATION, resolved.site.id)
            .await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::ServiceAccountCreate,
            target: crate::audit::Target::user(&created),
            site: &resolved.site,
            changes: vec![Change::set("username", &created.username)],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::username_for;

    #[test]
    fn should_make_a_username_from_the_name() {
        let name = username_for("Zermelo Software B.V.");
        assert!(name.starts_with("api-zermelo-software-b-v-"), "{name}");
        assert!(username_for("—").starts_with("api-"));
        assert!(crate::validate::username(&username_for("Ünïcode & Co")).is_ok());
    }
}
