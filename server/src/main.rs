//! `licentia`: the web server and its commands.
use clap::Parser;
use licentia::cli;

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
