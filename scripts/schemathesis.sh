#!/usr/bin/env bash
# Property-based API testing: schemathesis (PyPI) generates requests from /api/openapi.json for
# LICENTIA_SCHEMATHESIS_SECONDS (default 300) against a real server on SQLite with the demo
# organisation, a product and an administrator's token, and fails on any 5xx or any response
# that does not match the document. Part of the long mode: LICENTIA_LONG=1 scripts/test.sh.
# Needs the built server (cargo leptos build).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${LICENTIA_SCHEMATHESIS_SECONDS:-300}"
venv=target/schemathesis-venv

if ! /usr/bin/python3 -c "import venv, ensurepip" 2>/dev/null; then
  sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq python3-venv
fi
if [ ! -x "$venv/bin/schemathesis" ]; then
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis>=4.3,<5"
fi

dir="$(mktemp -d)"
export LICENTIA_DATABASE_URL="sqlite://$dir/licentia.db"
export LICENTIA_OUTBOX_DIR="$dir/outbox"
export RUST_LOG=warn
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
bin=target/debug/licentia
"$bin" demo >/dev/null
"$bin" product create --key reader --name Reader >/dev/null
token="$("$bin" token create --username directeur --name schemathesis)"
LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_OUTPUT_NAME=licentia LEPTOS_SITE_ROOT=target/site \
  LEPTOS_SITE_PKG_DIR=pkg "$bin" serve --no-demo >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/api/openapi.json" >/dev/null && break
  sleep 0.1
done

echo "schemathesis for ${seconds}s against http://127.0.0.1:$port"
status=0
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --max-time "$seconds" \
  --continue-on-failure \
  --report junit --report-dir "$dir/report" || status=$?
if grep -q "panicked" "$dir/server.log"; then
  echo "the server panicked:"; grep -A5 panicked "$dir/server.log"; status=1
fi
exit "$status"
