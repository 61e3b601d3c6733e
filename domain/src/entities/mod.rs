//! sea-orm entities, one per table, mirroring `migrations/`. Plain data only:
//! behaviour lives in the area modules (`sites/`, `users/`, ...).
pub mod audit_event;
pub mod role;
pub mod role_grant;
pub mod session;
pub mod site;
pub mod site_closure;
pub mod user;
