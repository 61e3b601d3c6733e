#!/usr/bin/env bash
# The user export against a real server on SQLite with the demo organisation and 3,000 more
# pupils: scripts/export_check.py downloads it as .xlsx and CSV while it is sent, reads the
# .xlsx with an independent reader (openpyxl) and requires the same rows as the CSV, the
# header's form and names that a spreadsheet must keep (accents, markup, a formula, a control
# character). Needs the built server (cargo build -p licentia, or cargo leptos build --split).
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(scripts/py-venv.sh)"
dir="$(mktemp -d)"
export LICENTIA_DATABASE_URL="sqlite://$dir/licentia.db"
export LICENTIA_OUTBOX_DIR="$dir/outbox"
export RUST_LOG=warn
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
bin="$PWD/target/debug/licentia"
"$bin" demo >/dev/null
"$python" scripts/export_check.py seed "$dir/licentia.db"
LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_OUTPUT_NAME=licentia LEPTOS_SITE_ROOT=target/site \
  LEPTOS_SITE_PKG_DIR=pkg "$bin" serve --no-demo >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/api/v1/keys" >/dev/null && break
  sleep 0.1
done
"$python" scripts/export_check.py check "http://127.0.0.1:$port"
