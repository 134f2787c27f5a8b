#!/usr/bin/env bash
# Runs every benchmark in bench/ (each prints its figures and its target).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for b in bench/bench_*.py; do
  echo ">> $b"
  .venv/bin/python "$b"
done
