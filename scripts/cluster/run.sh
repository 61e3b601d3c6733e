#!/usr/bin/env bash
# The loopback cluster test (issue 18, "Done when", first bullet): PostgreSQL, three
# `licentia serve` release processes and nginx on 127.0.0.1, then scripts/cluster/load.mjs:
#   a. 500 concurrent user creations for 100 free seats through nginx give exactly 100;
#   b. a token revoked through process 1 is refused by processes 2 and 3 within 100 ms;
#   c. load through nginx while process 2 gets SIGTERM: no request fails.
# Then process 2 must have exited cleanly (status 0), is started again, and every /readyz
# answers 200. Needs a release build first:  scripts/release.sh
#
# Settings (environment):
#   LICENTIA_BIN        the binary (default target/release/licentia)
#   LICENTIA_SITE_ROOT  the site folder (default target/site)
#   CLUSTER_PROXY_PORT  nginx (default 3100);  CLUSTER_PORTS  the processes ("3101 3102 3103")
#   CLUSTER_DB          database name (default licentia_cluster, dropped and created again)
#   PGPORT              PostgreSQL of scripts/start-postgres.sh (default 55432)
#   CLUSTER_KEEP=1      keep the run folder (logs) and the database afterwards
#   CLUSTER_READY_PATH  the readiness path waited for (default /readyz)
#   NGINX               the nginx binary (default: nginx on the PATH, else /usr/sbin/nginx)
#   and load.mjs's: CLUSTER_CREATIONS, CLUSTER_SEATS, CLUSTER_REVOKE_LIMIT_MS,
#   CLUSTER_REVOKE_POLL_MS, CLUSTER_LOAD_SECONDS, CLUSTER_LOAD_CONCURRENCY, CLUSTER_KILL_AT_MS
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
LICENTIA_BIN="${LICENTIA_BIN:-$repo/target/release/licentia}"
SITE_ROOT="${LICENTIA_SITE_ROOT:-$repo/target/site}"
PROXY_PORT="${CLUSTER_PROXY_PORT:-3100}"
read -r -a PORTS <<<"${CLUSTER_PORTS:-3101 3102 3103}"
DB_NAME="${CLUSTER_DB:-licentia_cluster}"
READY_PATH="${CLUSTER_READY_PATH:-/readyz}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
SERIAL=77000100

say() { echo "[cluster] $*"; }
die() { say "ERROR: $*"; exit 1; }

# --- Preflight -----------------------------------------------------------------------------
[ -x "$LICENTIA_BIN" ] || die "no binary at $LICENTIA_BIN (cargo leptos build --release --split)"
ls "$SITE_ROOT"/pkg/*.wasm >/dev/null 2>&1 || die "no wasm in $SITE_ROOT/pkg (cargo leptos build --release --split)"
[ -x "$NGINX" ] || die "nginx not found (apt-get install nginx libnginx-mod-http-brotli-static)"
command -v node >/dev/null || die "node not found"
command -v psql >/dev/null || die "psql not found (apt-get install postgresql)"
[ "${#PORTS[@]}" -ge 3 ] || die "CLUSTER_PORTS needs three ports"
for port in "$PROXY_PORT" "${PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is already taken"; fi
done
# The demo administrator, as domain/src/demo.rs defines them.
demo_const() { sed -n "s/^pub const $1: &str = \"\(.*\)\";/\1/p" "$repo/domain/src/demo.rs"; }
ADMIN_USERNAME="$(demo_const ADMIN_USERNAME)"
ADMIN_PASSWORD="$(demo_const ADMIN_PASSWORD)"
if [ -z "$ADMIN_USERNAME" ] || [ -z "$ADMIN_PASSWORD" ]; then
  die "demo administrator not found in domain/src/demo.rs"
fi

RUN="$(mktemp -d /tmp/licentia-cluster.XXXXXX)"
chmod 755 "$RUN"   # nginx's workers (nobody) write their temp files below it
declare -A PID=()
NGINX_PID=""
failed=0
DATABASE_URL=""
PG_URL=""

cleanup() {
  local status=$?
  for pid in "${PID[@]}" $NGINX_PID; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PID[@]}" $NGINX_PID; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ "${CLUSTER_KEEP:-0}" != 1 ] && [ -n "$PG_URL" ]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "${CLUSTER_KEEP:-0}" = 1 ]; then
    say "logs kept in $RUN"
  else
    rm -rf "$RUN"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Database ------------------------------------------------------------------------------
PG_URL="$("$repo/scripts/start-postgres.sh")"
PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -q \
  -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null
DATABASE_URL="$PG_URL/$DB_NAME"
say "database $DATABASE_URL"

# What every process gets (the systemd unit's environment file in production).
export LICENTIA_DATABASE_URL="$DATABASE_URL"
export LICENTIA_PUBLIC_URL="http://127.0.0.1:$PROXY_PORT"
export LICENTIA_TRUSTED_PROXIES=127.0.0.1
export LICENTIA_OUTBOX_DIR=off
export LEPTOS_OUTPUT_NAME=licentia
export LEPTOS_SITE_ROOT="$SITE_ROOT"
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_ENV=PROD
export RUST_LOG="${RUST_LOG:-warn}"
# A build with cargo-leptos hash-files leaves hash.txt next to the binary.
if [ -z "${LEPTOS_HASH_FILES:-}" ] && [ -f "$(dirname "$LICENTIA_BIN")/hash.txt" ]; then
  export LEPTOS_HASH_FILES=true
fi

# Once, before any process starts (as the systemd unit's comment says): the schema, the
# demo organisation, and a subscription of CLUSTER_SEATS (100) more seats for it to claim.
"$LICENTIA_BIN" migrate >"$RUN/migrate.log" 2>&1 || { cat "$RUN/migrate.log"; die "migrate failed"; }
"$LICENTIA_BIN" demo >"$RUN/demo.log" 2>&1 || { cat "$RUN/demo.log"; die "demo failed"; }
"$LICENTIA_BIN" subscription create --serial "$SERIAL" --seats "${CLUSTER_SEATS:-100}" --from "$(date -u +%F)" \
  --until "$(date -u -d '+1 year' +%F)" --language en >"$RUN/subscription.log" 2>&1 \
  || { cat "$RUN/subscription.log"; die "subscription create failed"; }

# --- Processes and nginx -------------------------------------------------------------------
start_process() { # start_process PORT: one `licentia serve` on 127.0.0.1:PORT
  LEPTOS_SITE_ADDR="127.0.0.1:$1" "$LICENTIA_BIN" serve --no-demo --no-migrate >>"$RUN/licentia-$1.log" 2>&1 &
  PID[$1]=$!
}

wait_ready() { # wait_ready PORT: until PORT's readiness path answers 200 (60 s)
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$READY_PATH")" = 200 ] && return 0
    if ! kill -0 "${PID[$1]}" 2>/dev/null; then
      tail -n 30 "$RUN/licentia-$1.log"; die "the process on $1 ended before it was ready"
    fi
    sleep 0.1
  done
  tail -n 30 "$RUN/licentia-$1.log"; die "$1$READY_PATH did not answer 200 within 60 s"
}

for port in "${PORTS[@]}"; do start_process "$port"; done
"$here/nginx-conf.sh" "$RUN" "$SITE_ROOT" "$PROXY_PORT" "${PORTS[*]}"
"$NGINX" -t -q -p "$RUN" -c "$RUN/nginx.conf" || die "nginx -t refused $RUN/nginx.conf"
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf" &
NGINX_PID=$!
started=$(date +%s%N)
for port in "${PORTS[@]}"; do wait_ready "$port"; done
say "processes ready on ${PORTS[*]} in $((($(date +%s%N) - started) / 1000000)) ms; nginx on $PROXY_PORT"
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/healthz" && break; sleep 0.1; done

# --- What nginx itself does, on the real build -----------------------------------------------
check() { # check WHAT GOT WANTED
  if [ "$2" = "$3" ]; then say "ok: $1 ($2)"; else say "FAILED: $1: got '$2', wanted '$3'"; failed=$((failed + 1)); fi
}
header() { tr -d '\r' | awk -v n="$1" -F': ' 'tolower($1) == n { print $2 }'; }
base="http://127.0.0.1:$PROXY_PORT"
wasm="$(find "$SITE_ROOT/pkg" -maxdepth 1 -name 'licentia*.wasm' -printf '%f\n' -quit)"
cache="$(curl -sI "$base/pkg/$wasm" | header cache-control)"
case "$cache" in
  *immutable*|no-cache) say "ok: /pkg/$wasm Cache-Control: $cache" ;;
  *) check "/pkg/$wasm Cache-Control" "$cache" "public, max-age=31536000, immutable" ;;
esac
if [ -f "$SITE_ROOT/pkg/$wasm.gz" ]; then
  check "/pkg/$wasm gzip_static" "$(curl -sI -H 'Accept-Encoding: gzip' "$base/pkg/$wasm" | header content-encoding)" gzip
else
  say "note: no $wasm.gz (build with --precompress for gzip_static/brotli_static)"
fi
if [ -f "$SITE_ROOT/pkg/$wasm.br" ] && grep -q brotli_static "$RUN/licentia-proxy.conf"; then
  check "/pkg/$wasm brotli_static" "$(curl -sI -H 'Accept-Encoding: br' "$base/pkg/$wasm" | header content-encoding)" br
fi
check "/metrics through nginx from 127.0.0.1" "$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")" 200
check "/metrics through nginx from 127.0.0.2" \
  "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$base/metrics")" 403
for port in "${PORTS[@]}"; do
  check "127.0.0.1:$port/healthz" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" 200
done

# --- The driver ----------------------------------------------------------------------------
processes=""
pids=""
for port in "${PORTS[@]}"; do processes+="http://127.0.0.1:$port "; pids+="${PID[$port]} "; done
set +e
CLUSTER_PROXY="$base" CLUSTER_PROCESSES="$processes" CLUSTER_PIDS="$pids" \
  CLUSTER_DATABASE_URL="$DATABASE_URL" CLUSTER_SERIAL="$SERIAL" CLUSTER_REPORT="$RUN/report.json" \
  CLUSTER_ADMIN_USERNAME="$ADMIN_USERNAME" CLUSTER_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  CLUSTER_READY_PATH="$READY_PATH" node "$here/load.mjs"
driver=$?
set -e
[ "$driver" -eq 0 ] || failed=$((failed + 1))

# --- After SIGTERM: process 2 ended cleanly, starts again, everyone is ready ------------------
second="${PORTS[1]}"
if ! grep -q '"stopMs"' "$RUN/report.json" 2>/dev/null; then
  say "FAILED: part c did not run: process $second was not sent SIGTERM"; failed=$((failed + 1))
elif kill -0 "${PID[$second]}" 2>/dev/null; then
  say "FAILED: the process on $second is still running after SIGTERM"; failed=$((failed + 1))
else
  set +e
  wait "${PID[$second]}" 2>/dev/null
  exit_status=$?
  set -e
  check "exit status of the process on $second after SIGTERM (143: killed, not graceful)" "$exit_status" 0
  start_process "$second"
  wait_ready "$second"
fi
for port in "${PORTS[@]}"; do
  check "127.0.0.1:$port$READY_PATH after the restart" \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$READY_PATH")" 200
done
check "licentia check (seat counters against a recount)" \
  "$("$LICENTIA_BIN" check >"$RUN/check.log" 2>&1; echo $?)" 0
refused="$(grep -c 'Connection refused' "$RUN/nginx-error.log" || true)"
say "nginx passed $refused refused connection(s) on to another process"

if [ "$failed" -ne 0 ]; then say "RESULT: $failed check(s) FAILED"; exit 1; fi
say "RESULT: all passed"
