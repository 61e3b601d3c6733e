//! A searched page found by walking the list's order. A part of a name that many users share
//! ("ert": one user in seven) has thousands of matches in a large organisation, and the search
//! index gives them all, to be sorted before the first 25 can be shown. Read in the order shown
//! instead (the organisation's name, username or creation index), a page of such matches is
//! among the first few hundred users, however large the organisation. So the page walks the
//! order a chunk at a time and keeps the users that match, until it has a page and one row more
//! or reaches the list's end; after [`WALK_LIMIT`] users without a page (a rare part: few
//! matches, which the index finds cheaply) it leaves the page to the index.
//!
//! Whether a user matches is decided as the index decides: on PostgreSQL by the same condition
//! on the stored folded text (for the chunk's users only); on SQLite, whose folding lives in
//! the FTS5 tokenizer, by folding the same text here as it does (case, and the accents of
//! letters removed).
use std::collections::HashSet;

use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::cursor::{Cursor, Position};
use super::list::{
    list_query, search_condition, Listed, PropertyParts, UserQuery, UserRow, UserSort, PAGE_SIZE,
};
use crate::entities::user;
use crate::error::Result;
use crate::Db;

/// Users read in the order per statement.
const CHUNK: u64 = 200;

/// Users read in the order before the page is left to the search index.
const WALK_LIMIT: usize = 2_000;

/// The page and one row more, in the order read (as [`list_query`] gives them), or `None`
/// when the walk does not apply (no search, a property order, a page named by number beyond
/// the first) or gave up (a rare part: the index's turn).
pub(crate) async fn walked(
    db: &Db,
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
) -> Result<Option<Vec<UserRow>>> {
    let Some(needle) =
        crate::validate::contains_pattern(&query.search).map(|_| folded(query.search.trim()))
    else {
        return Ok(None);
    };
    if query.sort == UserSort::Property || (query.position.is_none() && query.page > 0) {
        return Ok(None);
    }
    let backwards = matches!(query.position, Some(Position::Before(_)));
    let mut plain = UserQuery {
        search: String::new(),
        page: 0,
        ..query.clone()
    };
    let mut found: Vec<UserRow> = Vec::new();
    let mut read = 0;
    loop {
        let chunk = list_query(listed, &plain, parts, db.backend())
            .limit(CHUNK)
            .into_model::<UserRow>()
            .all(db.conn())
            .await?;
        let end = (chunk.len() as u64) < CHUNK;
        read += chunk.len();
        let last = chunk.last().and_then(|r| Cursor::of(r, query.sort));
        let hits = hits(db, listed, query, &needle, &chunk).await?;
        found.extend(chunk.into_iter().filter(|r| hits.contains(&r.id)));
        if found.len() as u64 > PAGE_SIZE {
            found.truncate(PAGE_SIZE as usize + 1);
            return Ok(Some(found));
        }
        if end {
            return Ok(Some(found));
        }
        if read >= WALK_LIMIT {
            return Ok(None);
        }
        let Some(last) = last else {
            return Ok(None);
        };
        plain.position = Some(if backwards {
            Position::Before(last)
        } else {
            Position::After(last)
        });
    }
}

/// Which of `chunk`'s users match the search.
async fn hits(
    db: &Db,
    listed: Listed,
    query: &UserQuery,
    needle: &str,
    chunk: &[UserRow],
) -> Result<HashSet<i32>> {
    if chunk.is_empty() {
        return Ok(HashSet::new());
    }
    match db.backend() {
        DbBackend::Postgres => {
            let Some(condition) =
                search_condition(&query.search, DbBackend::Postgres, listed.organisation_id)
            else {
                return Ok(HashSet::new());
            };
            let ids: Vec<i32> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::Id.is_in(chunk.iter().map(|r| r.id)))
                .filter(condition)
                .into_tuple()
                .all(db.conn())
                .await?;
            Ok(ids.into_iter().collect())
        }
        _ => Ok(chunk
            .iter()
            .filter(|r| folded(&searched(r)).contains(needle))
            .map(|r| r.id)
            .collect()),
    }
}

/// The text a search looks in, as the indexes hold it (`migrations::SEARCHED_USERS`).
fn searched(row: &UserRow) -> String {
    format!(
        "{} {} {} {}",
        row.username,
        row.first_name,
        row.last_name,
        row.email.as_deref().unwrap_or("")
    )
}

/// Text as SQLite's trigram tokenizer compares it (`remove_diacritics 1`): lower case, the
/// marks of accented letters removed ("Émile" → "emile").
pub(crate) fn folded(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::folded;

    #[test]
    fn should_fold_case_and_accents_as_the_index_does() {
        assert_eq!(folded("Émile Lefèvre"), "emile lefevre");
        assert_eq!(folded("ÇA VA, Noël"), "ca va, noel");
        assert_eq!(folded("Ærø"), "ærø");
    }
}
