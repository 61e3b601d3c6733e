#!/usr/bin/env bash
# The whole test suite: unit and integration tests (SQLite and a real PostgreSQL server, started
# here when none runs), a real OpenID provider (oidc-provider from npm, started here), the build,
# and the end-to-end tests in headless Chromium. LICENTIA_LONG=1 adds the long checks
# (schemathesis against the HTTP API for 5 minutes; a release build and the three-process test on
# PostgreSQL behind nginx, scripts/cluster/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

echo "== formatting and lints"
cargo fmt --all -- --check
cargo clippy -p wire -p session -p domain -p migrations -p licentia --all-targets -- -D warnings
cargo clippy -p app --features ssr --all-targets -- -D warnings

echo "== PostgreSQL"
export LICENTIA_TEST_PG="$(scripts/start-postgres.sh)"
export LICENTIA_REQUIRE_PG=1

echo "== OpenID provider (two issuers standing in for Google and Microsoft)"
vars="$(scripts/start-oidc.sh)"
export $vars
export LICENTIA_REQUIRE_OIDC=1

# What earlier runs left (test databases, SQLite files) goes first; this run's temporary files
# go to one folder under target/, emptied here.
scripts/clean-test-data.sh "$LICENTIA_TEST_PG"
export TMPDIR="$PWD/target/test-tmp"
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"

echo "== unit and integration tests (SQLite and PostgreSQL)"
# Built first, then run under a time limit: a test that hangs fails the run within minutes and
# shows where every thread waits (scripts/watchdog.sh), instead of using up CI's time.
cargo test -p wire -p session -p domain -p migrations -p licentia --no-run
scripts/watchdog.sh 20 cargo test -p wire -p session -p domain -p migrations -p licentia
cargo test -p app --features ssr --lib --no-run
scripts/watchdog.sh 10 cargo test -p app --features ssr --lib

echo "== build (server and wasm)"
cargo leptos build --split

echo "== end-to-end tests in Chromium"
(cd end2end && ../scripts/watchdog.sh 40 npm test)

echo "== SCIM conformance (scim2-tester against /scim/v2)"
scripts/scim2-tester.sh

echo "== licence files (an independent verifier with Python's cryptography, and the CLI's)"
scripts/licence-files.sh

echo "== user export (.xlsx read by openpyxl against the CSV, sent as it is made)"
scripts/exports.sh

echo "== webhooks (a real receiver verifying with standardwebhooks; retries; a kill mid-flight)"
scripts/webhooks.sh

echo "== the nginx site (deploy/nginx): syntax, /pkg caching and compression, /metrics kept local"
scripts/cluster/nginx-check.sh

if [ "${LICENTIA_LONG:-}" = 1 ]; then
  echo "== long mode: schemathesis against the HTTP API"
  scripts/schemathesis.sh
  echo "== long mode: a release build, three processes on PostgreSQL behind nginx"
  scripts/release.sh
  scripts/cluster/run.sh
fi
echo "All tests passed."
