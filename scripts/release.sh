#!/usr/bin/env bash
# A release build: the server binary (target/release/licentia) and the site (target/site) with
# its /pkg assets precompressed (.br and .gz beside each file, for nginx's brotli_static and
# gzip_static). Prints the weights. `scripts/setup.sh` first on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo leptos build --release --split
for file in target/site/pkg/*.js target/site/pkg/*.wasm target/site/pkg/*.css; do
  [ -f "$file" ] || continue
  gzip -9 -k -f "$file"
  if command -v brotli >/dev/null; then brotli -q 11 -f -k "$file"; fi
done
echo "== release assets (bytes: raw, gzip, brotli)"
for file in target/site/pkg/*.js target/site/pkg/*.wasm target/site/pkg/*.css; do
  [ -f "$file" ] || continue
  printf '%-40s %10s %10s %10s\n' "$(basename "$file")" "$(stat -c %s "$file")" \
    "$(stat -c %s "$file.gz")" "$( [ -f "$file.br" ] && stat -c %s "$file.br" || echo -)"
done
ls -l target/release/licentia
