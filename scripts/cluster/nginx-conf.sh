#!/usr/bin/env bash
# Writes the loopback nginx configuration of the cluster test into a folder:
#   scripts/cluster/nginx-conf.sh RUN_DIR SITE_ROOT PROXY_PORT "PORT1 PORT2 PORT3"
# RUN_DIR/nginx.conf (from nginx.conf.in), RUN_DIR/upstream.conf (production's upstream with
# these ports) and RUN_DIR/licentia-proxy.conf (production's locations; without
# brotli_static when Debian's brotli module is not installed). Start it with
#   nginx -p RUN_DIR -c RUN_DIR/nginx.conf
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 RUN_DIR SITE_ROOT PROXY_PORT \"PORTS\"" >&2; exit 2; }
run=$1 site=$2 proxy_port=$3 ports=$4
here="$(cd "$(dirname "$0")" && pwd)"
deploy="$here/../../deploy/nginx"
mkdir -p "$run/nginx-tmp"
chmod 755 "$run"

# The upstream block of the production site, its server lines replaced by one per port
# (keeping the first line's parameters).
awk -v ports="$ports" '
  /^upstream licentia \{/ { inside = 1 }
  inside && /^[[:space:]]*server[[:space:]]/ {
    if (!done) {
      n = split(ports, p, " ")
      for (i = 1; i <= n; i++) {
        line = $0; sub(/127\.0\.0\.1:[0-9]+/, "127.0.0.1:" p[i], line); print line
      }
      done = 1
    }
    next
  }
  inside { print }
  inside && /^\}/ { inside = 0 }
' "$deploy/licentia.conf" >"$run/upstream.conf"
grep -q "server 127.0.0.1:" "$run/upstream.conf" || { echo "no upstream in licentia.conf" >&2; exit 1; }

# Debian's brotli module (libnginx-mod-http-brotli-static), loaded when installed.
module=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
if [ -f "$module" ]; then
  load="load_module $module;"
  cp "$deploy/licentia-proxy.conf" "$run/licentia-proxy.conf"
else
  echo "note: $module missing (apt-get install libnginx-mod-http-brotli-static): no brotli" >&2
  load=""
  grep -v "brotli_static" "$deploy/licentia-proxy.conf" >"$run/licentia-proxy.conf"
fi

sed -e "s|@RUN@|$run|g" -e "s|@SITE_ROOT@|$site|g" -e "s|@PROXY_PORT@|$proxy_port|g" \
    -e "s|@LOAD_MODULES@|$load|" "$here/nginx.conf.in" >"$run/nginx.conf"
