//! `licentia`: the web server and its commands.
use clap::Parser;
use licentia::cli;

/// jemalloc, told to give freed memory back to the system within a second (a background
/// thread purges): after an import or an export the process shrinks again instead of keeping
/// its peak for good, as glibc's allocator did.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8] = b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    licentia::observe::logs::init(licentia::observe::logs::Format::from_env());
    let args = cli::Args::parse();
    match cli::run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(%err, "stopped with an error");
            eprintln!("licentia: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
