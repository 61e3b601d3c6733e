# Sourced by the checkers that need a real server on SQLite with the demo organisation (the
# built debug binary): makes $dir, $bin and $port, seeds the demo; `demo_server_start` starts
# the server (after any further seeding) and waits until it answers. Stopped and removed on exit.
dir="$(mktemp -d)"
export LICENTIA_DATABASE_URL="sqlite://$dir/licentia.db"
export LICENTIA_OUTBOX_DIR="$dir/outbox"
export RUST_LOG=warn
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
bin="$PWD/target/debug/licentia"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
"$bin" demo >/dev/null

demo_server_start() {
  LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_OUTPUT_NAME=licentia LEPTOS_SITE_ROOT=target/site \
    LEPTOS_SITE_PKG_DIR=pkg "$bin" serve --no-demo >"$dir/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/api/v1/keys" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not answer:" >&2
  tail -30 "$dir/server.log" >&2
  return 1
}
