#!/usr/bin/env bash
# Webhooks against a real server on SQLite with the demo organisation and a real receiver on
# loopback (scripts/webhook_check.py): every delivery verified with the `standardwebhooks`
# library from PyPI, retries after failures, redelivery after the server is killed mid-flight.
# Needs the built server (cargo build -p licentia, or cargo leptos build --split).
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(scripts/py-venv.sh)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$python" scripts/webhook_check.py "$PWD/target/debug/licentia" "$dir" || { tail -30 "$dir/server.log"; exit 1; }
