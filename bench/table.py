"""Prints the table of `make bench` from the rows the benchmarks recorded (bench/_report.py).

    python bench/table.py var/bench/results.jsonl

Exits 0 whatever the figures: a missed target is reported, with its figure, not hidden."""

import json
import sys


def _value(row: dict) -> str:
    value = row["value"]
    text = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
    return f"{text} {row['unit']}".strip()


def main(path: str) -> int:
    with open(path, encoding="utf-8") as source:
        rows = [json.loads(line) for line in source if line.strip()]
    header = ("benchmark", "figure", "database", "value", "target", "result")
    table = [(r["bench"], r["figure"], r.get("database", ""), _value(r), r["target"],
              "pass" if r["ok"] else "FAIL") for r in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *table, strict=True)]
    line = "  ".join("{:<" + str(w) + "}" for w in widths)
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print(line.format(*row))
    failed = sum(1 for r in rows if not r["ok"])
    print(f"\n{len(rows)} figures, {len(rows) - failed} pass, {failed} fail")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
