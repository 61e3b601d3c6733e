#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1:${PGPORT:-55432} unless one answers there.
# Prints the server URL (without database) for LICENTIA_TEST_PG.
set -euo pipefail
PORT="${PGPORT:-55432}"
URL="postgres://postgres@127.0.0.1:${PORT}"
if pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  echo "$URL"; exit 0
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
DATA="${LICENTIA_PG_DATA:-/tmp/licentia-pg-$PORT}"
if [ ! -f "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  chown postgres:postgres "$DATA" 2>/dev/null || true
  if [ "$(id -u)" = 0 ]; then
    su postgres -c "$PGBIN/initdb -D $DATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  else
    "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
fi
START="$PGBIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' -l $DATA/log -w start"
if [ "$(id -u)" = 0 ]; then su postgres -c "$START" >/dev/null; else sh -c "$START" >/dev/null; fi
echo "$URL"
