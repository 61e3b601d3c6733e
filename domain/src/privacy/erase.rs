//! Erasing a person, inside the transaction that deletes them: every row of theirs goes, every
//! column that names them is emptied ([`super::inventory`]), and where their name was copied
//! into text that the organisation keeps — the journal, webhook deliveries, a purchase request,
//! an announcement's author — it is replaced by one pseudonym, made at random for this
//! erasure (the same in all their entries, linked to nothing). Mails queued or sent to them go.
//! The journal records that an erasure happened (the caller's entry), not what was erased.
use sea_orm::{ConnectionTrait, Value};

use super::inventory::{Erasure, USER_COLUMNS};
use crate::audit::Change;
use crate::entities::user;
use crate::error::Result;
use crate::sql::statement;

/// How a pseudonym begins: the journal shows "erased user …" in the reader's language.
pub const ERASED_PREFIX: &str = "@erased:";

/// Whether a journal label is an erased person's pseudonym.
pub fn is_pseudonym(label: &str) -> bool {
    label.starts_with(ERASED_PREFIX)
}

/// A new pseudonym: the prefix and 12 random hexadecimal digits.
fn pseudonym() -> String {
    let bytes: [u8; 6] = rand::random();
    format!("{ERASED_PREFIX}{}", crate::tokens::hex(&bytes))
}

/// What names the person in text: their label, username, e-mail address, personnel number,
/// postal address and names (longest first, so that a label is replaced whole before its parts).
fn personal_values(person: &user::Model) -> Vec<String> {
    let mut values: Vec<String> = [
        Some(crate::users::user_label(person)),
        Some(person.username.clone()),
        person.email.clone(),
        person.personnel_number.clone(),
        person.address.clone(),
        Some(format!("{} {}", person.first_name, person.last_name)),
        Some(person.first_name.clone()),
        Some(person.last_name.clone()),
    ]
    .into_iter()
    .flatten()
    .map(|v| v.trim().to_string())
    // A one-letter name would replace letters of other words.
    .filter(|v| v.chars().count() >= 2)
    .collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.chars().count()));
    values.dedup();
    values
}

/// `text` with every personal value replaced by `pseudonym`.
fn scrubbed(text: &str, values: &[String], pseudonym: &str) -> String {
    values.iter().fold(text.to_string(), |text, value| {
        text.replace(value.as_str(), pseudonym)
    })
}

/// A LIKE pattern that finds `value` anywhere (its own `%`, `_` and `\` escaped).
fn anywhere(value: &str) -> String {
    let escaped = value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Erases `person` (whose own row the caller deletes after this, in the same transaction);
/// answers what the journal names them by from now on (the caller's entry of the erasure
/// records that it happened, not what was erased).
pub(crate) async fn erase(
    conn: &impl ConnectionTrait,
    person: &user::Model,
) -> Result<crate::audit::Target> {
    let backend = conn.get_database_backend();
    let run = |sql: String, values: Vec<Value>| statement(backend, &sql, values);
    let id = person.id;
    for c in USER_COLUMNS {
        let (table, column) = (c.table, c.column);
        match c.erasure {
            Erasure::DeleteRows => {
                conn.execute_raw(run(
                    format!("DELETE FROM {table} WHERE {column} = ?"),
                    vec![id.into()],
                ))
                .await?;
            }
            Erasure::Clear => {
                conn.execute_raw(run(
                    format!("UPDATE {table} SET {column} = NULL WHERE {column} = ?"),
                    vec![id.into()],
                ))
                .await?;
            }
            Erasure::Orphan | Erasure::Pseudonymise | Erasure::Person => {}
        }
    }
    let pseudonym = pseudonym();
    let values = personal_values(person);
    journal(conn, person, &values, &pseudonym).await?;
    copies(conn, person, &values, &pseudonym).await?;
    Ok(crate::audit::Target::from(pseudonym))
}

/// The journal: entries about them and entries they made keep the event, with the pseudonym
/// instead of their name (in the label, the actor and the changes) and no address.
async fn journal(
    conn: &impl ConnectionTrait,
    person: &user::Model,
    values: &[String],
    pseudonym: &str,
) -> Result<()> {
    let backend = conn.get_database_backend();
    let label = crate::users::user_label(person);
    // Written before entries named their user by number: by the label they were written with.
    let rows = conn
        .query_all_raw(statement(
            backend,
            "SELECT id, changes FROM audit_events WHERE subject_user_id = ? \
             OR (subject_user_id IS NULL AND target_kind = 'user' AND target_label = ?)",
            vec![person.id.into(), label.into()],
        ))
        .await?;
    for row in rows {
        let entry: i32 = row.try_get("", "id")?;
        let changes: String = row.try_get("", "changes")?;
        conn.execute_raw(statement(
            backend,
            "UPDATE audit_events SET target_label = ?, subject_user_id = NULL, changes = ? \
             WHERE id = ?",
            vec![
                pseudonym.into(),
                scrubbed_changes(&changes, values, pseudonym).into(),
                entry.into(),
            ],
        ))
        .await?;
    }
    conn.execute_raw(statement(
        backend,
        "UPDATE audit_events SET actor_name = ?, actor_id = NULL, client_address = NULL \
         WHERE actor_id = ?",
        vec![pseudonym.into(), person.id.into()],
    ))
    .await?;
    Ok(())
}

/// An entry's changes with the personal values replaced (parsed, so that JSON stays JSON).
fn scrubbed_changes(changes: &str, values: &[String], pseudonym: &str) -> String {
    let Ok(mut parsed) = serde_json::from_str::<Vec<Change>>(changes) else {
        return "[]".into();
    };
    for change in &mut parsed {
        change.before = scrubbed(&change.before, values, pseudonym);
        change.after = scrubbed(&change.after, values, pseudonym);
    }
    serde_json::to_string(&parsed).unwrap_or_else(|_| "[]".into())
}

/// Where their name was copied into text: mails to them go, webhook deliveries and purchase
/// requests keep their event with the pseudonym, an announcement keeps it as its author.
async fn copies(
    conn: &impl ConnectionTrait,
    person: &user::Model,
    values: &[String],
    pseudonym: &str,
) -> Result<()> {
    let backend = conn.get_database_backend();
    let run = |sql: &str, values: Vec<Value>| statement(backend, sql, values);
    // Mails to them, queued or sent (the mail job's payload names its recipient first).
    if let Some(email) = person.email.as_deref().filter(|e| !e.trim().is_empty()) {
        conn.execute_raw(run(
            &format!(
                "DELETE FROM jobs WHERE kind = '{}' AND payload LIKE ? ESCAPE '\\'",
                crate::mail::JOB_KIND
            ),
            vec![anywhere(&format!("\"to\":\"{}\"", json_text(email))).into()],
        ))
        .await?;
    }
    // Work and deliveries about them (a mail to an administrator about their registration, a
    // webhook's event): kept, with the pseudonym. Their values are JSON-escaped there.
    let escaped: Vec<String> = values.iter().map(|v| json_text(v)).collect();
    // Found by what names them alone (a name may be someone else's too).
    let needles: Vec<String> = std::iter::once(person.username.as_str())
        .chain(person.email.as_deref().filter(|e| !e.trim().is_empty()))
        .map(json_text)
        .collect();
    for (table, column) in [("jobs", "payload"), ("webhook_deliveries", "payload")] {
        let mut found: Vec<(i32, String)> = Vec::new();
        for needle in &needles {
            let rows = conn
                .query_all_raw(run(
                    &format!("SELECT id, {column} AS text FROM {table} WHERE {column} LIKE ? ESCAPE '\\'"),
                    vec![anywhere(needle).into()],
                ))
                .await?;
            for row in rows {
                found.push((row.try_get("", "id")?, row.try_get("", "text")?));
            }
        }
        found.sort();
        found.dedup_by_key(|(id, _)| *id);
        for (id, text) in found {
            conn.execute_raw(run(
                &format!("UPDATE {table} SET {column} = ? WHERE id = ?"),
                vec![scrubbed(&text, &escaped, pseudonym).into(), id.into()],
            ))
            .await?;
        }
    }
    // Asked by them, or for them by address (a request keeps its author's copy).
    let email = person.email.clone().filter(|e| !e.trim().is_empty());
    conn.execute_raw(run(
        "UPDATE purchase_requests SET requester_name = ?, email = '' WHERE requested_by = ? \
         OR (? AND email = ?)",
        vec![
            pseudonym.into(),
            person.id.into(),
            email.is_some().into(),
            email.unwrap_or_default().into(),
        ],
    ))
    .await?;
    conn.execute_raw(run(
        "UPDATE announcements SET created_by = ? WHERE created_by = ?",
        vec![pseudonym.into(), person.username.clone().into()],
    ))
    .await?;
    conn.execute_raw(run(
        "DELETE FROM sign_in_throttle WHERE key LIKE ? ESCAPE '\\'",
        vec![anywhere(&person.username).into()],
    ))
    .await?;
    Ok(())
}

/// `value` as it appears inside a JSON string (quotes and backslashes escaped).
fn json_text(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(value)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_replace_a_label_whole_before_its_parts() {
        let values = vec![
            "Ann Peeters (ann)".to_string(),
            "Ann Peeters".to_string(),
            "ann".to_string(),
        ];
        assert_eq!(
            scrubbed("by Ann Peeters (ann)", &values, "@erased:x"),
            "by @erased:x"
        );
        assert!(is_pseudonym(&pseudonym()));
        assert_ne!(pseudonym(), pseudonym(), "made at random");
    }

    #[test]
    fn should_keep_changes_json() {
        let changes = r#"[{"field":"email","before":"ann@x.example","after":""}]"#;
        let out = scrubbed_changes(changes, &["ann@x.example".to_string()], "@erased:x");
        assert_eq!(
            out,
            r#"[{"field":"email","before":"@erased:x","after":""}]"#
        );
    }

    #[test]
    fn should_escape_like_patterns() {
        assert_eq!(anywhere("a_b%c"), "%a\\_b\\%c%");
        assert_eq!(json_text("say \"hi\""), "say \\\"hi\\\"");
    }
}
