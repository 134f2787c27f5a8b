"""Benchmark: bureau reconciliation (稽核) of a large agency's month (issue 12).

    DATABASE_URL=postgres://…/bench_recon .venv/bin/python bench/bench_reconciliation.py
    DATABASE_URL=sqlite:///var/bench_recon.sqlite3 .venv/bin/python bench/bench_reconciliation.py
                          (BENCH_CLIENTS / BENCH_PER_CLIENT scale it)

What the user waits for: staff upload the bureau's social-insurance charge detail of
Shanghai for one month — 100,000 person-month rows, a wide file with a two-row header
(养老 / 医疗 / 失业 / 工伤 / 生育, each with 缴费基数, 单位缴费金额, 个人缴费金额: 17
columns, 1.7 million cells) — and the page shows the differences against 100,000 billed
lines (500 clients × 200 persons). `reconciliation_run` is timed end to end: reading the
workbook, finding the persons by ID number, comparing, saving the differences. The read
alone is timed too. Target: under 10 s on PostgreSQL on this 2-core machine.

The file differs from the bills in 400 places: 100 persons billed and not charged, 100
ID numbers charged and not billed, 100 persons' bases changed (one difference each, over
every item), 100 amounts one cent off. Setup
(persons, bills and lines written in bulk, the workbook written once and kept in var/) is
not timed."""

import datetime
import io
import json
import os
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
os.environ["DJANGO_DEBUG"] = "false"  # as served: no query log kept in memory

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from agency.crypto import lookup_hash  # noqa: E402
from bench._report import record  # noqa: E402
from bench._setup import MONTH, clients, migrated, person_row  # noqa: E402
from billing.bureau_files import read_bureau_file  # noqa: E402
from billing.models import (  # noqa: E402
    Bill,
    BillLine,
    BillStatus,
    DifferenceKind,
    LineType,
    ReconciliationRun,
)
from billing.reconciliation_services import reconciliation_run  # noqa: E402
from clients.models import Client  # noqa: E402
from enrollment.models import InsuredPerson  # noqa: E402
from enrollment.persons.id_numbers import id_check_char, mask_id_number  # noqa: E402
from policies.models import City  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "500"))
PER_CLIENT = int(os.environ.get("BENCH_PER_CLIENT", "200"))
CHANGES = int(os.environ.get("BENCH_CHANGES", "100"))  # of each kind
TARGET_S = 10.0
PREFIX = "基准稽核客户"
# Shanghai's rates (employer, employee) as the bills' items hold them
RATES = {
    "pension": (Decimal("0.16"), Decimal("0.08")),
    "medical": (Decimal("0.09"), Decimal("0.02")),
    "unemployment": (Decimal("0.005"), Decimal("0.005")),
    "work_injury": (Decimal("0.0016"), Decimal("0")),
    "maternity": (Decimal("0.01"), Decimal("0")),
}
TITLES = {"pension": "养老保险", "medical": "医疗保险", "unemployment": "失业保险",
          "work_injury": "工伤保险", "maternity": "生育保险"}
CENT = Decimal("0.01")


def id_number(n: int) -> str:
    """The n-th bench person's ID number: valid, born 1970–2002 in 上海浦东."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 12000)
    first17 = f"310115{birth:%Y%m%d}{n // 12000 % 1000:03d}"
    return first17 + id_check_char(first17)


def base_of(n: int) -> Decimal:
    return Decimal(7546 + (n * 137) % 30000)


def items_of(base: Decimal) -> list[dict[str, str]]:
    out = []
    for kind, (employer, employee) in RATES.items():
        out.append({"kind": kind, "base": f"{base:.2f}",
                    "employer": f"{(base * employer).quantize(CENT, ROUND_HALF_UP):.2f}",
                    "employee": f"{(base * employee).quantize(CENT, ROUND_HALF_UP):.2f}"})
    return out


def setup(city: City) -> list[Client]:
    """500 clients × 200 persons, each with an issued bill of the month in Shanghai."""
    existing = list(Client.objects.filter(name__startswith=PREFIX).order_by("pk"))
    if len(existing) == CLIENTS and BillLine.objects.filter(
            bill__client__in=existing, month_from=MONTH).count() == CLIENTS * PER_CLIENT:
        return existing
    print("  setting up (not timed) …", flush=True)
    with transaction.atomic():
        all_clients = clients(PREFIX, CLIENTS, "9131RECON")
        now = timezone.now()
        for c_index, client in enumerate(all_clients):
            if Bill.objects.filter(client=client, month=MONTH).exists():
                continue
            first = c_index * PER_CLIENT
            numbers = [id_number(first + n) for n in range(PER_CLIENT)]
            persons = InsuredPerson.objects.bulk_create([
                person_row(f"稽核员工{first + n:06d}", number_hash=lookup_hash(number),
                           last4=number[-4:], masked=mask_id_number(number))
                for n, number in enumerate(numbers)
            ])
            bill = Bill.objects.create(client=client, month=MONTH, status=BillStatus.ISSUED,
                                       issued_at=now, generated_at=now)
            lines = []
            for n, person in enumerate(persons):
                items = items_of(base_of(first + n))
                social = sum(Decimal(i["employer"]) + Decimal(i["employee"]) for i in items)
                lines.append(BillLine(
                    bill=bill, person=person, city=city, line_type=LineType.REGULAR,
                    month_from=MONTH, month_to=MONTH, items=items, social_insurance=social,
                    service_fee=Decimal("80.00"), total=social + Decimal("80.00"),
                    basis={"base": f"{base_of(first + n):.2f}"}))
            BillLine.objects.bulk_create(lines, batch_size=2000)
    return all_clients


def bureau_file() -> tuple[bytes, dict[DifferenceKind, int]]:
    """The bureau's workbook of the month (written once, kept in var/): every billed
    person but the first CHANGES, then CHANGES unknown ID numbers; CHANGES bases changed
    and CHANGES amounts one cent off."""
    total = CLIENTS * PER_CLIENT
    path = ROOT / "var" / f"bench_recon_{total}_{CHANGES}.xlsx"
    expected = {DifferenceKind.NOT_CHARGED: CHANGES, DifferenceKind.NOT_BILLED: CHANGES,
                DifferenceKind.BASE: CHANGES, DifferenceKind.ROUNDING: CHANGES}
    if path.exists():
        return path.read_bytes(), expected
    print("  writing the bureau's workbook (not timed) …", flush=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("缴费明细")
    sheet.append([f"上海市社会保险费缴费明细 {MONTH:%Y年%m月}"])
    sheet.append(["姓名", "身份证号", *[t for k in RATES for t in (TITLES[k], None, None)]])
    sheet.append([None, None, *["缴费基数", "单位缴费金额", "个人缴费金额"] * len(RATES)])
    people = [*range(CHANGES, total), *range(total, total + CHANGES)]
    for row, n in enumerate(people):
        base = base_of(n)
        if CHANGES <= row < 2 * CHANGES:  # the bureau has another base: every item differs
            base += 100
        cells: list[object] = [f"稽核员工{n:06d}", id_number(n)]
        for item in items_of(base):
            employer = Decimal(item["employer"])
            if 2 * CHANGES <= row < 3 * CHANGES and item["kind"] == "pension":
                employer += CENT  # one cent off
            cells += [float(base), float(employer), float(Decimal(item["employee"]))]
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(out.getvalue())
    return out.getvalue(), expected


def main() -> None:
    print(f"bench_reconciliation: {CLIENTS} clients × {PER_CLIENT} persons on "
          f"{connection.vendor} ({settings.DATABASES['default']['NAME']})")
    city = migrated()
    setup(city)
    data, expected = bureau_file()
    ReconciliationRun.objects.filter(city=city, month=MONTH).delete()

    start = time.perf_counter()
    rows = read_bureau_file(data, scheme=ReconciliationRun.Scheme.SOCIAL_INSURANCE)
    read_s = time.perf_counter() - start
    cells = len(rows) * (2 + 3 * len(RATES))
    print(f"  1. reading the file   {read_s:8.2f} s   {len(rows):,} rows, {cells:,} cells, "
          f"{len(data) / 1e6:.1f} MB")
    del rows

    start = time.perf_counter()
    run = reconciliation_run(city=city, month=MONTH,
                             scheme=ReconciliationRun.Scheme.SOCIAL_INSURANCE, data=data,
                             file_name="bench.xlsx", actor=None)
    run_s = time.perf_counter() - start
    found = {kind: run.differences.filter(kind=kind).count() for kind in DifferenceKind.values}
    print(f"  2. reconciliation_run {run_s:8.2f} s   {run.rows:,} rows, "
          f"{run.persons_matched:,} persons matched, {run.differences_found} differences "
          f"(target < {TARGET_S:.0f} s)")
    print("     " + ", ".join(f"{kind} {count}" for kind, count in found.items()))
    right = all(found[kind] == count for kind, count in expected.items()) and not found["rate"]
    database = connection.vendor
    record("reconciliation", f"reading the bureau file, {len(data) / 1e6:.1f} MB",
           round(read_s, 2), "s", "-", True, database=database)
    record("reconciliation", f"reconciliation_run, {run.rows:,} rows", round(run_s, 2), "s",
           f"< {TARGET_S:.0f} s", run_s < TARGET_S, database=database)
    record("reconciliation", "differences found as planted", run.differences_found, "",
           f"{sum(expected.values())} by kind", right, database=database)
    print(f"  {'MEETS' if run_s < TARGET_S and right else 'MISSES'} the target"
          + ("" if right else f" (expected {json.dumps(expected)})"))


if __name__ == "__main__":
    main()
