#!/usr/bin/env bash
# The Python environment of the independent checkers (licence files with `cryptography`,
# webhooks with `standardwebhooks`, exports with `openpyxl` and a recent SQLite from
# `pysqlite3-binary`, all from PyPI, pinned): made once under target/, then
# reused. Prints the path of its python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/py-venv
if ! /usr/bin/python3 -c "import venv, ensurepip" 2>/dev/null; then
  sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_if_needed apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq python3-venv >&2
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import cryptography, standardwebhooks, openpyxl, pysqlite3" 2>/dev/null; then
  /usr/bin/python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q "cryptography==46.0.3" "standardwebhooks==1.3.0" \
    "openpyxl==3.1.5" "pysqlite3-binary==0.5.4" >&2
fi
echo "$PWD/$venv/bin/python"
