"""Benchmark: a 10,000-line roster workbook through the real import path on PostgreSQL.

    make bench            (starts a throwaway PostgreSQL; or DATABASE_URL=… python bench/…)

Prints the seconds of the whole import (parse, validate, save, commit), rows per second and
the peak memory of the process, next to the seconds openpyxl alone needs to read the file.
Both are the best of RUNS runs (the order and its new persons are deleted between import
runs, outside the timing). Target (issue 6): the whole import within 3x the bare read,
under 300 MB."""

import datetime
import io
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from agency.deadlines import add_months  # noqa: E402
from clients.models import Client, Contract, ContractPrice  # noqa: E402
from enrollment.demo import demo_person  # noqa: E402
from enrollment.models import InsuredPerson, RosterOrder  # noqa: E402
from enrollment.orders.services import order_import_xlsx  # noqa: E402
from policies.models import City  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TARGET_RATIO = 3.0
TARGET_MB = 300


def workbook(rows: int, effective: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("增减员")
    ws.append(["2026年12月增减员表"])
    ws.append(["增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期",
               "是否缴纳公积金", "手机号"])
    counties = ["310115", "310104", "110108", "440305", "330106", "510107"]
    for n in range(rows):
        p = demo_person(n + 1, counties[n % len(counties)])
        ws.append(["增员", p.name, p.id_number, "城镇本地", "上海" if n % 2 else "北京市",
                   f"{6000 + n % 9000:,}.00", effective, "是" if n % 3 else "否",
                   f"139{n:08d}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bare_read(data: bytes) -> float:
    start = time.perf_counter()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    assert count == ROWS + 2
    return time.perf_counter() - start


def setup() -> Client:
    if connection.vendor != "postgresql":
        sys.exit("bench: needs PostgreSQL (make bench starts one)")
    call_command("migrate", verbosity=0)
    shanghai, _ = City.objects.get_or_create(code="310000", defaults={"name": "上海市"})
    beijing, _ = City.objects.get_or_create(code="110000", defaults={"name": "北京市"})
    client, _ = Client.objects.get_or_create(
        uscc="91310115MA1K4ABC0X"[:17] + "0", defaults={"name": "基准测试有限公司"})
    client.licence_verified_at = timezone.now()
    client.save()
    contract, _ = Contract.objects.get_or_create(
        client=client, number="BENCH-1",
        defaults={"starts_on": datetime.date(2020, 1, 1), "ends_on": datetime.date(2035, 12, 31),
                  "status": Contract.Status.ACTIVE, "housing_fund_rate": Decimal("0.07")})
    for city in (shanghai, beijing):
        ContractPrice.objects.get_or_create(contract=contract, city=city,
                                            defaults={"price_per_head": Decimal("80.00")})
    return client


def main() -> None:
    client = setup()
    effective = add_months(timezone.localdate().replace(day=1), 1).isoformat()
    data = workbook(ROWS, effective)
    read = min(bare_read(data) for _ in range(RUNS))
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        order = order_import_xlsx(client=client, data=data, filename="bench.xlsx",
                                  channel="excel", actor=None)
        timings.append(time.perf_counter() - start)
        lines = order.lines.count()
        cleanup(order)
    seconds = min(timings)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = seconds / read
    print(f"bench_order_import: {lines} lines on {connection.vendor} "
          f"({settings.DATABASES['default']['NAME']})")
    print(f"  openpyxl bare read   {read:8.2f} s")
    print(f"  whole import         {seconds:8.2f} s   {lines / seconds:8.0f} rows/s   "
          f"{ratio:.2f}x the bare read (target <= {TARGET_RATIO}x)")
    print(f"  peak memory (RSS)    {peak_mb:8.0f} MB  (before import {before_mb:.0f} MB; "
          f"target < {TARGET_MB} MB)")
    print(f"  import runs          {', '.join(f'{t:.2f}' for t in timings)} s")
    ok = ratio <= TARGET_RATIO and peak_mb < TARGET_MB
    print(f"  {'MEETS' if ok else 'MISSES'} the target")


def cleanup(order: RosterOrder) -> None:
    """Delete the order and the persons it created, so the next run starts alike."""
    person_ids = list(order.lines.values_list("person_id", flat=True))
    RosterOrder.objects.filter(pk=order.pk).delete()
    InsuredPerson.objects.filter(pk__in=person_ids, enrollments__isnull=True).delete()


if __name__ == "__main__":
    main()
