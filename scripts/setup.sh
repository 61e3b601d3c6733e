#!/usr/bin/env bash
# Installs what a fresh Debian machine with rustup lacks. Each step runs only when needed.
#   scripts/setup.sh          toolchain for building and running (wasm32, cargo-leptos, wasm-bindgen)
#   scripts/setup.sh --test   also Chromium, PostgreSQL, an SMTP server (aiosmtpd), openpyxl and the browser-test packages
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pinned in Cargo.toml

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  echo "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 11 minutes on 2 cores)…"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ "${1:-}" = "--test" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v node >/dev/null || missing+=(nodejs npm)
  # scripts/start-oidc.sh asks the test OpenID provider whether it runs.
  command -v curl >/dev/null || missing+=(curl)
  # The real SMTP server the mail tests deliver to (scripts/mail-sink.py).
  /usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || missing+=(python3 python3-aiosmtpd)
  # Fills a downloaded import template in the import's browser test (scripts/fill-template.py).
  /usr/bin/python3 -c "import openpyxl" 2>/dev/null || missing+=(python3-openpyxl)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}"
  fi
  if [ ! -d end2end/node_modules/playwright-core ] || [ ! -d end2end/node_modules/axe-core ] \
    || [ ! -d end2end/node_modules/oidc-provider ]; then
    (cd end2end && npm install --no-audit --no-fund)
  fi
fi
