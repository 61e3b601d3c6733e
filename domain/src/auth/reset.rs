//! Passwords chosen by their owner: through a mailed link (invitation, forgotten password) or
//! while signed in (the current one first). Every change ends all sessions of the user.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::password;
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::mail::{self, Template};
use crate::onboarding::PENDING_VERIFY;
use crate::tokens::{self, Purpose};
use crate::{users, validate, Db, Principal};

/// Mails a reset link when `login` (a username or an e-mail address) names an active account
/// with an address. The answer is the same either way: it never tells whether an account
/// exists. `locale` is the page's language, for users who never chose one.
pub async fn request_reset(db: &Db, login: &str, locale: &str) -> Result<()> {
    let login = login.trim().to_lowercase();
    if login.is_empty() {
        return Err(Error::invalid("login", Code::UsernameRequired));
    }
    let column = if login.contains('@') {
        user::Column::Email
    } else {
        user::Column::Username
    };
    let found = user::Entity::find()
        .filter(column.eq(&login))
        .filter(user::Column::Active.eq(true))
        .all(db.conn())
        .await?;
    // An address shared by several accounts resets none (the mail could not say which).
    let [found] = found.as_slice() else {
        return Ok(());
    };
    let Some(to) = found.email.clone() else {
        return Ok(());
    };
    let txn = db.write().await?;
    let token = tokens::issue(&*txn, found.id, Purpose::Reset).await?;
    mail::queue(
        &*txn,
        &to,
        Some(found.locale.as_deref().unwrap_or(locale)),
        Template::PasswordReset {
            name: format!("{} {}", found.first_name, found.last_name),
            username: found.username.clone(),
            token,
        },
    )
    .await?;
    txn.commit().await
}

/// Whom a link is for, before its form is sent (the page greets them by username).
pub async fn token_owner(db: &Db, token: &str) -> Result<String> {
    let user_id = tokens::peek(db.conn(), token, &[Purpose::Invite, Purpose::Reset]).await?;
    let found = user::Entity::find_by_id(user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::Refused(Code::LinkInvalid))?;
    Ok(found.username)
}

/// Sets the password through an invitation or reset link (used up by this); the mailbox is
/// thereby verified. Answers the username, for the sign-in page.
pub async fn set_password_with_token(
    db: &Db,
    token: &str,
    plain: &str,
    confirm: &str,
) -> Result<String> {
    let username = token_owner(db, token).await?;
    let plain = validate::new_password(plain, &username)?;
    if plain != confirm {
        return Err(Error::invalid("confirm", Code::PasswordMismatch));
    }
    let hash = password::hash(plain).await?;
    let txn = db.write().await?;
    let user_id = tokens::consume(&*txn, token, &[Purpose::Invite, Purpose::Reset]).await?;
    store(&*txn, user_id, hash).await?;
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerified, Expr::value(true))
        .filter(user::Column::Id.eq(user_id))
        .exec(&*txn)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::Pending, Expr::value(Option::<String>::None))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::Pending.eq(PENDING_VERIFY))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(username)
}

/// The signed-in user changes their own password (also when they must at first sign-in).
pub async fn change_password(
    db: &Db,
    principal: &Principal,
    current: &str,
    plain: &str,
    confirm: &str,
) -> Result<()> {
    let Principal::User(actor) = principal else {
        return Err(Error::Unauthenticated);
    };
    let found = user::Entity::find_by_id(actor.user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)?;
    if !password::verify(found.password_hash.clone(), current.to_string()).await? {
        return Err(Error::invalid("current", Code::CurrentPasswordWrong));
    }
    let plain = validate::new_password(plain, &found.username)?;
    if plain != confirm {
        return Err(Error::invalid("confirm", Code::PasswordMismatch));
    }
    let hash = password::hash(plain).await?;
    let txn = db.write().await?;
    store(&*txn, found.id, hash).await?;
    txn.commit().await
}

/// Stores a new hash, clears "must change" and ends every session of the user.
async fn store(conn: &impl ConnectionTrait, user_id: i32, hash: String) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::MustChangePassword, Expr::value(false))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    users::end_sessions(conn, user_id).await
}
