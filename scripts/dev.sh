#!/usr/bin/env bash
# Installs what is missing, builds, and starts Licentia on ./data/licentia.db (SQLite) with the
# demo organisation. Prints the URL and the demo administrator's credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo leptos build --split
mkdir -p data
export LICENTIA_DATABASE_URL="${LICENTIA_DATABASE_URL:-sqlite://data/licentia.db}"
export LEPTOS_OUTPUT_NAME=licentia LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
echo "Licentia: http://${LEPTOS_SITE_ADDR}  demo administrator: directeur / Horizon-2026 (created on first start)"
exec ./target/debug/licentia serve
