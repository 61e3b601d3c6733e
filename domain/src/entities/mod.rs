//! sea-orm entities, one per table, mirroring `migrations/`. Plain data only:
//! behaviour lives in the area modules (`sites/`, `users/`, ...).
pub mod api_token;
pub mod app_session;
pub mod app_setting;
pub mod audit_event;
pub mod bundle;
pub mod bundle_product;
pub mod import_file;
pub mod import_result;
pub mod import_run;
pub mod institution_link;
pub mod job;
pub mod licence;
pub mod product;
pub mod property_definition;
pub mod property_value;
pub mod purchase_request;
pub mod role;
pub mod role_grant;
pub mod session;
pub mod sign_in_throttle;
pub mod site;
pub mod site_closure;
pub mod sso_link;
pub mod subscription;
pub mod user;
pub mod user_token;
