#!/usr/bin/env bash
# SCIM conformance: scim2-tester (PyPI, a checker written by Yaal Coop) runs every check it has
# against /scim/v2 of a real server on SQLite with the demo organisation and a token of its
# director whose SCIM DELETE deletes users for good (the deactivating choice keeps the user,
# which the deletion check reads as a failure, by design). Fails on any ERROR or CRITICAL check
# not listed in scripts/scim2-tester-allowed.txt (the checks that do not apply, with reasons;
# the README lists them), and on a listed check that passes.
# Needs the built server (cargo build -p licentia, or cargo leptos build --split).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/scim2-venv

if ! /usr/bin/python3 -c "import venv, ensurepip" 2>/dev/null; then
  sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq python3-venv
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import scim2_tester, httpx2" 2>/dev/null; then
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q "scim2-tester[httpx2]==0.5.2"
fi

dir="$(mktemp -d)"
export LICENTIA_DATABASE_URL="sqlite://$dir/licentia.db"
export LICENTIA_OUTBOX_DIR="$dir/outbox"
export RUST_LOG=warn
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
bin=target/debug/licentia
"$bin" demo >/dev/null
token="$("$bin" token create --username directeur --name scim2-tester --scim-deletes)"
LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_OUTPUT_NAME=licentia LEPTOS_SITE_ROOT=target/site \
  LEPTOS_SITE_PKG_DIR=pkg "$bin" serve --no-demo >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/scim/v2/ServiceProviderConfig" >/dev/null && break
  sleep 0.1
done
"$venv/bin/python" scripts/scim2_check.py "http://127.0.0.1:$port/scim/v2" "$token" \
  scripts/scim2-tester-allowed.txt
