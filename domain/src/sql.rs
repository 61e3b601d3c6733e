//! Hand-written statements for the hottest paths, where one round trip has to carry what the
//! query builder would spread over several. Written with `?` placeholders, numbered for
//! PostgreSQL here; the text must hold no `?` of its own.
use sea_orm::{DbBackend, Statement, Value};

pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let text = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, text, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_number_placeholders_for_postgres_only() {
        let pg = statement(
            DbBackend::Postgres,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(pg.sql, "a = $1 AND b = $2");
        let lite = statement(
            DbBackend::Sqlite,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(lite.sql, "a = ? AND b = ?");
    }
}
