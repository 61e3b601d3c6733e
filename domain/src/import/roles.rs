//! The roles column: role names (custom roles by their name, built-in roles by their name in
//! Dutch, French or English) resolved to roles usable on the user's site and grantable by the
//! importing administrator.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::access::{self, Permission, Permissions, SiteScope};
use crate::entities::role;
use crate::error::{Code, Result};
use crate::roles::{permissions_of, ADMINISTRATOR, LICENCE_MANAGER, USER};
use crate::{Db, Principal};

/// The names a built-in role is known by, besides its stored name.
fn builtin_aliases(key: &str) -> &'static [&'static str] {
    match key {
        ADMINISTRATOR => &["administrator", "beheerder", "administrateur"],
        LICENCE_MANAGER => &[
            "licence manager",
            "license manager",
            "licentiebeheerder",
            "gestionnaire de licences",
        ],
        USER => &["user", "gebruiker", "utilisateur"],
        _ => &[],
    }
}

fn normalise(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub(super) struct RoleNames {
    by_name: HashMap<String, Vec<role::Model>>,
    held: Permissions,
}

impl RoleNames {
    /// Roles defined globally, on the importing site's ancestry or in its subtree.
    pub(super) async fn load(
        db: &Db,
        principal: &Principal,
        scope: &SiteScope,
    ) -> Result<RoleNames> {
        let roles = role::Entity::find()
            .filter(
                Condition::any()
                    .add(role::Column::SiteId.is_null())
                    .add(role::Column::SiteId.is_in(scope.ancestry.clone()))
                    .add(role::Column::SiteId.in_subquery(crate::sites::subtree(scope.site_id()))),
            )
            .all(db.conn())
            .await?;
        let mut by_name: HashMap<String, Vec<role::Model>> = HashMap::new();
        for role in roles {
            let mut names = vec![normalise(&role.name)];
            if let Some(key) = role.builtin_key.as_deref() {
                names.extend(builtin_aliases(key).iter().map(|n| n.to_string()));
            }
            names.sort();
            names.dedup();
            for name in names {
                by_name.entry(name).or_default().push(role.clone());
            }
        }
        Ok(RoleNames {
            by_name,
            held: access::held(principal, scope),
        })
    }

    /// The role called `name` usable on a site (`usable(site_id)` says whether a role defined
    /// on that site applies), or the code of what is wrong.
    pub(super) fn resolve(
        &self,
        name: &str,
        usable: impl Fn(i32) -> bool,
    ) -> std::result::Result<i32, Code> {
        let found = self
            .by_name
            .get(&normalise(name))
            .and_then(|roles| roles.iter().find(|r| r.site_id.is_none_or(&usable)))
            .ok_or(Code::ImportRoleUnknown)?;
        // Granting needs `roles.assign`, and holding what the role grants.
        if !self.held.contains(Permission::RolesAssign)
            || !self.held.includes(permissions_of(found))
        {
            return Err(Code::ImportRoleNotAllowed);
        }
        Ok(found.id)
    }
}
