//! No privilege from data written below. A dynamic group that gives a role or a licence hands
//! it to whoever its rule selects, and the rule reads data that lower administrators write
//! (property values, placement, the active flag). So a write that would make a user a new
//! member of such a group is refused unless the actor could give what the group gives
//! themselves: the role's permissions with `roles.assign` on the grant's site, or
//! `licences.assign` on the group's site for a licence.
//!
//! Every write path that can change membership builds a [`Prospect`] (the user as they would
//! be after the write) and asks [`Guard::refuses`] before writing: a user's values, creation,
//! activation, approval, moves of users and of sites, import rows, registration codes.
use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::access::{self, Operation, SiteScope};
use crate::entities::{dynamic_group, group_member, property_value, role, user};
use crate::error::{Code, Error, Result};
use crate::properties::filter::{Checked, Op};
use crate::properties::Kind;
use crate::{sites, Principal};

/// The groups of an organisation whose grants the principal could not give.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    groups: Vec<Guarded>,
}

#[derive(Debug)]
struct Guarded {
    site_id: i32,
    conditions: Vec<Checked>,
    members: HashSet<i32>,
}

/// A user as a write would leave them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prospect<'a> {
    /// None for a user who does not exist yet.
    pub user_id: Option<i32>,
    /// Their site's ancestry (itself first).
    pub ancestry: &'a [i32],
    /// Active, signed up (not pending) and not a service account: what a rule can select.
    pub eligible: bool,
    /// Property values by definition id, normalised.
    pub values: &'a HashMap<i32, String>,
}

impl Guard {
    /// Loads the active groups of the organisation rooted at `root` that give a role or a
    /// licence the principal could not give, with their members. Operators are never guarded.
    pub(crate) async fn load(
        conn: &impl ConnectionTrait,
        principal: &Principal,
        root: i32,
    ) -> Result<Guard> {
        if matches!(principal, Principal::User(actor) if actor.operator) {
            return Ok(Guard::default());
        }
        let groups = dynamic_group::Entity::find()
            .filter(dynamic_group::Column::Active.eq(true))
            .filter(dynamic_group::Column::SiteId.in_subquery(sites::subtree([root])))
            .filter(
                sea_orm::Condition::any()
                    .add(dynamic_group::Column::GrantRoleId.is_not_null())
                    .add(dynamic_group::Column::GrantProductId.is_not_null()),
            )
            .all(conn)
            .await?;
        if groups.is_empty() {
            return Ok(Guard::default());
        }
        let mut site_ids: Vec<i32> = groups
            .iter()
            .flat_map(|g| [Some(g.site_id), g.grant_site_id])
            .flatten()
            .collect();
        site_ids.sort_unstable();
        site_ids.dedup();
        let scopes = sites::scopes_of(conn, &site_ids).await?;
        let role_ids: Vec<i32> = groups.iter().filter_map(|g| g.grant_role_id).collect();
        let roles: HashMap<i32, role::Model> = role::Entity::find()
            .filter(role::Column::Id.is_in(role_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let definitions = crate::properties::of_organisation(conn, root).await?;
        let mut guarded = Vec::new();
        for group in groups {
            let could_give = |scope: Option<&SiteScope>, operation: Operation| {
                scope.is_some_and(|s| access::allows(principal, operation, s))
            };
            let group_scope = scopes.get(&group.site_id);
            let licence_ok = group.grant_product_id.is_none()
                || could_give(group_scope, Operation::AssignLicence);
            let role_ok = match group.grant_role_id {
                None => true,
                Some(role_id) => {
                    let on = scopes.get(&group.grant_site_id.unwrap_or(group.site_id));
                    could_give(on, Operation::SetUserGrants)
                        && match (on, roles.get(&role_id)) {
                            (Some(on), Some(role)) => access::held(principal, on)
                                .includes(crate::roles::permissions_of(role)),
                            _ => false,
                        }
                }
            };
            if licence_ok && role_ok {
                continue;
            }
            let conditions: Vec<crate::properties::filter::Condition> =
                serde_json::from_str(&group.rule).unwrap_or_default();
            // A rule that no longer checks changes nothing (its runs stop), so it selects no one.
            let Ok(conditions) = crate::properties::filter::check(&conditions, &definitions) else {
                continue;
            };
            let members: HashSet<i32> = group_member::Entity::find()
                .select_only()
                .column(group_member::Column::UserId)
                .filter(group_member::Column::GroupId.eq(group.id))
                .into_tuple::<i32>()
                .all(conn)
                .await?
                .into_iter()
                .collect();
            guarded.push(Guarded {
                site_id: group.site_id,
                conditions,
                members,
            });
        }
        Ok(Guard { groups: guarded })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether the user, as the write would leave them, might be selected by a guarded group
    /// they are not a member of yet. Errs on the side of refusing where the databases compare
    /// text differently.
    pub(crate) fn refuses(&self, prospect: &Prospect<'_>) -> bool {
        prospect.eligible
            && self.groups.iter().any(|group| {
                !prospect
                    .user_id
                    .is_some_and(|id| group.members.contains(&id))
                    && prospect.ancestry.contains(&group.site_id)
                    && group
                        .conditions
                        .iter()
                        .all(|c| may_match(c, prospect.values.get(&c.definition_id)))
            })
    }

    /// Whether a user with no values, placed at `ancestry`, might be selected (a new account:
    /// created, registered with a code).
    pub(crate) fn refuses_newcomer(&self, ancestry: &[i32]) -> bool {
        self.refuses(&Prospect {
            user_id: None,
            ancestry,
            eligible: true,
            values: &HashMap::new(),
        })
    }
}

/// Refuses a write that would leave `user` placed at `ancestry` and `eligible` (see
/// [`Prospect`]) with their current values, as a new member of a guarded group.
pub(crate) async fn check_user(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    user: &user::Model,
    ancestry: &[i32],
    eligible: bool,
) -> Result<()> {
    let Some(root) = ancestry.last().copied() else {
        return Ok(());
    };
    let guard = Guard::load(conn, principal, root).await?;
    if guard.is_empty() || !eligible {
        return Ok(());
    }
    let values = values_of(conn, &[user.id])
        .await?
        .remove(&user.id)
        .unwrap_or_default();
    let prospect = Prospect {
        user_id: Some(user.id),
        ancestry,
        eligible,
        values: &values,
    };
    refuse_if(guard.refuses(&prospect))
}

/// Refuses a new account (no values yet) placed at `ancestry` that a guarded group would take.
pub(crate) async fn check_newcomer(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    ancestry: &[i32],
) -> Result<()> {
    let Some(root) = ancestry.last().copied() else {
        return Ok(());
    };
    let guard = Guard::load(conn, principal, root).await?;
    refuse_if(guard.refuses_newcomer(ancestry))
}

/// Refuses moving the site `moving` under `new_parent` when a user of its subtree would
/// newly join a guarded group there.
pub(crate) async fn check_site_move(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    moving: &SiteScope,
    new_parent: &SiteScope,
) -> Result<()> {
    let (Some(site), Some(root)) = (moving.site_id(), new_parent.root_id()) else {
        return Ok(());
    };
    let guard = Guard::load(conn, principal, root).await?;
    if guard.is_empty() {
        return Ok(());
    }
    let users = user::Entity::find()
        .filter(user::Column::SiteId.in_subquery(sites::subtree([site])))
        .all(conn)
        .await?;
    let users: Vec<user::Model> = users.into_iter().filter(eligible).collect();
    let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let values = values_of(conn, &ids).await?;
    let mut homes: Vec<i32> = users.iter().map(|u| u.site_id).collect();
    homes.sort_unstable();
    homes.dedup();
    let scopes = sites::scopes_of(conn, &homes).await?;
    let none = HashMap::new();
    for u in &users {
        // The path up to the moved site stays; above it, the new parent's ancestry.
        let Some(scope) = scopes.get(&u.site_id) else {
            continue;
        };
        let below: Vec<i32> = match scope.ancestry.iter().position(|id| *id == site) {
            Some(at) => scope.ancestry[..=at].to_vec(),
            None => continue,
        };
        let ancestry: Vec<i32> = below
            .into_iter()
            .chain(new_parent.ancestry.iter().copied())
            .collect();
        let prospect = Prospect {
            user_id: Some(u.id),
            ancestry: &ancestry,
            eligible: true,
            values: values.get(&u.id).unwrap_or(&none),
        };
        if guard.refuses(&prospect) {
            return Err(Error::Refused(Code::GroupGrantNotHeld));
        }
    }
    Ok(())
}

fn refuse_if(refused: bool) -> Result<()> {
    if refused {
        Err(Error::Refused(Code::GroupGrantNotHeld))
    } else {
        Ok(())
    }
}

/// Whether a rule can select the user at all (active, signed up, not a service account).
pub(crate) fn eligible(user: &user::Model) -> bool {
    user.active && user.pending.is_none() && !user.service_account
}

/// The property values of users, by user and definition.
pub(crate) async fn values_of(
    conn: &impl ConnectionTrait,
    users: &[i32],
) -> Result<HashMap<i32, HashMap<i32, String>>> {
    let mut found: HashMap<i32, HashMap<i32, String>> = HashMap::new();
    for chunk in users.chunks(500) {
        for row in property_value::Entity::find()
            .filter(property_value::Column::UserId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            found
                .entry(row.user_id)
                .or_default()
                .insert(row.definition_id, row.value);
        }
    }
    Ok(found)
}

/// Whether the condition might hold for `value` in either database (SQLite lowers ASCII
/// letters only, PostgreSQL all letters): true where one of them would say so.
fn may_match(c: &Checked, value: Option<&String>) -> bool {
    let Some(value) = value else {
        return matches!(c.op, Op::IsEmpty | Op::NotEquals);
    };
    let lowered = [value.to_lowercase(), value.to_ascii_lowercase()];
    let wanted = c.value.to_lowercase();
    let equal = |v: &str| match c.kind {
        Kind::Text => v == wanted,
        _ => value == &c.value,
    };
    match c.op {
        Op::IsSet => true,
        Op::IsEmpty => false,
        Op::Equals => lowered.iter().any(|v| equal(v)),
        Op::NotEquals => !lowered.iter().all(|v| equal(v)),
        Op::Contains => lowered.iter().any(|v| v.contains(&wanted)),
        Op::LessThan | Op::GreaterThan => {
            let order = match c.kind {
                Kind::Number => match (value.parse::<f64>(), c.value.parse::<f64>()) {
                    (Ok(a), Ok(b)) => a.partial_cmp(&b),
                    _ => None,
                },
                _ => Some(value.as_str().cmp(c.value.as_str())),
            };
            match order {
                None => true,
                Some(order) if c.op == Op::LessThan => order.is_lt(),
                Some(order) => order.is_gt(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(kind: Kind, op: Op, value: &str) -> Checked {
        Checked {
            definition_id: 1,
            kind,
            op,
            value: value.into(),
        }
    }

    #[test]
    fn should_match_as_either_database_would() {
        let it = |v: &str| Some(v.to_string());
        let cases = [
            (checked(Kind::Text, Op::Equals, "it"), it("IT"), true),
            (checked(Kind::Text, Op::Equals, "zorg"), it("IT"), false),
            (
                checked(Kind::Text, Op::Equals, "écoles"),
                it("ÉCOLES"),
                true,
            ),
            (checked(Kind::Text, Op::NotEquals, "it"), it("IT"), false),
            (
                checked(Kind::Text, Op::NotEquals, "écoles"),
                it("ÉCOLES"),
                true,
            ),
            (checked(Kind::Text, Op::NotEquals, "it"), None, true),
            (checked(Kind::Text, Op::Contains, "car"), it("Care"), true),
            (checked(Kind::Text, Op::IsEmpty, ""), None, true),
            (checked(Kind::Text, Op::IsEmpty, ""), it("x"), false),
            (checked(Kind::Text, Op::IsSet, ""), None, false),
            (checked(Kind::Number, Op::LessThan, "10"), it("9.5"), true),
            (checked(Kind::Number, Op::LessThan, "10"), it("100"), false),
            (
                checked(Kind::Number, Op::GreaterThan, "10"),
                it("100"),
                true,
            ),
            (
                checked(Kind::Date, Op::GreaterThan, "2024-01-01"),
                it("2024-02-01"),
                true,
            ),
            (
                checked(Kind::Date, Op::LessThan, "2024-01-01"),
                it("2024-02-01"),
                false,
            ),
            (checked(Kind::Choice, Op::Equals, "Care"), it("Care"), true),
            (checked(Kind::Choice, Op::Equals, "Care"), None, false),
        ];
        for (condition, value, expected) in cases {
            assert_eq!(
                may_match(&condition, value.as_ref()),
                expected,
                "{condition:?} {value:?}"
            );
        }
    }
}
