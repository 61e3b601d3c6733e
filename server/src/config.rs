//! Configuration from the environment, with defaults that run on a laptop.
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://data/licentia.db` (default) or `postgres://…`.
    pub database_url: String,
    /// Send cookies only over HTTPS (set in production behind TLS).
    pub secure_cookies: bool,
    /// Sessions end after this long without a request.
    pub idle_timeout: Duration,
}

impl Config {
    pub fn from_env() -> Config {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Config {
            database_url: var("LICENTIA_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/licentia.db".into()),
            secure_cookies: var("LICENTIA_SECURE_COOKIES").is_some_and(|v| v == "1" || v == "true"),
            idle_timeout: Duration::from_secs(
                var("LICENTIA_IDLE_TIMEOUT_MINUTES")
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(30)
                    * 60,
            ),
        }
    }
}
