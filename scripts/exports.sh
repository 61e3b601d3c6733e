#!/usr/bin/env bash
# The user export against a real server on SQLite with the demo organisation and 3,000 more
# pupils: scripts/export_check.py downloads it as .xlsx and CSV while it is sent, reads the
# .xlsx with an independent reader (openpyxl) and requires the same rows as the CSV, the
# header's form and names that a spreadsheet must keep (accents, markup, a formula, a control
# character). Needs the built server (cargo build -p licentia, or cargo leptos build --split).
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(scripts/py-venv.sh)"
source scripts/demo-server.sh
"$python" scripts/export_check.py seed "$dir/licentia.db"
demo_server_start
"$python" scripts/export_check.py check "http://127.0.0.1:$port"
