#!/usr/bin/env bash
# Removes what earlier test runs left behind, so that runs do not fill the disk: the test
# databases on the throwaway PostgreSQL server (t_…, bench_…; about 10 MB each, a hundred per
# run) and the SQLite files and folders the tests made in the temporary folder.
#   scripts/clean-test-data.sh [postgres://server-url]
set -uo pipefail
url="${1:-${LICENTIA_TEST_PG:-}}"
if [ -n "$url" ] && command -v psql >/dev/null; then
  psql "$url/postgres" -Atc \
    "select datname from pg_database where datname ~ '^(t|bench)_[0-9a-f]{32}$' or datname = 'groups_bench'" 2>/dev/null |
    while read -r name; do
      psql "$url/postgres" -qc "drop database if exists \"$name\" with (force)" >/dev/null 2>&1 || true
    done
fi
tmp="${TMPDIR:-/tmp}"
for kind in tests surface- foreign- api- sso- cli- bench- stop- memory- mixed- mail- busy- import- observe- e2e- hr-; do
  rm -rf "$tmp"/licentia-"$kind"* 2>/dev/null
done
exit 0
