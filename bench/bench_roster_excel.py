"""Benchmark: reading a 10,000-line roster workbook with `enrollment.orders.roster_excel`, next to
the time openpyxl alone needs to read the same file (read-only, values only).

This times the Excel part of the import (no database); the order service's benchmark can
build its file with `roster_xlsx` and add validation and saving. Target for the Excel part:
within 3× the bare read; peak memory (max RSS) under 300 MB.

    .venv/bin/python bench/bench_roster_excel.py"""

import datetime
import os
import random
import resource
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

import django  # noqa: E402

django.setup()  # the roster reader's imports reach models (the city aliases)

from openpyxl import Workbook, load_workbook  # noqa: E402

from enrollment.orders.roster_excel import city_aliases, parse_roster_xlsx  # noqa: E402
from enrollment.persons.id_numbers import id_check_char  # noqa: E402

LINES = 10_000
TARGET_RATIO = 3.0
TARGET_MB = 300
CITIES = (("310000", "上海市"), ("110000", "北京市"), ("440300", "深圳市"), ("510100", "成都市"))
HUKOU = ("城镇本地", "城镇外地", "农村本地", "农村外地")
HEADER = (
    "序号", "增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期",
    "是否缴纳公积金", "手机号", "减员原因",
)


def roster_xlsx(lines: int, *, seed: int = 20261201) -> bytes:
    """A realistic roster: a title row, the template's header, `lines` deterministic lines
    (mostly adds, some removals and base adjustments), values typed the ways people type
    them (names and short names of cities, Excel dates and text dates, "8,000.00", 最低)."""
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("增减员名单")
    sheet.append(["2026年12月增减员名单"])
    sheet.append(HEADER)
    for number in range(1, lines + 1):
        first17 = f"{rng.choice(('310115', '110105', '440305', '510107'))}" + (
            f"{rng.randint(1960, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            f"{rng.randint(0, 999):03d}"
        )
        code, name = rng.choice(CITIES)
        city = rng.choice((code, name, name[:-1]))
        action = rng.choices(("增员", "减员", "调基"), weights=(6, 3, 1))[0]
        day = datetime.datetime(2026, 12, rng.randint(1, 28))  # noqa: DTZ001 - Excel dates are naive
        date = rng.choice((day, day.strftime("%Y-%m-%d"), f"{day.year}年{day.month}月{day.day}日"))
        base = rng.choice((f"{rng.randint(3000, 40000):,}.00", rng.randint(3000, 40000), "最低"))
        sheet.append(
            (
                number, action, f"员工{number}", first17 + id_check_char(first17),
                rng.choice(HUKOU) if action == "增员" else None,
                city, base if action != "减员" else None, date,
                rng.choice(("是", "否")) if action == "增员" else None,
                f"13{rng.randint(100000000, 999999999)}" if action == "增员" else None,
                rng.choice(("辞职", "合同到期", "退休")) if action == "减员" else None,
            )
        )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def bare_read(data: bytes) -> int:
    workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


def best_times(runs: int, *actions) -> list[float]:
    """The best time of each action over `runs` rounds, interleaved so that the machine's
    load falls on all of them alike."""
    best = [float("inf")] * len(actions)
    for _ in range(runs):
        for index, action in enumerate(actions):
            start = time.perf_counter()
            action()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def main() -> None:
    data = roster_xlsx(LINES)
    cities = city_aliases(CITIES)
    parsed = parse_roster_xlsx(data, cities=cities)
    assert len(parsed.lines) == LINES, len(parsed.lines)
    assert parsed.errors == [], parsed.errors[:3]
    bare, imported = best_times(
        3, lambda: bare_read(data), lambda: parse_roster_xlsx(data, cities=cities)
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = imported / bare
    print(f"file: {len(data) / 1024:.0f} KB, {LINES} lines")
    print(f"openpyxl bare read: {bare:.2f} s")
    print(f"roster import (Excel part): {imported:.2f} s, {LINES / imported:,.0f} lines/s, "
          f"{ratio:.2f}x the bare read (target <= {TARGET_RATIO}x)")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB (target < {TARGET_MB} MB)")
    if ratio > TARGET_RATIO or peak_mb > TARGET_MB:
        print("TARGET MISSED")
        sys.exit(1)


if __name__ == "__main__":
    main()
