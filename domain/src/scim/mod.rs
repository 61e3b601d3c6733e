//! SCIM 2.0 (RFC 7643, RFC 7644): what identity providers (Microsoft Entra ID, Google
//! Workspace, Magister) need from us to push their users: the filter language that
//! `GET /Users?filter=…` and PATCH paths speak (`filter.rs`), users as resources, read and
//! listed (`users.rs`), written (`write.rs`) and patched (`patch.rs`).
pub mod connection;
pub mod filter;
pub mod groups;
pub mod patch;
pub mod project;
pub mod schemas;
pub mod users;
pub mod write;

pub use connection::{connect, Connection};
pub use filter::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
pub use users::{ScimPage, ScimUser};
pub use write::OnDelete;
