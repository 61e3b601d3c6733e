#!/usr/bin/env bash
# Property-based API testing: schemathesis (PyPI) generates requests from /api/openapi.json for
# LICENTIA_SCHEMATHESIS_SECONDS (default 300) against a real server on SQLite with the demo
# organisation, a product and an administrator's token, and fails on any 5xx, any response
# that does not match the document, any schema-valid request refused other than as
# scripts/schemathesis.toml allows, and any operation never served (the same file gives it the
# demo's real ids). Part of the long mode: LICENTIA_LONG=1 scripts/test.sh.
# Needs the built server (cargo leptos build --split).
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
# The demo has "reader" and "speech"; one more product outside its bundle.
"$bin" product create --key atlas --name Atlas >/dev/null
token="$("$bin" token create --username directeur --name schemathesis)"
LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_OUTPUT_NAME=licentia LEPTOS_SITE_ROOT=target/site \
  LEPTOS_SITE_PKG_DIR=pkg "$bin" serve --no-demo >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/api/openapi.json" >/dev/null && break
  sleep 0.1
done

# Real ids for the fuzzer, asked of the API itself (scripts/schemathesis.toml binds them to the
# path and body parameters): the sites and users the token sees, and application sessions
# opened for the users whose licence covers the demo's products (some to keep alive with
# heartbeats, some to close) and devices registered for them (to forget).
api="http://127.0.0.1:$port/api/v1"
call() { curl -fsS -H "Authorization: Bearer $token" -H "Content-Type: application/json" "$@"; }
json() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); $1"; }
# A dictionary file: one quoted value a line (ids and usernames need no escaping).
dict() { sed 's/.*/"&"/' >"$dir/$1.dict"; [ -s "$dir/$1.dict" ] || { echo "no $1 found" >&2; exit 1; }; }
config="$dir/schemathesis.toml"
cp scripts/schemathesis.toml "$config"
call "$api/sites" >"$dir/sites.json"
json 'print(*[s["id"] for s in d], sep="\n")' <"$dir/sites.json" | dict sites
root="$(json 'print(next(s["id"] for s in d if s["parent_id"] is None))' <"$dir/sites.json")"
call "$api/sites/$root/users?include_subsites=true" >"$dir/users.json"
json 'print(*[u["id"] for u in d["users"]], sep="\n")' <"$dir/users.json" | dict users
json 'print(*[u["username"] for u in d["users"]], sep="\n")' <"$dir/users.json" | dict usernames
: >"$dir/live"; : >"$dir/closable"; : >"$dir/devices"; : >"$dir/licensed"
for user in $(json 'print(*[u["id"] for u in d["users"]])' <"$dir/users.json"); do
  [ "$(call "$api/users/$user/licence?product=reader" | json 'print(d["valid"])')" = True ] || continue
  echo "$user" >>"$dir/licensed"
  for product in reader speech; do
    call -X POST -d "{\"product\":\"$product\"}" "$api/users/$user/sessions" | json 'print(d["id"])'
  done >>"$dir/live"
  for _ in 1 2 3 4 5 6 7 8; do
    call -X POST -d '{"product":"reader"}' "$api/users/$user/sessions" | json 'print(d["id"])'
  done >>"$dir/closable"
  for n in 1 2 3 4 5 6 7 8; do
    call -X POST -d "{\"product\":\"reader\",\"fingerprint\":\"schemathesis-$n\"}" \
      "$api/users/$user/devices" | json 'print(d["id"])'
  done >>"$dir/devices"
done
dict live-sessions <"$dir/live"
dict closable-sessions <"$dir/closable"
dict devices <"$dir/devices"
dict licensed <"$dir/licensed"

echo "schemathesis for ${seconds}s against http://127.0.0.1:$port"
status=0
"$venv/bin/schemathesis" --config-file "$config" run "http://127.0.0.1:$port/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --max-time "$seconds" \
  --continue-on-failure \
  --report junit --report-dir "$dir/report" || status=$?
if grep -q "panicked" "$dir/server.log"; then
  echo "the server panicked:"; grep -A5 panicked "$dir/server.log"; status=1
fi
exit "$status"
