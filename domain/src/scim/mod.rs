//! SCIM 2.0 (RFC 7643, RFC 7644): what identity providers (Microsoft Entra ID, Google
//! Workspace, Magister) need from us to push their users. This first part is the filter
//! language that `GET /Users?filter=…` and PATCH paths speak (`filter.rs`) and users as
//! resources, read and listed (`users.rs`); writes and the endpoint follow (issue 19).
pub mod filter;
pub mod users;

pub use filter::{AttrPath, CompValue, CompareOp, Filter};
pub use users::{ScimPage, ScimUser};
