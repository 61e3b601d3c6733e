//! Keyset positions in the user list: a page after (or before) a row is found through the
//! list's index from that row's sort values, however deep in the list it is (an offset reads
//! and skips every row before it).
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::list::{UserRow, UserSort};

/// The longest cursor accepted (a name's sort values fit many times over).
const MAX_ENCODED: usize = 1024;

/// A row's place in one order of the list: its sort values and its public id (which makes
/// every place unique).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: SortKey,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Name { last: String, first: String },
    Username(String),
    Created(DateTime<Utc>),
}

/// Which side of a cursor a page lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    After(Cursor),
    Before(Cursor),
}

impl Cursor {
    /// The place of `row` in the order `sort` (none for orders without keyset pages).
    pub fn of(row: &UserRow, sort: UserSort) -> Option<Cursor> {
        let key = match sort {
            UserSort::Name => SortKey::Name {
                last: row.last_name.clone(),
                first: row.first_name.clone(),
            },
            UserSort::Username => SortKey::Username(row.username.clone()),
            UserSort::Created => SortKey::Created(row.created_at),
            UserSort::Property => return None,
        };
        Some(Cursor {
            key,
            id: row.public_id,
        })
    }

    /// Whether this cursor is a place in the order `sort`.
    pub fn fits(&self, sort: UserSort) -> bool {
        matches!(
            (&self.key, sort),
            (SortKey::Name { .. }, UserSort::Name)
                | (SortKey::Username(_), UserSort::Username)
                | (SortKey::Created(_), UserSort::Created)
        )
    }

    /// The cursor as it stands in an address.
    pub fn encode(&self) -> String {
        B64.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// A cursor from an address that is a place in the order `sort`; anything else (of another
    /// order, too long, damaged) is none.
    pub fn decode_for(text: &str, sort: UserSort) -> Option<Cursor> {
        Cursor::decode(text).filter(|c| c.fits(sort))
    }

    /// A cursor from an address; anything else (too long, damaged) is none: the list then
    /// pages by number.
    pub fn decode(text: &str) -> Option<Cursor> {
        if text.is_empty() || text.len() > MAX_ENCODED {
            return None;
        }
        let bytes = B64.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let cursor = Cursor {
            key: SortKey::Name {
                last: "Dupont \"l'aîné\"".into(),
                first: "Émile".into(),
            },
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor.clone()));
        assert!(cursor.fits(UserSort::Name));
        assert!(!cursor.fits(UserSort::Created));
        assert_eq!(Cursor::decode("not a cursor"), None);
        assert_eq!(Cursor::decode(&"A".repeat(MAX_ENCODED + 1)), None);
        assert_eq!(Cursor::decode(""), None);
    }
}
