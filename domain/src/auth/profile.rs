use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{site, user};
use crate::error::{Error, Result};
use crate::{validate, Db, Principal};

/// The signed-in user as the header shows them.
#[derive(Debug, Clone)]
pub struct Me {
    pub public_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub locale: Option<String>,
    pub site_name: String,
    /// The first site the user administers, where the administrator page opens.
    pub admin_site: Option<Uuid>,
    pub operator: bool,
    /// Whether the roles page and the journal have anything to show this user.
    pub sees_roles: bool,
    pub sees_journal: bool,
    pub must_change_password: bool,
}

pub async fn me(db: &Db, principal: &Principal) -> Result<Me> {
    let Principal::User(actor) = principal else {
        return Err(Error::Unauthenticated);
    };
    let (found, site) = user::Entity::find_by_id(actor.user_id)
        .find_also_related(site::Entity)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)?;
    let admin_site = match crate::sites::home_site(db, principal).await {
        Ok(site) => Some(site),
        Err(Error::NotFound) => None,
        Err(other) => return Err(other),
    };
    let sees = |operation| access::readable(principal, operation).is_ok_and(|r| !r.is_empty());
    Ok(Me {
        public_id: found.public_id,
        username: found.username,
        first_name: found.first_name,
        last_name: found.last_name,
        locale: found.locale,
        site_name: site.map(|s| s.name).unwrap_or_default(),
        admin_site,
        operator: actor.operator,
        sees_roles: sees(Operation::ListRoles),
        sees_journal: sees(Operation::ViewJournal),
        must_change_password: found.must_change_password,
    })
}

/// Remembers the interface language of the signed-in user.
pub async fn set_language(db: &Db, principal: &Principal, language: &str) -> Result<()> {
    let Principal::User(actor) = principal else {
        return Err(Error::Unauthenticated);
    };
    let language = validate::language(language)?;
    user::Entity::update_many()
        .col_expr(user::Column::Locale, Expr::value(language))
        .filter(user::Column::Id.eq(actor.user_id))
        .exec(db.conn())
        .await?;
    Ok(())
}
