#!/usr/bin/env bash
# README command 1: install, migrate, load the demo data into SQLite and serve on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv
exec .venv/bin/onewindow run "$@"
