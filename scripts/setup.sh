#!/usr/bin/env bash
# Installs what a fresh Debian machine with rustup lacks. Each step runs only when needed.
#   scripts/setup.sh          toolchain for building and running (OpenSSL's headers, wasm32,
#                             cargo-leptos, wasm-bindgen, wasm-opt for release builds)
#   scripts/setup.sh --test   also Chromium, PostgreSQL, an SMTP server (aiosmtpd), openpyxl, nginx,
#                             wrk, brotli and the browser-test packages
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pinned in Cargo.toml

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Passkeys (webauthn-rs) verify signatures with OpenSSL: its headers, found through pkg-config.
if ! pkg-config --exists openssl 2>/dev/null; then
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq libssl-dev pkg-config
fi
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
# `cargo leptos build --release` runs wasm-opt and would download it (no network): binaryen
# from npm (132 ships wasm-opt as a node script; Debian's 108 breaks the wasm), on the PATH
# through cargo's bin folder. Needs Node.js and npm.
BINARYEN_VERSION=132
BINARYEN_DIR="${LICENTIA_TOOLS:-$HOME/.cache/licentia-tools}/binaryen"
if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  if ! command -v npm >/dev/null; then
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq nodejs npm
  fi
  npm install --silent --no-audit --no-fund --prefix "$BINARYEN_DIR" "binaryen@$BINARYEN_VERSION"
  mkdir -p "$HOME/.cargo/bin"
  ln -sf "$BINARYEN_DIR/node_modules/.bin/wasm-opt" "$HOME/.cargo/bin/wasm-opt"
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
  # Several processes behind a proxy (scripts/cluster), load for the benchmarks, and the
  # precompressed assets of a release build (scripts/release.sh).
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  [ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || missing+=(libnginx-mod-http-brotli-static)
  command -v wrk >/dev/null || missing+=(wrk)
  # scripts/watchdog.sh prints where a hung test waits.
  command -v gdb >/dev/null || missing+=(gdb)
  command -v brotli >/dev/null || missing+=(brotli)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}"
  fi
  if [ ! -d end2end/node_modules/playwright-core ] || [ ! -d end2end/node_modules/axe-core ] \
    || [ ! -d end2end/node_modules/oidc-provider ]; then
    (cd end2end && npm install --no-audit --no-fund)
  fi
fi
