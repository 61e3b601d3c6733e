#!/usr/bin/env bash
# Licence files against a real server on SQLite with the demo organisation: Lotte (who holds a
# licence) gets files through the API with a token of her own; scripts/licence_check.py
# verifies them with an independent verifier (Python's `cryptography`) and with
# `licentia licence verify`, and checks that tampered, expired, foreign-device and
# removed-key files are refused.
# Needs the built server (cargo build -p licentia, or cargo leptos build --split).
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(scripts/py-venv.sh)"
source scripts/demo-server.sh
token="$("$bin" token create --username lotte.janssens --name licence-files)"
demo_server_start
(cd scripts && "$python" licence_check.py "http://127.0.0.1:$port" "$token" "$bin" "$dir")
