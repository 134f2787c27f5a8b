#!/usr/bin/env bash
# Runs every benchmark in bench/ (each prints its figures and its target), then prints one
# table of every figure: value, target, pass/fail (bench/_report.py, bench/table.py).
#
# A benchmark that times requests over HTTP says so with a line `ALSO_SQLITE = True`: it
# runs again on the `make run` default, an SQLite file (var/bench/<name>.sqlite3, kept
# between runs so its set-up is not redone). A benchmark that crashes is a FAIL row of the
# table and the others still run; the exit status is non-zero only when one crashed (a
# missed target is a FAIL row, not an error). On PostgreSQL each benchmark gets a database of
# its own on the server of DATABASE_URL (bench_<name>, made afresh): a month's bill run or the
# compliance watch covers every client in its database, not another benchmark's rows too.
#   BENCH_ONLY="billing api_load"   runs only those (names without bench_ and .py)
set -uo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
mkdir -p var/bench
export BENCH_RESULTS="$PWD/var/bench/results.jsonl"
: > "$BENCH_RESULTS"
crashed=0
started=$SECONDS

fail_row() {  # name database exit-status
  .venv/bin/python - "$1" "$2" "$3" <<'PY'
import sys
sys.path.insert(0, "bench")
from _report import record
name, database, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
record(name, f"crashed (exit {status}): see its output above", status, "", "runs to the end",
       False, database=database)
PY
}

run_one() {  # file name database, DATABASE_URL already set for it
  local t0=$SECONDS rc
  .venv/bin/python "$1"
  rc=$?
  echo "   ($2 on $3: $((SECONDS - t0)) s)"
  if [ "$rc" -ne 0 ]; then
    echo "!! $1 crashed on $3 (exit $rc)"
    fail_row "$2" "$3" "$rc"
    crashed=$((crashed + 1))
  fi
}

own_database() {  # name -> the URL of a new empty database bench_<name> on DATABASE_URL's server
  local db="bench_$1"
  psql "$DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >&2 \
    || return 1
  echo "${DATABASE_URL%/*}/$db"
}

for b in bench/bench_*.py; do
  name=$(basename "$b" .py); name=${name#bench_}
  if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]]; then continue; fi
  echo ">> $b"
  if url=$(own_database "$name"); then
    DATABASE_URL="$url" run_one "$b" "$name" postgresql
  else
    echo "!! could not make a database for $name"; fail_row "$name" postgresql 1
    crashed=$((crashed + 1))
  fi
  if grep -q '^ALSO_SQLITE = True' "$b"; then
    echo ">> $b on the make run default (SQLite)"
    DATABASE_URL="sqlite:///$PWD/var/bench/$name.sqlite3" run_one "$b" "$name" sqlite
  fi
done
echo
echo "== make bench: every figure (rows in $BENCH_RESULTS), $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
.venv/bin/python bench/table.py "$BENCH_RESULTS"
if [ "$crashed" -gt 0 ]; then
  echo "$crashed benchmark run(s) crashed: see the FAIL rows above"
  exit 1
fi
