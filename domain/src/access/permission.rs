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
    AppsConnect => "apps.connect",
    AuditView => "audit.view",
    SettingsManage => "settings.manage",
}

/// The areas permissions are grouped in (the role editor shows one group per area).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Sites,
    Users,
    Roles,
    Licences,
    Tokens,
    Apps,
    Audit,
    Settings,
}

impl Category {
    pub const ALL: &'static [Category] = &[
        Category::Sites,
        Category::Users,
        Category::Roles,
        Category::Licences,
        Category::Tokens,
        Category::Apps,
        Category::Audit,
        Category::Settings,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Sites => "sites",
            Category::Users => "users",
            Category::Roles => "roles",
            Category::Licences => "licences",
            Category::Tokens => "tokens",
            Category::Apps => "apps",
            Category::Audit => "audit",
            Category::Settings => "settings",
        }
    }
}

impl Permission {
    /// The area of a permission: the part of its code before the dot.
    pub fn category(self) -> Category {
        let area = self.code().split('.').next().unwrap_or_default();
        Category::ALL
            .iter()
            .copied()
            .find(|c| c.code() == area)
            .unwrap_or(Category::Settings)
    }
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

    /// Whether every permission of `other` is in this set.
    pub fn includes(self, other: Permissions) -> bool {
        other.0 & !self.0 == 0
    }

    /// The permissions in exactly one of the two sets (what an edit adds or takes away).
    pub fn changed(self, other: Permissions) -> Permissions {
        Permissions(self.0 ^ other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }

    /// Parses codes as typed by a client; an unknown code is an error, not ignored.
    pub fn parse_strict(codes: &[String]) -> Option<Self> {
        codes
            .iter()
            .map(|c| Permission::parse(c))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().collect())
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
