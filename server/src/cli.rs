//! Commands: `serve` (default), `migrate`, `demo`, `check`, `operator`, `subscription`,
//! `product`, `token`, `group`, `keys`, `licence`, `limits`, `webhook`.
use clap::{Parser, Subcommand};
use leptos::prelude::get_configuration;

use crate::config::Config;

#[derive(Parser)]
#[command(name = "licentia", about = "Licence and user administration server")]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (migrates first; seeds the demo on an empty database).
    Serve {
        /// Do not seed the demo organisation on an empty database.
        #[arg(long)]
        no_demo: bool,
        /// Do not migrate at start (several processes: run `licentia migrate` once before;
        /// `/readyz` answers 503 while migrations are pending).
        #[arg(long)]
        no_migrate: bool,
    },
    /// Write a consistent copy of the SQLite database to FILE while the server runs (for
    /// PostgreSQL, use pg_dump: see the README).
    Backup {
        /// The copy to write; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Create the demo organisation "Scholengroep Horizon".
    Demo,
    /// Verify the stored seat counters against a recount.
    Check,
    /// Manage operators (the vendor's staff, who see every organisation).
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Manage subscriptions (serial numbers an administrator claims at sign-up).
    Subscription {
        #[command(subcommand)]
        command: SubscriptionCommand,
    },
    /// Manage products and bundles (what subscriptions are for and applications ask about).
    Product {
        #[command(subcommand)]
        command: ProductCommand,
    },
    /// Issue an API token for an account (e.g. a vendor application's service account).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The vendor's keys that sign licence files.
    Keys {
        #[command(subcommand)]
        command: crate::licence_cli::KeysCommand,
    },
    /// Webhook endpoints.
    Webhook {
        #[command(subcommand)]
        command: crate::licence_cli::WebhookCommand,
    },
    /// The devices and sessions a bundle or a subscription allows.
    Limits(crate::licence_cli::LimitsArgs),
    /// Signed licence files.
    Licence {
        #[command(subcommand)]
        command: crate::licence_cli::LicenceCommand,
    },
    /// Dynamic groups: recompute members now (the server also does on each group's schedule).
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
}

#[derive(Subcommand)]
enum GroupCommand {
    /// Recompute the members of every active group, or of the groups with this name.
    Run {
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum ProductCommand {
    /// Create a product. Its key is what applications ask for.
    Create {
        /// 2 to 40 lower-case letters, digits and dashes, e.g. `reader`.
        #[arg(long)]
        key: String,
        #[arg(long)]
        name: String,
    },
    /// Create a bundle of existing products.
    Bundle {
        #[arg(long)]
        name: String,
        /// Product keys, comma-separated.
        #[arg(long, value_delimiter = ',')]
        products: Vec<String>,
    },
    /// List the products and bundles.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it (once: only its hash is kept).
    Create {
        /// The account the token acts as.
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// The last day it works, YYYY-MM-DD (none: until revoked).
        #[arg(long, default_value = "")]
        expires: String,
        /// A SCIM DELETE through the token deletes the user for good (else: deactivates).
        #[arg(long)]
        scim_deletes: bool,
    },
}

/// A domain refusal as one line: its code and, for input, the field.
fn refusal(what: &str, err: &domain::Error) -> Error {
    let field = err.field().map(|f| format!(" ({f})")).unwrap_or_default();
    format!("{what}: {}{field}", err.code().as_str()).into()
}

#[derive(Subcommand)]
enum SubscriptionCommand {
    /// Create a subscription; its confirmation mail goes to --email (queued in the outbox).
    Create {
        /// 6 to 11 digits.
        #[arg(long)]
        serial: String,
        #[arg(long)]
        seats: u32,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        until: String,
        /// The customer's contact address, for the confirmation mail.
        #[arg(long, default_value = "")]
        email: String,
        /// The language of the confirmation mail: nl, fr or en.
        #[arg(long, default_value = "nl")]
        language: String,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator account. The password is read from LICENTIA_OPERATOR_PASSWORD or,
    /// when that is not set, from the first line of standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        #[arg(long, default_value = "")]
        email: String,
    },
}

type Error = Box<dyn std::error::Error>;

pub async fn run(args: Args) -> Result<(), Error> {
    let config = Config::from_env();
    let serve_by_default = Command::Serve {
        no_demo: false,
        no_migrate: false,
    };
    match args.command.unwrap_or(serve_by_default) {
        Command::Serve {
            no_demo,
            no_migrate,
        } => serve(config, no_demo, no_migrate).await,
        Command::Backup { file } => {
            let db = domain::Db::connect(&config.database_url).await?;
            match domain::backup::write(&db, &file).await {
                Ok(bytes) => {
                    println!("Backup written to {} ({bytes} bytes).", file.display());
                    Ok(())
                }
                Err(err) => Err(format!("backup not written: {}", err.code().as_str()).into()),
            }
        }
        Command::Migrate => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            domain::roles::ensure_builtin(db.conn()).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::Demo => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            domain::demo::seed(&db).await?;
            domain::demo::seed_licences(&db).await?;
            print_demo_credentials();
            Ok(())
        }
        Command::Operator {
            command:
                OperatorCommand::Create {
                    username,
                    first_name,
                    last_name,
                    email,
                },
        } => {
            let password = match std::env::var("LICENTIA_OPERATOR_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            let form = domain::users::NewUserForm {
                username: username.clone(),
                first_name,
                last_name,
                email,
                password,
                ..Default::default()
            };
            match domain::operators::create(&db, form).await {
                Ok(vendor) => {
                    println!("Operator \"{username}\" created in \"{vendor}\".");
                    Ok(())
                }
                Err(err) => Err(format!("operator not created: {}", err.code().as_str()).into()),
            }
        }
        Command::Subscription {
            command:
                SubscriptionCommand::Create {
                    serial,
                    seats,
                    from,
                    until,
                    email,
                    language,
                },
        } => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            let form = domain::subscriptions::SubscriptionForm {
                serial,
                seats: seats.to_string(),
                valid_from: from,
                valid_until: until,
                contact_email: email,
                locale: language,
            };
            match domain::subscriptions::insert(&db, form).await {
                Ok(created) => {
                    println!(
                        "Subscription {} created: {} seats, {} to {}.",
                        created.serial, created.seats, created.valid_from, created.valid_until
                    );
                    Ok(())
                }
                Err(err) => {
                    let field = err.field().map(|f| format!(" ({f})")).unwrap_or_default();
                    Err(format!("subscription not created: {}{field}", err.code().as_str()).into())
                }
            }
        }
        Command::Group {
            command: GroupCommand::Run { name },
        } => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            let reports = domain::groups::run_unchecked(&db, name.as_deref()).await?;
            if reports.is_empty() {
                return Err("no active group to run".into());
            }
            for (name, report) in reports {
                match report.problem {
                    Some(problem) => println!("{name}: unchanged ({problem})"),
                    None => println!(
                        "{name}: {} members, {} joined, {} left, {} granted, {} without a free licence",
                        report.members, report.joined, report.left, report.granted, report.ungranted
                    ),
                }
            }
            Ok(())
        }
        Command::Keys { command } => crate::licence_cli::keys(&config, command).await,
        Command::Licence { command } => crate::licence_cli::licence(&config, command).await,
        Command::Limits(args) => crate::licence_cli::limits(&config, args).await,
        Command::Webhook { command } => crate::licence_cli::webhook(&config, command).await,
        Command::Product { command } => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            product_command(&db, command).await
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    username,
                    name,
                    expires,
                    scim_deletes,
                },
        } => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            let form = domain::api_tokens::NewToken {
                name,
                expires_on: expires,
                scim_deletes,
            };
            let today = wire::time::today();
            match domain::api_tokens::issue_unchecked(&db, &username, form, today).await {
                Ok(issued) => {
                    println!("{}", issued.secret);
                    Ok(())
                }
                Err(err) => Err(refusal("token not created", &err)),
            }
        }
        Command::Check => {
            let db = domain::Db::connect_and_migrate(&config.database_url).await?;
            let problems = domain::sites::seat_counter_mismatches(&db).await?;
            if problems.is_empty() {
                println!("Seat counters are exact.");
                Ok(())
            } else {
                Err(problems.join("\n").into())
            }
        }
    }
}

async fn product_command(db: &domain::Db, command: ProductCommand) -> Result<(), Error> {
    use domain::products;
    match command {
        ProductCommand::Create { key, name } => {
            match products::insert_product(db, &key, &name).await {
                Ok(created) => {
                    println!("Product {} ({}) created.", created.key, created.name);
                    Ok(())
                }
                Err(err) => Err(refusal("product not created", &err)),
            }
        }
        ProductCommand::Bundle {
            name,
            products: keys,
        } => match products::insert_bundle(db, &name, &keys).await {
            Ok(created) => {
                println!(
                    "Bundle \"{}\" created: {}.",
                    created.name,
                    created.products.join(", ")
                );
                Ok(())
            }
            Err(err) => Err(refusal("bundle not created", &err)),
        },
        ProductCommand::List => {
            let (all, bundles) = products::catalogue_unchecked(db).await?;
            for p in all {
                println!("product {}\t{}", p.key, p.name);
            }
            for b in bundles {
                println!("bundle  {}\t{}", b.name, b.products.join(","));
            }
            Ok(())
        }
    }
}

async fn serve(config: Config, no_demo: bool, no_migrate: bool) -> Result<(), Error> {
    let db = if no_migrate {
        domain::Db::connect(&config.database_url).await?
    } else {
        domain::Db::connect_and_migrate(&config.database_url).await?
    };
    if !no_migrate {
        domain::roles::ensure_builtin(db.conn()).await?;
        if !no_demo && domain::demo::seed_if_empty(&db).await?.created {
            println!(
                "Demo organisation \"{}\" created.",
                domain::demo::ORGANISATION
            );
            print_demo_credentials();
        }
    }
    let hashing = domain::auth::password::configure(domain::auth::password::size_from_env());
    tracing::info!(
        workers = hashing.workers,
        queue = hashing.queue,
        "password hashing pool"
    );
    let mut leptos = get_configuration(None)?.leptos_options;
    // A build with hash-files leaves hash.txt beside the binary: the pages then name the
    // hashed files (LEPTOS_HASH_FILES=false turns it off).
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(leptos.hash_file.as_ref())))
            .is_some_and(|file| file.exists());
    }
    let addr = leptos.site_addr;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let lifecycle = crate::lifecycle::Lifecycle::new();
    let mail = crate::workers::mail::MailWorker::new(db.clone(), &config, public_url)
        .map_err(|e| format!("mail configuration: {e}"))?
        .with_stop(lifecycle.stop());
    let imports =
        crate::workers::jobs::JobWorker::new(db.clone(), &config).with_stop(lifecycle.stop());
    domain::webhooks::allow_loopback(config.webhook_loopback);
    let hooks = crate::workers::webhooks::WebhookWorker::new(db.clone(), &config)
        .map_err(|e| format!("webhook client: {e}"))?
        .with_stop(lifecycle.stop());
    let router = crate::routes::app_with(&config, db.clone(), leptos, lifecycle.clone());
    lifecycle.spawn("mail", mail.run());
    lifecycle.spawn("jobs", imports.run());
    lifecycle.spawn("webhooks", hooks.run());
    lifecycle.spawn(
        "housekeeping",
        housekeeping(db.clone(), config.import_retention_days, lifecycle.stop()),
    );
    lifecycle.spawn("groups", schedule_groups(db.clone(), lifecycle.stop()));
    // Not watched by readiness through `spawn`: it reports through `cache::listening`.
    tokio::spawn(domain::cache::listen(db.clone()));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("Licentia is running at http://{addr}");
    let draining = {
        let lifecycle = lifecycle.clone();
        let drain = config.drain;
        async move {
            crate::lifecycle::signal().await;
            tracing::info!(
                drain_ms = drain.as_millis() as u64,
                "stopping: draining, then closing the listener"
            );
            lifecycle.begin_draining();
            tokio::time::sleep(drain).await;
        }
    };
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(draining)
    .await?;
    tracing::info!("requests finished; stopping the workers");
    lifecycle.stop_workers(config.shutdown_patience).await;
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}

fn print_demo_credentials() {
    println!(
        "Demo administrator: username \"{}\", password \"{}\"",
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD
    );
}

/// Queues the runs of dynamic groups whose time has come, every minute.
async fn schedule_groups(db: domain::Db, mut stop: crate::lifecycle::Stop) {
    loop {
        if stop.sleep(std::time::Duration::from_secs(60)).await {
            return;
        }
        if let Err(err) = domain::groups::enqueue_due(&db, chrono::Utc::now()).await {
            tracing::warn!(%err, "queueing dynamic groups failed");
        }
    }
}

/// Removes expired sessions every hour (and queues the removal of old import files).
async fn housekeeping(
    db: domain::Db,
    import_retention_days: u32,
    mut stop: crate::lifecycle::Stop,
) {
    while !stop.requested() {
        if let Err(err) = domain::sessions::delete_expired(&db).await {
            tracing::warn!(%err, "cleaning expired sessions failed");
        }
        if let Err(err) = domain::import::schedule_cleanup(&db, import_retention_days).await {
            tracing::warn!(%err, "queueing the removal of old import files failed");
        }
        if let Err(err) = domain::auth::throttle::forget_old(&db).await {
            tracing::warn!(%err, "cleaning sign-in throttling failed");
        }
        if let Err(err) = domain::applications::cull(&db, chrono::Utc::now()).await {
            tracing::warn!(%err, "ending silent application sessions failed");
        }
        if let Err(err) = domain::webhooks::announce_expired(&db, wire::time::today()).await {
            tracing::warn!(%err, "announcing ended subscriptions to webhooks failed");
        }
        match domain::webhooks::disable_failing(&db, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                endpoints = n,
                "webhook endpoints failing for days switched off"
            ),
            Err(err) => tracing::warn!(%err, "switching off failing webhook endpoints failed"),
        }
        let now = chrono::Utc::now();
        if let Err(err) = domain::webhooks::forget_old(&db, now).await {
            tracing::warn!(%err, "removing old webhook deliveries failed");
        }
        if let Err(err) = domain::jobs::forget_finished(&db, now).await {
            tracing::warn!(%err, "removing old finished jobs failed");
        }
        if let Err(err) = domain::auth::devices::forget_old(&db).await {
            tracing::warn!(%err, "forgetting unused device cookies failed");
        }
        // The usage charts' daily roll-up (a job: one worker of any process runs it).
        if let Err(err) = domain::usage::schedule(&db).await {
            tracing::warn!(%err, "queueing the usage roll-up failed");
        }
        if let Err(err) = domain::usage::forget_old(&db, now).await {
            tracing::warn!(%err, "removing the old usage log failed");
        }
        // The operators' weekly renewals mail (once a week, whichever process comes first).
        if let Err(err) = domain::customers::send_digest_due(&db, now).await {
            tracing::warn!(%err, "queueing the weekly renewals mail failed");
        }
        // A renewal takes over the seat limit on its first day.
        let today = wire::time::today();
        if let Err(err) = domain::subscriptions::sync_root_limits(&db, today).await {
            tracing::warn!(%err, "following the subscriptions' seats failed");
        }
        stop.sleep(std::time::Duration::from_secs(3600)).await;
    }
}
