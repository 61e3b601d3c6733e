//! The licence check of an application calling with its token, in one statement without the
//! cache: the token with its account and grants, and the user's facts (site ancestry, licences
//! with their products, whether the product exists), as one `UNION ALL`. Nothing is told before
//! the token is accepted: an unknown or refused token is `Unauthenticated` whatever the user.
use chrono::NaiveDate;
use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use super::check::{cached, conclude, facts, facts_of, facts_sql, known_of, CheckKey};
use super::LicenceCheck;
use crate::api_tokens;
use crate::cache;
use crate::error::{Error, Result};
use crate::identity::load;
use crate::Db;

/// The facts' columns, typed and empty, for the token's part of the statement.
const NO_FACTS_COLUMNS: &str = ", 't' AS kind, CAST(NULL AS INTEGER) AS user_id, \
     CAST(NULL AS INTEGER) AS ancestor_id, CAST(NULL AS INTEGER) AS depth, \
     CAST(NULL AS INTEGER) AS subscription_id, CAST(NULL AS INTEGER) AS bundle_id, \
     CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_until, \
     CAST(NULL AS TIMESTAMPTZ) AS assigned_at, CAST(NULL AS VARCHAR) AS product_key";

/// The text of [`token_and_facts_statement`], put together once.
static TOKEN_AND_FACTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} UNION ALL {}",
        load::by_token_sql(NO_FACTS_COLUMNS),
        facts_sql(&format!("{}, ", load::NO_TOKEN_COLUMNS)),
    )
});

/// The token's rows (kind `t`) and the facts' rows (kinds `a`, `l`, `p`) in one statement.
pub(crate) fn token_and_facts_statement(
    backend: DbBackend,
    digest: &str,
    user: Uuid,
    product: Option<&str>,
) -> Statement {
    crate::sql::statement(
        backend,
        &TOKEN_AND_FACTS,
        vec![
            digest.into(),
            user.into(),
            user.into(),
            product.unwrap_or_default().to_string().into(),
        ],
    )
}

/// May this user use this product, asked with an API token's secret: the caller is the token's
/// account, as [`api_tokens::authenticate`] accepts it.
pub async fn check_with_token(
    db: &Db,
    secret: &str,
    user: Uuid,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<LicenceCheck> {
    let digest = api_tokens::digest_of(secret)?;
    let product = product.map(str::trim);
    let key: CheckKey = (user, product.map(str::to_string), today);
    let generation = cache::generation();
    // The facts stay a `Result` until the token is accepted: a refused token tells nothing.
    let (token, known) = match (api_tokens::cached(&digest), cached(&key)) {
        (None, None) => {
            let statement = token_and_facts_statement(db.backend(), &digest, user, product);
            let rows = db.conn().query_all_raw(statement).await?;
            let (token_rows, fact_rows): (Vec<_>, Vec<_>) = rows
                .iter()
                .partition(|row| row.try_get::<String>("", "kind").is_ok_and(|k| k == "t"));
            let token = load::token_of(&token_rows, today)?.ok_or(Error::Unauthenticated)?;
            api_tokens::remember(&digest, generation, &token);
            (
                token,
                known_of(facts_of(fact_rows.into_iter()), product, today),
            )
        }
        // One of the two is cached: the other alone is one statement.
        (token, known) => {
            let token = match token {
                Some(token) => token,
                None => api_tokens::find(db, &digest, today).await?,
            };
            let known = match known {
                Some(known) => Ok(known),
                None => known_of(facts(db, user, product).await, product, today),
            };
            (token, known)
        }
    };
    let principal = api_tokens::accept(db, digest, token, today).await?;
    conclude(&principal, key, generation, known?)
}
