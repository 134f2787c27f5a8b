"""The one table of `make bench`: each benchmark records its figures here.

`record()` prints nothing; it appends one JSON line to the file named by BENCH_RESULTS
(set by scripts/bench.sh), so `python bench/table.py FILE` can print every benchmark's
figures in one table: benchmark, figure, value, target, pass/fail. Run alone (no
BENCH_RESULTS), a benchmark still prints its own figures and records nothing."""

import json
import os


def record(bench: str, figure: str, value: float, unit: str, target: str, ok: bool,
           *, database: str = "") -> None:
    """One row of the table: `target` is the issue's target as people read it ("< 150 ms")."""
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    row = {"bench": bench, "figure": figure, "value": value, "unit": unit,
           "target": target, "ok": bool(ok), "database": database}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
