#!/usr/bin/env bash
# Runs every benchmark in bench/ (each prints its figures and its target), then prints one
# table of every figure: value, target, pass/fail (bench/_report.py, bench/table.py).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
mkdir -p var/bench
export BENCH_RESULTS="$PWD/var/bench/results.jsonl"
: > "$BENCH_RESULTS"
for b in bench/bench_*.py; do
  echo ">> $b"
  .venv/bin/python "$b"
done
echo
echo "== make bench: every figure (rows in $BENCH_RESULTS)"
.venv/bin/python bench/table.py "$BENCH_RESULTS"
