//! The database schema, append-only. Every migration runs on SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_sites;
mod m20261123_000002_create_users;
mod m20261123_000003_create_roles;
mod m20261123_000004_create_sessions;
mod m20261124_000005_add_operators;
mod m20261124_000006_create_audit_events;
mod m20261124_000007_unique_role_names;
mod m20261125_000008_create_jobs;
mod m20261125_000009_onboarding;
mod m20261126_000010_imports;
mod m20261127_000011_sso;
mod m20261128_000012_licences;
mod m20261129_000013_api;
mod m20261130_000014_purchase_requests;
mod m20261201_000015_institutions;
mod m20261202_000016_properties;
mod m20261203_000017_dynamic_groups;
mod m20261204_000018_import_configs;
mod m20261205_000019_registration_form;
mod m20261206_000020_announcements;
mod m20261207_000021_vendor_and_challenge;
mod m20261208_000022_sign_in_surface;
mod m20261209_000023_hot_path_indexes;
mod m20261210_000024_external_ids;
mod m20261211_000025_provisioning;
mod m20261212_000026_roster_runs;
mod m20261213_000027_rollovers;
mod m20261214_000028_archived_sites;
mod m20261215_000029_rollover_renewals;
mod m20261216_000030_signing_keys;
mod m20261217_000031_usage_limits;
mod m20261218_000032_webhooks;
mod m20261219_000033_activation_codes;
mod m20261220_000034_expiry_announced;
mod m20261221_000035_job_claims;
mod m20261222_000036_second_factors;
mod m20261223_000037_second_factor_policy;
mod m20261224_000038_passkeys;
mod m20261225_000039_sso_tenants;
mod m20261226_000040_federations;
mod m20261227_000041_user_search;
mod m20261228_000042_user_organisation;
mod m20261229_000043_org_search;
mod m20261230_000044_list_walk;
mod m20261231_000045_usage;
mod m20270101_000046_digest_and_open_sessions;
mod m20270102_000047_journal_subjects;

pub use m20261229_000043_org_search::SEARCHED_USERS;
pub use m20261230_000044_list_walk::{folded_for_sqlite, order_walkable, sqlite_fold_columns};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_sites::Migration),
            Box::new(m20261123_000002_create_users::Migration),
            Box::new(m20261123_000003_create_roles::Migration),
            Box::new(m20261123_000004_create_sessions::Migration),
            Box::new(m20261124_000005_add_operators::Migration),
            Box::new(m20261124_000006_create_audit_events::Migration),
            Box::new(m20261124_000007_unique_role_names::Migration),
            Box::new(m20261125_000008_create_jobs::Migration),
            Box::new(m20261125_000009_onboarding::Migration),
            Box::new(m20261126_000010_imports::Migration),
            Box::new(m20261127_000011_sso::Migration),
            Box::new(m20261128_000012_licences::Migration),
            Box::new(m20261129_000013_api::Migration),
            Box::new(m20261130_000014_purchase_requests::Migration),
            Box::new(m20261201_000015_institutions::Migration),
            Box::new(m20261202_000016_properties::Migration),
            Box::new(m20261203_000017_dynamic_groups::Migration),
            Box::new(m20261204_000018_import_configs::Migration),
            Box::new(m20261205_000019_registration_form::Migration),
            Box::new(m20261206_000020_announcements::Migration),
            Box::new(m20261207_000021_vendor_and_challenge::Migration),
            Box::new(m20261208_000022_sign_in_surface::Migration),
            Box::new(m20261209_000023_hot_path_indexes::Migration),
            Box::new(m20261210_000024_external_ids::Migration),
            Box::new(m20261211_000025_provisioning::Migration),
            Box::new(m20261212_000026_roster_runs::Migration),
            Box::new(m20261213_000027_rollovers::Migration),
            Box::new(m20261214_000028_archived_sites::Migration),
            Box::new(m20261215_000029_rollover_renewals::Migration),
            Box::new(m20261216_000030_signing_keys::Migration),
            Box::new(m20261217_000031_usage_limits::Migration),
            Box::new(m20261218_000032_webhooks::Migration),
            Box::new(m20261219_000033_activation_codes::Migration),
            Box::new(m20261220_000034_expiry_announced::Migration),
            Box::new(m20261221_000035_job_claims::Migration),
            Box::new(m20261222_000036_second_factors::Migration),
            Box::new(m20261223_000037_second_factor_policy::Migration),
            Box::new(m20261224_000038_passkeys::Migration),
            Box::new(m20261225_000039_sso_tenants::Migration),
            Box::new(m20261226_000040_federations::Migration),
            Box::new(m20261227_000041_user_search::Migration),
            Box::new(m20261228_000042_user_organisation::Migration),
            Box::new(m20261229_000043_org_search::Migration),
            Box::new(m20261230_000044_list_walk::Migration),
            Box::new(m20261231_000045_usage::Migration),
            Box::new(m20270101_000046_digest_and_open_sessions::Migration),
            Box::new(m20270102_000047_journal_subjects::Migration),
        ]
    }
}
