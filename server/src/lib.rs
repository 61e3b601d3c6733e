//! The `licentia` server as a library (the binary in `main.rs`, and the benchmarks, use it).
pub mod answer;
pub mod api;
pub mod cli;
pub mod config;
pub mod downloads;
pub mod journal_csv;
pub mod licence_cli;
pub mod lifecycle;
pub mod observe;
pub mod proxies;
pub mod routes;
pub mod scim;
pub mod security;
pub mod sso;
pub mod workers;

/// jemalloc, told to give freed memory back to the system within a second (a background
/// thread purges): after an import or an export the process shrinks again instead of keeping
/// its peak for good, as glibc's allocator did. Unprefixed, so that SQLite's own allocations
/// (its sorter and page cache, in C) go through it too. In the library, so that the tests and
/// the benchmarks run on the allocator the server runs on. Without transparent huge pages: a
/// huge page that jemalloc has mostly freed stays resident whole (115 against 79 MB a minute
/// after an import, BENCHMARKS.md); argon2, which needs them, maps its own memory
/// (`domain::auth::password`).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[export_name = "malloc_conf"]
pub static malloc_conf: &[u8] = b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";
