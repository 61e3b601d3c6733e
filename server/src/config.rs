//! Configuration from the environment, with defaults that run on a laptop.
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://data/licentia.db` (default) or `postgres://…`.
    pub database_url: String,
    /// Send cookies only over HTTPS: by default when the public URL is https;
    /// `LICENTIA_SECURE_COOKIES` overrides, both ways.
    pub secure_cookies: bool,
    /// The proxies whose `X-Forwarded-For` is believed (`LICENTIA_TRUSTED_PROXIES`; default
    /// none: the connection's peer is the client).
    pub trusted_proxies: crate::proxies::TrustedProxies,
    /// Sessions end after this long without a request.
    pub idle_timeout: Duration,
    /// Serial sign-up asks for a solved proof-of-work challenge (against robots).
    pub signup_challenge: bool,
    /// The address users reach the server at, for links in mail (default: the listen address).
    pub public_url: Option<String>,
    /// `smtp://host:port`, `smtp://host:587?tls=required` or `smtps://user:pass@host:465`;
    /// none: mail is only written to the outbox folder.
    pub smtp_url: Option<String>,
    /// The sender of every mail.
    pub mail_from: String,
    /// Every mail is also written here as a `.eml` file (default `data/outbox`; `off`: not).
    pub outbox_dir: Option<std::path::PathBuf>,
    /// The wait after a failed delivery; it doubles after every further failure.
    pub mail_retry: Duration,
    /// How often an idle worker looks for queued jobs.
    pub job_poll: Duration,
    /// The wait before a failed webhook delivery's first retry (it doubles after each).
    pub webhook_retry: Duration,
    /// Webhook endpoints (over http) and federations' providers may be addresses on this
    /// machine (tests, local receivers): `LICENTIA_ALLOW_LOOPBACK=1` (or, as before,
    /// `LICENTIA_WEBHOOK_LOOPBACK=1`). Off by default: administrators could otherwise reach the
    /// server's own neighbours.
    pub webhook_loopback: bool,
    /// How long a worker owns a long job without a sign of life (an import renews it after
    /// every batch); a crashed worker's job is taken over after it.
    pub job_lease: Duration,
    /// The largest import file, and rows per import.
    pub import_limits: domain::import::Limits,
    /// Rows an import applies per transaction.
    pub import_batch: usize,
    /// A pause between an import's batches (lets other writers in on SQLite).
    pub import_pause: Duration,
    /// Days an uploaded import file is kept after its run has ended.
    pub import_retention_days: u32,
    /// Single sign-on providers (see `sso::providers`).
    pub sso_providers: Vec<crate::sso::providers::Provider>,
    /// After SIGTERM: how long the process keeps accepting while it tells the proxy to go
    /// elsewhere (`/readyz` 503, `Connection: close`) before it closes its listener.
    pub drain: Duration,
    /// After the listener closed and requests finished: how long workers may take to finish
    /// their step (an import its batch) before they are cut off.
    pub shutdown_patience: Duration,
}

impl Config {
    pub fn from_env() -> Config {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Config {
            database_url: var("LICENTIA_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/licentia.db".into()),
            secure_cookies: secure_cookies(
                var("LICENTIA_SECURE_COOKIES").as_deref(),
                var("LICENTIA_PUBLIC_URL").as_deref(),
            ),
            trusted_proxies: crate::proxies::TrustedProxies::parse(
                &var("LICENTIA_TRUSTED_PROXIES").unwrap_or_default(),
            ),
            idle_timeout: Duration::from_secs(
                var("LICENTIA_IDLE_TIMEOUT_MINUTES")
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(30)
                    * 60,
            ),
            signup_challenge: var("LICENTIA_SIGNUP_CHALLENGE")
                .is_some_and(|v| v == "1" || v == "true"),
            public_url: var("LICENTIA_PUBLIC_URL"),
            smtp_url: var("LICENTIA_SMTP_URL"),
            mail_from: var("LICENTIA_MAIL_FROM")
                .unwrap_or_else(|| "Licentia <no-reply@licentia.localhost>".into()),
            outbox_dir: match var("LICENTIA_OUTBOX_DIR").as_deref() {
                Some("off") => None,
                Some(dir) => Some(dir.into()),
                None => Some("data/outbox".into()),
            },
            mail_retry: Duration::from_secs(
                var("LICENTIA_MAIL_RETRY_SECONDS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(30),
            ),
            job_poll: Duration::from_millis(
                var("LICENTIA_JOB_POLL_MS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1000),
            ),
            webhook_retry: Duration::from_secs(
                var("LICENTIA_WEBHOOK_RETRY_SECONDS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(30),
            ),
            webhook_loopback: ["LICENTIA_ALLOW_LOOPBACK", "LICENTIA_WEBHOOK_LOOPBACK"]
                .iter()
                .any(|name| var(name).is_some_and(|v| v == "1" || v == "true")),
            job_lease: Duration::from_secs(
                var("LICENTIA_JOB_LEASE_SECONDS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(60),
            ),
            import_limits: domain::import::Limits {
                max_bytes: var("LICENTIA_IMPORT_MAX_MB")
                    .and_then(|v| v.parse::<usize>().ok())
                    .map_or(domain::import::Limits::default().max_bytes, |mb| {
                        mb.saturating_mul(1024 * 1024)
                    }),
                ..domain::import::Limits::default()
            },
            import_batch: var("LICENTIA_IMPORT_BATCH")
                .and_then(|v| v.parse().ok())
                .unwrap_or(domain::import::BATCH),
            import_pause: Duration::from_millis(
                var("LICENTIA_IMPORT_PAUSE_MS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            ),
            import_retention_days: var("LICENTIA_IMPORT_RETENTION_DAYS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(domain::import::RETENTION_DAYS),
            sso_providers: crate::sso::providers::from_vars(var),
            drain: Duration::from_millis(
                var("LICENTIA_DRAIN_MS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1000),
            ),
            shutdown_patience: Duration::from_secs(
                var("LICENTIA_SHUTDOWN_SECONDS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(20),
            ),
        }
    }
}

/// `LICENTIA_SECURE_COOKIES` when set (`1`/`true`/`on` or `0`/`false`/`off`), else whether the
/// public URL is https.
fn secure_cookies(setting: Option<&str>, public_url: Option<&str>) -> bool {
    match setting.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        Some("1" | "true" | "on" | "yes") => true,
        Some("0" | "false" | "off" | "no") => false,
        _ => public_url.is_some_and(|url| url.trim().to_ascii_lowercase().starts_with("https://")),
    }
}

#[cfg(test)]
mod tests {
    use super::secure_cookies;

    #[test]
    fn should_make_cookies_secure_for_an_https_public_url_unless_told_otherwise() {
        let https = Some("https://licentia.example");
        let http = Some("http://127.0.0.1:3000");
        assert!(secure_cookies(None, https));
        assert!(!secure_cookies(None, http));
        assert!(!secure_cookies(None, None));
        assert!(!secure_cookies(Some("0"), https));
        assert!(!secure_cookies(Some("false"), https));
        assert!(secure_cookies(Some("1"), http));
        assert!(secure_cookies(Some("true"), None));
    }
}
