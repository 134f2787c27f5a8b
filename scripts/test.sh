#!/usr/bin/env bash
# Lint, types, then the whole pytest suite (expects DATABASE_URL and CELERY_BROKER_URL set
# by scripts/with-services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${DATABASE_URL:-}" ] || { echo "ERROR: DATABASE_URL is not set; run 'make test'" >&2; exit 1; }
echo ">> ruff"
.venv/bin/ruff check .
echo ">> mypy"
.venv/bin/mypy
if [ "$#" -gt 0 ]; then  # the tests named on the command line, as asked
  echo ">> pytest $*"
  exec .venv/bin/python -m pytest "$@"
fi
# Unit, page and API tests in parallel (each process has its own test database); then the
# tests that run a real Celery worker on the shared Redis queue, and real Chromium, alone.
echo ">> pytest: unit, page and API tests (${PYTEST_WORKERS:-2} processes)"
# (-p tests.security.report: the isolation matrix's case count, summed over the workers)
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile -p tests.security.report \
  --ignore=tests/integration --ignore=tests/e2e
echo ">> pytest: a real Celery worker and real Chromium"
trap 'echo ">> screenshots of each browser journey step: $PWD/var/e2e-screenshots/"' EXIT
.venv/bin/python -m pytest tests/integration tests/e2e
