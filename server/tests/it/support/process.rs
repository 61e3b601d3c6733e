//! Running the real `licentia` binary in a test: free ports, a child killed when dropped
//! (SIGKILL: no graceful shutdown), waiting for a condition.
#![allow(dead_code)]
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process, killed (SIGKILL) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `licentia serve --no-demo` on `database_url`, quiet, with `env` on top.
pub fn start_licentia(database_url: &str, env: &[(&str, String)]) -> Killed {
    let mut command = Command::new(env!("CARGO_BIN_EXE_licentia"));
    command
        .args(["serve", "--no-demo"])
        .env("LICENTIA_DATABASE_URL", database_url)
        .env("LICENTIA_OUTBOX_DIR", "off")
        .env("LICENTIA_JOB_POLL_MS", "100")
        .env("LICENTIA_PUBLIC_URL", "http://licentia.test")
        .env("LEPTOS_OUTPUT_NAME", "licentia")
        .env("LEPTOS_SITE_ROOT", std::env::temp_dir())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    Killed(command.spawn().unwrap())
}

pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
