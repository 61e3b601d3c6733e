//! Permissions: fine-grained verbs on areas, stored as their codes.

macro_rules! permissions {
    ($($variant:ident => $code:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Permission { $($variant,)* }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $(Permission::$variant => $code,)* }
            }

            pub fn parse(code: &str) -> Option<Permission> {
                match code { $($code => Some(Permission::$variant),)* _ => None }
            }

            fn bit(self) -> u32 {
                1 << (self as u32)
            }
        }
    };
}

permissions! {
    SitesView => "sites.view",
    SitesManage => "sites.manage",
    UsersView => "users.view",
    UsersManage => "users.manage",
    UsersImport => "users.import",
    RolesView => "roles.view",
    RolesManage => "roles.manage",
    RolesAssign => "roles.assign",
    LicencesView => "licences.view",
    LicencesAssign => "licences.assign",
    LicencesOrder => "licences.order",
    TokensManageOwn => "tokens.manage_own",
    TokensManageAll => "tokens.manage_all",
    AuditView => "audit.view",
    SettingsManage => "settings.manage",
}

/// A set of permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions(u32);

impl Permissions {
    pub fn all() -> Self {
        Permission::ALL.iter().copied().collect()
    }

    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: Permissions) -> Permissions {
        Permissions(self.0 | other.0)
    }

    /// Parses the stored form (comma-separated codes); unknown codes are ignored.
    pub fn parse(stored: &str) -> Self {
        stored
            .split(',')
            .filter_map(|code| Permission::parse(code.trim()))
            .collect()
    }

    pub fn to_stored(self) -> String {
        Permission::ALL
            .iter()
            .filter(|p| self.contains(**p))
            .map(|p| p.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl FromIterator<Permission> for Permissions {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Permissions(iter.into_iter().fold(0, |bits, p| bits | p.bit()))
    }
}
