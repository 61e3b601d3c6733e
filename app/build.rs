//! Generates the `i18n` module from `locales/<lang>/<namespace>.json` (nl is the default).
use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?).join("i18n");
    let config = Config::new("nl")?
        .add_locales(["fr", "en"])?
        .add_namespaces([
            "common",
            "auth",
            "admin",
            "roles",
            "journal",
            "onboarding",
            "operator",
            "import",
            "profile",
            "tokens",
            "developers",
            "overview",
            "groups",
            "rollover",
            "webhooks",
            "usage",
        ])?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(config)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
