#!/usr/bin/env bash
# README command 2: install what the tests need, then lint, type-check and run the suite on
# SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set (.ci/run sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv dev
ensure_system_packages

echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy onewindow
echo "== tests on SQLite"
(unset DATABASE_URL; .venv/bin/pytest -q -p no:cacheprovider "$@")
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== tests on PostgreSQL ($TEST_DATABASE_URL)"
  DATABASE_URL="$TEST_DATABASE_URL" .venv/bin/pytest -q -p no:cacheprovider "$@"
fi
