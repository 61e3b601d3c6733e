//! The vendor's licensing commands: `keys` (list, rotate, remove the keys that sign licence
//! files), `licence verify` (check a file as an application would, offline) and `limits` (the
//! devices and sessions a bundle or a subscription allows).
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use clap::Subcommand;

use crate::config::Config;

type Error = Box<dyn std::error::Error>;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List the signing keys, newest first (the first one not retired signs).
    List,
    /// Make a new signing key; the others are retired but still published, so that the files
    /// they signed keep verifying until they expire.
    Rotate,
    /// Stop publishing a retired key: files it signed are refused from then on.
    Remove { kid: String },
}

#[derive(Subcommand)]
pub enum LicenceCommand {
    /// Verify a licence file: signature, period, time-to-live and device, as an application
    /// does offline. Exits with 1 and the reason when the file is refused.
    Verify {
        /// The licence file (a compact JWS, or a JWE when sealed).
        file: std::path::PathBuf,
        /// A JWK Set to verify against (what `/api/v1/keys` serves); without it, the keys this
        /// server publishes.
        #[arg(long)]
        keys: Option<std::path::PathBuf>,
        /// The user's licence key (base64url), for a sealed file.
        #[arg(long)]
        key: Option<String>,
        /// The fingerprint of this device, for a file bound or sealed to one.
        #[arg(long)]
        device: Option<String>,
    },
}

/// What `licentia limits` sets: on a bundle (by name) or a subscription (by serial number),
/// each limit a whole number; a limit not given is no limit.
#[derive(clap::Args)]
pub struct LimitsArgs {
    /// The bundle's name.
    #[arg(
        long,
        conflicts_with = "subscription",
        required_unless_present = "subscription"
    )]
    bundle: Option<String>,
    /// The subscription's serial number (its own limits override its bundle's).
    #[arg(long)]
    subscription: Option<String>,
    /// Devices a user may use a product on.
    #[arg(long)]
    devices: Option<i32>,
    /// Application sessions a user may have open at once.
    #[arg(long)]
    user_sessions: Option<i32>,
    /// Application sessions the subscription may have open at once (floating seats).
    #[arg(long)]
    sessions: Option<i32>,
}

pub async fn limits(config: &Config, args: LimitsArgs) -> Result<(), Error> {
    use domain::applications::{self, Limits};
    let db = domain::Db::connect_and_migrate(&config.database_url).await?;
    let limits = Limits {
        devices: args.devices,
        user_sessions: args.user_sessions,
        sessions: args.sessions,
    };
    let done = match (&args.bundle, &args.subscription) {
        (Some(name), _) => applications::set_bundle_limits_unchecked(&db, name, limits).await,
        (_, Some(serial)) => {
            applications::set_subscription_limits_unchecked(&db, serial, limits).await
        }
        (None, None) => return Err("--bundle or --subscription".into()),
    };
    match done {
        Ok(()) => {
            let show = |v: Option<i32>| v.map_or("none".to_string(), |n| n.to_string());
            println!(
                "Limits set: devices per user {}, sessions per user {}, sessions per subscription {}.",
                show(limits.devices),
                show(limits.user_sessions),
                show(limits.sessions)
            );
            Ok(())
        }
        Err(err) => {
            let field = err.field().map(|f| format!(" ({f})")).unwrap_or_default();
            Err(format!("limits not set: {}{field}", err.code().as_str()).into())
        }
    }
}

#[derive(Subcommand)]
pub enum WebhookCommand {
    /// Register an endpoint and print its signing secret (once): for a site's subtree, or
    /// without --site the vendor's, for every organisation.
    Create {
        #[arg(long)]
        url: String,
        /// Event types, comma-separated (user.created, user.deactivated, …).
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
        /// The site's id.
        #[arg(long)]
        site: Option<uuid::Uuid>,
    },
}

pub async fn webhook(config: &Config, command: WebhookCommand) -> Result<(), Error> {
    let WebhookCommand::Create { url, events, site } = command;
    let db = domain::Db::connect_and_migrate(&config.database_url).await?;
    domain::webhooks::allow_loopback(config.webhook_loopback);
    let form = domain::webhooks::NewEndpoint {
        site,
        url,
        events,
        description: String::new(),
    };
    match domain::webhooks::register_unchecked(&db, form).await {
        Ok(made) => {
            println!("{}", made.secret);
            Ok(())
        }
        Err(err) => {
            let field = err.field().map(|f| format!(" ({f})")).unwrap_or_default();
            Err(format!("endpoint not registered: {}{field}", err.code().as_str()).into())
        }
    }
}

pub async fn keys(config: &Config, command: KeysCommand) -> Result<(), Error> {
    use domain::licence_files;
    let db = domain::Db::connect_and_migrate(&config.database_url).await?;
    match command {
        KeysCommand::List => {
            for key in licence_files::list(&db).await? {
                let state = match key.retired_at {
                    Some(at) => format!("retired {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "signing".to_string(),
                };
                println!(
                    "{}\t{}\t{state}\t{}",
                    key.kid,
                    key.created_at.format("%Y-%m-%d %H:%M UTC"),
                    key.public
                );
            }
            Ok(())
        }
        KeysCommand::Rotate => {
            let key = licence_files::rotate(&db, chrono::Utc::now()).await?;
            println!("{}", key.kid);
            Ok(())
        }
        KeysCommand::Remove { kid } => match licence_files::remove(&db, &kid).await {
            Ok(()) => {
                println!("Key {kid} removed: files it signed are refused from now on.");
                Ok(())
            }
            Err(err) => Err(format!("key not removed: {}", err.code().as_str()).into()),
        },
    }
}

pub async fn licence(config: &Config, command: LicenceCommand) -> Result<(), Error> {
    let LicenceCommand::Verify {
        file,
        keys,
        key,
        device,
    } = command;
    let text = std::fs::read_to_string(&file)?;
    let published = match keys {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)?,
        None => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            (*domain::licence_files::published(&db).await?).clone()
        }
    };
    let user_key: Option<[u8; 32]> = match key {
        Some(text) => Some(
            B64.decode(text.trim())
                .ok()
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or("--key: 32 bytes in base64url expected")?,
        ),
        None => None,
    };
    let claims = domain::licence_files::verify(
        &text,
        &published,
        user_key.as_ref(),
        device.as_deref(),
        chrono::Utc::now(),
    )
    .map_err(|refusal| format!("refused: {refusal}"))?;
    println!(
        "valid: {} ({}) of {}, products {}, {} to {}, check online by {}{}",
        claims.user.username,
        claims.user.id,
        claims.organisation.name,
        claims.products.join(", "),
        claims.valid_from,
        claims.valid_until,
        chrono::DateTime::from_timestamp(claims.check_by, 0)
            .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        claims
            .device
            .map(|d| format!(", device {d}"))
            .unwrap_or_default()
    );
    Ok(())
}
