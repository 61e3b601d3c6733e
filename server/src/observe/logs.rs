//! Logs: human-readable lines by default, JSON lines with `LICENTIA_LOG_FORMAT=json`; the
//! level from `RUST_LOG` (default `info`, the database drivers at `warn`). Nothing that can
//! carry a secret is logged: request lines name the route without its query, and bodies,
//! headers and cookies are never written.
use tracing_subscriber::EnvFilter;

pub const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    pub fn from_env() -> Format {
        match std::env::var("LICENTIA_LOG_FORMAT").as_deref() {
            Ok("json") => Format::Json,
            _ => Format::Text,
        }
    }
}

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into())
}

/// Installs the process's subscriber (once, in `main`).
pub fn init(format: Format) {
    let builder = tracing_subscriber::fmt().with_env_filter(filter());
    match format {
        Format::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        Format::Text => builder.init(),
    }
}

/// A subscriber writing JSON lines to `writer` (tests read what would be logged).
pub fn json_to<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(
            "debug,sqlx=warn,sea_orm=warn,hyper=warn,h2=warn",
        ))
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(writer)
        .finish()
}
