#!/usr/bin/env bash
# Checks the nginx files of deploy/ without Licentia running (a few seconds, no build):
#  1. the production site (deploy/nginx/licentia.conf + licentia-proxy.conf) passes
#     `nginx -t` in a throw-away prefix, with a self-signed certificate in place of the real;
#  2. the loopback configuration of the cluster test, started on a dummy site folder, serves
#     /pkg from disk with the cache headers and precompressed files, keeps /metrics to
#     127.0.0.1, refuses bodies over client_max_body_size and answers 502 (nothing behind).
# Ports: CHECK_PROXY_PORT (default 3190); the upstream ports 3191-3193 must have nothing on them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
port="${CHECK_PROXY_PORT:-3190}"
[ -x "$NGINX" ] || { echo "nginx not found (apt-get install nginx)" >&2; exit 1; }
tmp="$(mktemp -d /tmp/licentia-nginx-check.XXXXXX)"
chmod 755 "$tmp"   # nginx workers (nobody) read the site and write temp files here
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
ok() { echo "  ok: $*"; }
bad() { echo "  FAILED: $*"; failures=$((failures + 1)); }

echo "1. production site: nginx -t"
mkdir -p "$tmp/prod/conf/snippets" "$tmp/prod/logs" "$tmp/prod/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=licentia.example.org \
  -keyout "$tmp/prod/tls/privkey.pem" -out "$tmp/prod/tls/fullchain.pem" 2>/dev/null
cp "$repo/deploy/nginx/licentia-proxy.conf" "$tmp/prod/conf/snippets/"
# The site as installed, with the certificate and log paths moved into the prefix.
sed -e "s|/etc/ssl/licentia/|$tmp/prod/tls/|" -e "s|/var/log/nginx/|$tmp/prod/logs/|" \
  "$repo/deploy/nginx/licentia.conf" >"$tmp/prod/conf/licentia.conf"
modules=""
module=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
if [ -f "$module" ]; then modules="load_module $module;"; fi
# Like Debian's /etc/nginx/nginx.conf: the site is included in the http block.
cat >"$tmp/prod/conf/nginx.conf" <<EOF
pid $tmp/prod/nginx.pid;
error_log $tmp/prod/logs/error.log;
$modules
events { worker_connections 768; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $tmp/prod/tmp;
    proxy_temp_path $tmp/prod/tmp-proxy;
    include licentia.conf;
}
EOF
if [ -z "$modules" ]; then
  echo "  note: brotli module missing: apt-get install libnginx-mod-http-brotli-static"
  bad "the production snippet needs brotli_static"
elif out=$("$NGINX" -t -p "$tmp/prod" -c "$tmp/prod/conf/nginx.conf" 2>&1); then
  ok "nginx -t accepts deploy/nginx/licentia.conf"
else
  bad "nginx -t: $out"
fi

echo "2. loopback configuration on a dummy site folder (port $port)"
site="$tmp/site"
mkdir -p "$site/pkg"
head -c 4096 /dev/urandom | base64 >"$site/pkg/licentia.js"
head -c 4096 /dev/urandom | base64 >"$site/pkg/licentia.css"
head -c 8192 /dev/urandom >"$site/pkg/licentia_bg.wasm"
hashed="licentia.AbCdEfGhIjKlMnOpQrStUv.wasm"
cp "$site/pkg/licentia_bg.wasm" "$site/pkg/$hashed"
for f in licentia.js licentia_bg.wasm "$hashed"; do
  gzip -k -9 "$site/pkg/$f"
  # brotli's command-line tool when installed; nginx does not look inside the file.
  if command -v brotli >/dev/null; then brotli -k "$site/pkg/$f"; else cp "$site/pkg/$f" "$site/pkg/$f.br"; fi
done
"$here/nginx-conf.sh" "$tmp/run" "$site" "$port" "3191 3192 3193"
"$NGINX" -t -p "$tmp/run" -c "$tmp/run/nginx.conf" 2>&1 | sed 's/^/  /'
"$NGINX" -p "$tmp/run" -c "$tmp/run/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

base="http://127.0.0.1:$port"
# header NAME of a response: curl -sI ... | header NAME
header() { tr -d '\r' | awk -v n="$1" -F': ' 'tolower($1) == n { print $2 }'; }
expect() { # expect WHAT GOT WANTED
  if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', wanted '$3'"; fi
}
expect "licentia.js cache" "$(curl -sI "$base/pkg/licentia.js" | header cache-control)" "no-cache"
expect "licentia.js type" "$(curl -sI "$base/pkg/licentia.js" | header content-type)" "application/javascript"
expect "licentia.js nosniff" "$(curl -sI "$base/pkg/licentia.js" | header x-content-type-options)" "nosniff"
expect "licentia.js gzip_static" \
  "$(curl -sI -H 'Accept-Encoding: gzip' "$base/pkg/licentia.js" | header content-encoding)" "gzip"
gz_len="$(curl -sI -H 'Accept-Encoding: gzip' "$base/pkg/licentia_bg.wasm" | header content-length)"
expect "wasm gzip_static serves the .gz file" "$gz_len" "$(stat -c %s "$site/pkg/licentia_bg.wasm.gz")"
if grep -q brotli_static "$tmp/run/licentia-proxy.conf"; then
  expect "wasm brotli_static" \
    "$(curl -sI -H 'Accept-Encoding: br, gzip' "$base/pkg/licentia_bg.wasm" | header content-encoding)" "br"
fi
expect "hashed wasm cache" "$(curl -sI "$base/pkg/$hashed" | header cache-control)" \
  "public, max-age=31536000, immutable"
expect "hashed wasm gzip_static" \
  "$(curl -sI -H 'Accept-Encoding: gzip' "$base/pkg/$hashed" | header content-encoding)" "gzip"
expect "hashed wasm type" "$(curl -sI "$base/pkg/$hashed" | header content-type)" "application/wasm"
expect "hashed wasm nosniff" "$(curl -sI "$base/pkg/$hashed" | header x-content-type-options)" "nosniff"
expect "missing /pkg file: 404 from disk, not proxied" \
  "$(curl -s -o /dev/null -w '%{http_code}' "$base/pkg/nothing.js")" "404"
expect "/ proxied (nothing behind: 502)" "$(curl -s -o /dev/null -w '%{http_code}' "$base/")" "502"
expect "/metrics from 127.0.0.1 is proxied" \
  "$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")" "502"
expect "/metrics from 127.0.0.2 is refused" \
  "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$base/metrics")" "403"
head -c $((20 * 1024 * 1024 + 1000)) /dev/zero >"$tmp/upload"
expect "a 20 MiB import passes (to the 502)" "$(curl -s -o /dev/null -w '%{http_code}' \
  --data-binary @"$tmp/upload" "$base/api/import_upload")" "502"
head -c $((22 * 1024 * 1024)) /dev/zero >"$tmp/upload"
expect "a 22 MiB body is refused" "$(curl -s -o /dev/null -w '%{http_code}' \
  --data-binary @"$tmp/upload" "$base/api/import_upload")" "413"

if [ "$failures" -gt 0 ]; then echo "nginx check: $failures FAILED"; exit 1; fi
echo "nginx check: all passed"
