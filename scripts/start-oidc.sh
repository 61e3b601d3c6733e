#!/usr/bin/env bash
# Starts the test OpenID Connect provider (end2end/oidc/provider.mjs: "Google" on
# 127.0.0.1:${OIDC_GOOGLE_PORT:-55601}, "Microsoft" on 127.0.0.1:${OIDC_MICROSOFT_PORT:-55602},
# Microsoft's every-tenant endpoint on 127.0.0.1:${OIDC_ENTRA_PORT:-55603}) unless all answer. It runs detached, logging to /tmp/licentia-oidc.log; stop it with
#   kill "$(cat /tmp/licentia-oidc.pid)"
# Prints the issuer URLs as NAME=value lines, ready for export:
#   vars="$(scripts/start-oidc.sh)" && export $vars
# which sets LICENTIA_TEST_OIDC_GOOGLE, LICENTIA_TEST_OIDC_MICROSOFT and LICENTIA_TEST_OIDC_ENTRA.
set -euo pipefail
cd "$(dirname "$0")/.."
GOOGLE="http://127.0.0.1:${OIDC_GOOGLE_PORT:-55601}"
MICROSOFT="http://127.0.0.1:${OIDC_MICROSOFT_PORT:-55602}"
ENTRA="http://127.0.0.1:${OIDC_ENTRA_PORT:-55603}"
LOG=/tmp/licentia-oidc.log

answers() {
  curl -fsS -o /dev/null "$GOOGLE/.well-known/openid-configuration" 2>/dev/null \
    && curl -fsS -o /dev/null "$MICROSOFT/.well-known/openid-configuration" 2>/dev/null \
    && curl -fsS -o /dev/null "$ENTRA/.well-known/openid-configuration" 2>/dev/null
}

if ! answers; then
  command -v node >/dev/null || { echo "node not found (apt-get install nodejs npm)" >&2; exit 1; }
  # npm's output goes to stderr: stdout is only for the variables.
  [ -d end2end/node_modules/oidc-provider ] || (cd end2end && npm ci --no-audit --no-fund >&2)
  setsid nohup node end2end/oidc/provider.mjs >"$LOG" 2>&1 </dev/null &
  PID=$!
  for _ in $(seq 1 40); do
    answers && break
    if ! kill -0 "$PID" 2>/dev/null; then
      echo "the OIDC test provider exited:" >&2; cat "$LOG" >&2; exit 1
    fi
    sleep 0.5
  done
  answers || { kill "$PID"; echo "the OIDC test provider did not answer within 20 s, see $LOG" >&2; exit 1; }
  echo "$PID" >/tmp/licentia-oidc.pid
fi
echo "LICENTIA_TEST_OIDC_GOOGLE=$GOOGLE"
echo "LICENTIA_TEST_OIDC_MICROSOFT=$MICROSOFT"
echo "LICENTIA_TEST_OIDC_ENTRA=$ENTRA"
