#!/usr/bin/env bash
# README command 2: install what the tests need, then lint, type-check and run the suite on
# SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set (.ci/run sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv dev
ensure_system_packages

echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy onewindow bench
# Tests run in TEST_WORKERS processes (pytest-xdist; 2 = the CI machine's cores), each with its
# own test database; TEST_WORKERS=0 runs them in this process.
workers=(-n "${TEST_WORKERS:-2}")
echo "== tests on SQLite"
# A file database (not :memory:) so the concurrency tests run real threads against it.
sqlite_test="${TMPDIR:-/tmp}/onewindow-test-$$.sqlite3"
trap 'rm -f "$sqlite_test"*' EXIT
(unset DATABASE_URL; SQLITE_TEST_NAME="$sqlite_test" .venv/bin/pytest -q -p no:cacheprovider "${workers[@]}" "$@")
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== tests on PostgreSQL ($TEST_DATABASE_URL)"
  DATABASE_URL="$TEST_DATABASE_URL" .venv/bin/pytest -q -p no:cacheprovider "${workers[@]}" "$@"
fi
