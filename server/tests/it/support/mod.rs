//! What the tests share: HTTP requests through the router, the server as a process, a large
//! import to interrupt.
#![allow(dead_code)] // each test uses part of the helpers

pub mod big_import;
pub mod databases;
pub mod http;
pub mod process;
