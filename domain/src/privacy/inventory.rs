//! What Licentia stores about a person, table by table: the one list that erasure, the export
//! and the processing register are made from. A test reads the database's own schema and
//! fails when a column that names a user (a `user_id`, an `…_by`, an `actor_id`, an
//! `owner_id`) is not listed here, so a new table cannot keep a person's data by oversight.

/// Why a table holds personal data: a category of the processing register and of the export
/// (both to come; they will name and translate each category).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Account,
    Access,
    Licences,
    Consents,
    SignIn,
    Security,
    Applications,
    Properties,
    Groups,
    Journal,
    Mail,
    Import,
    Usage,
    Organisation,
}

/// What erasing a person does to a column that names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// The rows go: they are the person's own (a licence, a session, a linked sign-in).
    DeleteRows,
    /// The column is emptied: the row is someone else's or the organisation's (a code they
    /// redeemed, a token they made for a service account).
    Clear,
    /// The number stays and names no one (users' numbers are never given again): a record
    /// of work the organisation keeps (an import run, a school-year rollover).
    Orphan,
    /// The entries stay, with a pseudonym instead of the person: the journal (by number), and
    /// text that copied their username (an announcement's author); see `erase`.
    Pseudonymise,
    /// The person's own row (`users`): deleted last.
    Person,
}

/// A column that names a user, in the table that holds it.
#[derive(Debug, Clone, Copy)]
pub struct UserColumn {
    pub table: &'static str,
    pub column: &'static str,
    pub category: Category,
    pub erasure: Erasure,
}

const fn own(table: &'static str, category: Category) -> UserColumn {
    UserColumn {
        table,
        column: "user_id",
        category,
        erasure: Erasure::DeleteRows,
    }
}

/// Every column that names a user.
pub const USER_COLUMNS: &[UserColumn] = &[
    UserColumn {
        table: "users",
        column: "id",
        category: Category::Account,
        erasure: Erasure::Person,
    },
    own("role_grants", Category::Access),
    own("licences", Category::Licences),
    own("institution_links", Category::Consents),
    own("sso_links", Category::SignIn),
    own("federation_accounts", Category::SignIn),
    own("external_ids", Category::SignIn),
    own("sessions", Category::SignIn),
    own("user_tokens", Category::SignIn),
    own("second_factors", Category::Security),
    own("recovery_codes", Category::Security),
    own("trusted_devices", Category::Security),
    own("api_tokens", Category::Security),
    own("app_sessions", Category::Applications),
    own("app_settings", Category::Applications),
    own("devices", Category::Applications),
    own("property_values", Category::Properties),
    own("group_members", Category::Groups),
    own("rollover_moves", Category::Organisation),
    UserColumn {
        table: "usage_events",
        column: "user_id",
        category: Category::Usage,
        erasure: Erasure::Clear,
    },
    UserColumn {
        table: "audit_events",
        column: "actor_id",
        category: Category::Journal,
        erasure: Erasure::Pseudonymise,
    },
    UserColumn {
        table: "audit_events",
        column: "subject_user_id",
        category: Category::Journal,
        erasure: Erasure::Pseudonymise,
    },
    UserColumn {
        table: "api_tokens",
        column: "created_by",
        category: Category::Security,
        erasure: Erasure::Clear,
    },
    UserColumn {
        table: "activation_batches",
        column: "created_by",
        category: Category::Licences,
        erasure: Erasure::Clear,
    },
    UserColumn {
        table: "activation_codes",
        column: "redeemed_by",
        category: Category::Licences,
        erasure: Erasure::Clear,
    },
    UserColumn {
        table: "federations",
        column: "saved_by",
        category: Category::Organisation,
        erasure: Erasure::Clear,
    },
    UserColumn {
        table: "purchase_requests",
        column: "requested_by",
        category: Category::Licences,
        erasure: Erasure::Clear,
    },
    UserColumn {
        table: "webhook_endpoints",
        column: "owner_id",
        category: Category::Organisation,
        erasure: Erasure::Clear,
    },
    UserColumn {
        table: "announcements",
        column: "created_by",
        category: Category::Organisation,
        erasure: Erasure::Pseudonymise,
    },
    UserColumn {
        table: "import_runs",
        column: "started_by",
        category: Category::Import,
        erasure: Erasure::Orphan,
    },
    UserColumn {
        table: "rollovers",
        column: "started_by",
        category: Category::Organisation,
        erasure: Erasure::Orphan,
    },
];

/// Columns whose names look like a user's but are not.
const NOT_USERS: &[(&str, &str)] = &[
    // How a federation recognises its members (e-mail, username): a setting.
    ("federations", "identify_by"),
];

/// Whether a column's name says it names a user (the schema test's rule).
pub fn names_a_user(table: &str, column: &str) -> bool {
    if NOT_USERS.contains(&(table, column)) {
        return false;
    }
    (table == "users" && column == "id")
        || column == "user_id"
        || column.ends_with("_user_id")
        || column.ends_with("_by")
        || column == "actor_id"
        || column == "owner_id"
}
