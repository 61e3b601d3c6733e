//! Conditions over property values ("Department equals Care", "Hired after 2024-01-01"), as
//! dynamic group rules and the user list's filter use them: checked against the definitions,
//! then turned into one SQL condition on `users.id`, so that matching stays in the database.
use crate::properties::Normalise;
use sea_orm::sea_query::{Expr, Func, LikeExpr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ExprTrait};
use serde::{Deserialize, Serialize};

use super::define::Definition;
use super::kind::Kind;
use crate::entities::{property_definition, property_value, user};
use crate::error::{Code, Error, Result};

/// How a condition compares a user's value (the wire's own: the editor offers
/// `Op::for_kind`).
pub use wire::ConditionOp as Op;

/// A condition as stored and typed: the property by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub key: String,
    pub op: Op,
    #[serde(default)]
    pub value: String,
}

/// A condition checked against the organisation's definitions, its value normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub definition_id: i32,
    pub kind: Kind,
    pub op: Op,
    pub value: String,
}

/// Checks every condition: the property exists, the operator fits its type and the value is
/// one of its values. A refusal names the condition's key.
pub fn check(
    conditions: &[Condition],
    definitions: &[property_definition::Model],
) -> Result<Vec<Checked>> {
    conditions
        .iter()
        .map(|c| {
            let refuse = |code: Code| Error::RefusedAt(code, vec![c.key.clone()]);
            let found = definitions
                .iter()
                .find(|d| d.key == c.key)
                .ok_or_else(|| refuse(Code::PropertyUnknown))?;
            let described = Definition::of(found);
            if !c.op.fits(described.kind) {
                return Err(refuse(Code::PropertyOperatorInvalid));
            }
            let value = if c.op.takes_value() {
                described
                    .kind
                    .normalise(&c.value, &described.choices)
                    .map_err(|e| refuse(e.code()))?
                    .ok_or_else(|| refuse(Code::PropertyValueRequired))?
            } else {
                String::new()
            };
            Ok(Checked {
                definition_id: found.id,
                kind: described.kind,
                op: c.op,
                value,
            })
        })
        .collect()
}

/// The SQL condition on `users.id` that holds for exactly the users meeting every condition.
pub fn condition(checked: &[Checked]) -> sea_orm::Condition {
    checked
        .iter()
        .fold(sea_orm::Condition::all(), |all, c| all.add(one(c)))
}

fn one(c: &Checked) -> SimpleExpr {
    let users = |value_test: Option<SimpleExpr>| -> SelectStatement {
        let mut select = Query::select();
        select
            .column(property_value::Column::UserId)
            .from(property_value::Entity)
            .and_where(property_value::Column::DefinitionId.eq(c.definition_id));
        if let Some(test) = value_test {
            select.and_where(test);
        }
        select
    };
    let value = || Expr::col((property_value::Entity, property_value::Column::Value));
    let id = user::Column::Id;
    match c.op {
        Op::IsSet => id.in_subquery(users(None)),
        Op::IsEmpty => id.not_in_subquery(users(None)),
        Op::Equals => id.in_subquery(users(Some(equals(c, value())))),
        Op::NotEquals => id.not_in_subquery(users(Some(equals(c, value())))),
        Op::Contains => {
            let pattern = format!("%{}%", escape_like(&c.value.to_lowercase()));
            id.in_subquery(users(Some(
                Func::lower(value()).like(LikeExpr::new(pattern).escape('\\')),
            )))
        }
        Op::LessThan | Op::GreaterThan => {
            let compared: SimpleExpr = match c.kind {
                // Only this property's values are cast (CASE keeps the order on PostgreSQL).
                Kind::Number => Expr::case(
                    property_value::Column::DefinitionId.eq(c.definition_id),
                    Func::cast_as(value(), "NUMERIC"),
                )
                .into(),
                _ => value(),
            };
            let bound: SimpleExpr = match (c.kind, c.value.parse::<f64>()) {
                (Kind::Number, Ok(number)) => Expr::val(number),
                _ => Expr::val(c.value.clone()),
            };
            let test = if c.op == Op::LessThan {
                compared.lt(bound)
            } else {
                compared.gt(bound)
            };
            id.in_subquery(users(Some(test)))
        }
    }
}

/// Text compares in any case; other types compare their normalised form.
fn equals(c: &Checked, value: Expr) -> SimpleExpr {
    if c.kind == Kind::Text {
        Func::lower(value).eq(c.value.to_lowercase())
    } else {
        value.eq(c.value.clone())
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
