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
echo ">> pytest"
.venv/bin/python -m pytest "$@"
