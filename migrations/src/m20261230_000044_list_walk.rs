//! The list's order indexes carry each user's folded searched text, so that a searched page can
//! walk the order shown and check each entry there, without reading rows (issue 23): the first
//! 25 matches by name are then found after as many entries as come before them, not after
//! sorting every match of the organisation (which grows with it).
//!
//! - PostgreSQL: the indexes of migration 42 `INCLUDE` the stored folded text of migration 43,
//!   the site and the id (an index-only scan).
//! - SQLite: a virtual column `search_text` folds the text as the FTS5 table does (lower case,
//!   the usual accents removed; see [`sqlite_fold_columns`]), and the indexes end with the site
//!   and it.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

// The orders of the list, each after the organisation and ending in the public id (migration
// 42's indexes, which `down` restores).
use super::m20261228_000042_user_organisation::INDEXES as ORDERS;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The orders whose index carries the folded text: all three on PostgreSQL (the text is stored
/// once per row written); on SQLite the order by name alone, the list's default: SQLite computes
/// the folded text for every index entry it writes, and the organisation's trigger rewrites each
/// new row's entries once more — with three such indexes a bulk insert of 100,000 users took three
/// times as long (6.7 → 19.3 s in the import benchmark's baseline).
fn walked_orders(postgres: bool) -> &'static [(&'static str, &'static str)] {
    if postgres {
        &ORDERS
    } else {
        &ORDERS[..1]
    }
}

/// Whether a searched page in this order can walk its index (see [`walked_orders`]): the
/// username and creation orders on SQLite cannot.
pub fn order_walkable(postgres: bool, order_index: &str) -> bool {
    walked_orders(postgres)
        .iter()
        .any(|(name, _)| *name == order_index)
}

/// Accented letters and the letter the FTS5 trigram tokenizer's `remove_diacritics 1` folds each
/// to (letters with a diacritic in Unicode's decomposition: not ø, ł or đ, which it keeps).
const ACCENTED: [(&str, char); 30] = [
    ("àáâãäåāăą", 'a'),
    ("ÀÁÂÃÄÅĀĂĄ", 'a'),
    ("çćĉċč", 'c'),
    ("ÇĆĈĊČ", 'c'),
    ("ď", 'd'),
    ("Ď", 'd'),
    ("èéêëēĕėęě", 'e'),
    ("ÈÉÊËĒĔĖĘĚ", 'e'),
    ("ìíîïĩīĭį", 'i'),
    ("ÌÍÎÏĨĪĬĮ", 'i'),
    ("ñńņň", 'n'),
    ("ÑŃŅŇ", 'n'),
    ("òóôõöōŏő", 'o'),
    ("ÒÓÔÕÖŌŎŐ", 'o'),
    ("ùúûüũūŭůűų", 'u'),
    ("ÙÚÛÜŨŪŬŮŰŲ", 'u'),
    ("ýÿ", 'y'),
    ("ÝŸ", 'y'),
    ("śŝşš", 's'),
    ("ŚŜŞŠ", 's'),
    ("źżž", 'z'),
    ("ŹŻŽ", 'z'),
    ("ŕř", 'r'),
    ("ŔŘ", 'r'),
    ("ĺļľ", 'l'),
    ("ĹĻĽ", 'l'),
    ("ĝğġģ", 'g'),
    ("ĜĞĠĢ", 'g'),
    ("ţť", 't'),
    ("ŢŤ", 't'),
];

/// How many calls one of SQLite's fold columns nests at most: Debian's SQLite 3.40 (its `sqlite3`
/// and Python's `sqlite3`) cannot read a schema whose expressions nest 30 calls deep ("parser
/// stack overflow"), so the fold is a chain of virtual columns, each folding some letters of the
/// one before.
const NESTED: usize = 18;

/// SQLite's fold of `text` (an SQL expression) as a chain of virtual columns, in order: (name,
/// expression), each expression reading the column before, the last one `search_text`. The
/// accents of [`ACCENTED`] removed, then lower case (SQLite's `lower` folds ASCII letters only,
/// hence the capitals there).
pub fn sqlite_fold_columns(text: &str) -> Vec<(String, String)> {
    let letters: Vec<(char, char)> = ACCENTED
        .iter()
        .flat_map(|(letters, base)| letters.chars().map(move |letter| (letter, *base)))
        .collect();
    let chunks: Vec<&[(char, char)]> = letters.chunks(NESTED).collect();
    let mut columns = Vec::with_capacity(chunks.len());
    // Text of printable ASCII alone (most names) has no letter to replace: the chain carries
    // NULL for it (each call returns at once) and the last column takes the text itself (a bulk
    // insert paid 110 µs a row for the calls on every text). Each column names the one before
    // once: SQLite expands a virtual column where another names it.
    let mut input = format!("CASE WHEN ({text}) GLOB '*[^ -~]*' THEN ({text}) END");
    for (at, chunk) in chunks.iter().enumerate() {
        let mut folded = input.clone();
        for (letter, base) in chunk.iter() {
            folded = format!("replace({folded}, '{letter}', '{base}')");
        }
        let name = if at + 1 == chunks.len() {
            folded = format!("lower(coalesce({folded}, {text}))");
            "search_text".to_string()
        } else {
            format!("search_fold_{}", at + 1)
        };
        input = name.clone();
        columns.push((name, folded));
    }
    columns
}

/// `text` folded as [`sqlite_fold_columns`] fold in SQL: for the searched part, folded once rather
/// than by the database for every entry checked.
pub fn folded_for_sqlite(text: &str) -> String {
    text.chars()
        .map(|c| {
            ACCENTED
                .iter()
                .find(|(letters, _)| letters.contains(c))
                .map_or(c, |(_, base)| *base)
        })
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The searched text of a user (as migrations 41 and 43 have it), unqualified.
const SEARCHED: &str =
    "username || ' ' || first_name || ' ' || last_name || ' ' || coalesce(email, '')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        if !postgres {
            for (name, expression) in sqlite_fold_columns(SEARCHED) {
                conn.execute_unprepared(&format!(
                    "ALTER TABLE users ADD COLUMN {name} TEXT \
                     GENERATED ALWAYS AS ({expression}) VIRTUAL"
                ))
                .await?;
            }
        }
        for (name, columns) in walked_orders(postgres) {
            conn.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
            let index = if postgres {
                format!(
                    "CREATE INDEX {name} ON users ({columns}) INCLUDE (site_id, id, search_text)"
                )
            } else {
                format!("CREATE INDEX {name} ON users ({columns}, site_id, search_text)")
            };
            conn.execute_unprepared(&index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        for (name, columns) in walked_orders(postgres) {
            conn.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
            conn.execute_unprepared(&format!("CREATE INDEX {name} ON users ({columns})"))
                .await?;
        }
        if !postgres {
            for (name, _) in sqlite_fold_columns(SEARCHED).iter().rev() {
                conn.execute_unprepared(&format!("ALTER TABLE users DROP COLUMN {name}"))
                    .await?;
            }
        }
        Ok(())
    }
}
