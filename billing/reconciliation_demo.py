"""Demo bureau reconciliation (稽核): the Shanghai social-insurance charge detail of last
month for 上海启明, made from its issued bill with four changes — one person the bureau
did not charge, one ID number nobody billed, one person charged at another base, one
amount a cent off — and compared, so a new user finds a run with differences to decide.
Idempotent: a second call finds the run and does nothing. `billing.demo` calls `seed`
after last month's bills are issued."""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from agency.crypto import lookup_hash
from agency.deadlines import add_months, month_start
from agency.xlsx import append_row
from billing.bureau_files import ITEM_NAMES
from billing.models import FROZEN_STATUSES, BillLine, LineType, ReconciliationRun
from billing.reconciliation_services import reconciliation_run
from clients.models import Client
from enrollment.models import InsuredPerson
from enrollment.persons.id_numbers import id_check_char
from enrollment.persons.services import person_id_number
from policies.models import City

CLIENT = "上海启明信息技术有限公司"
CITY = "310000"
FILE_NAME = "上海社保缴费明细（演示）.xlsx"
ITEMS = ("pension", "medical", "maternity", "unemployment", "work_injury")
COLUMNS = ("缴费基数", "单位缴费金额", "个人缴费金额")
CENT = Decimal("0.01")
Row = tuple[str, str, dict[str, tuple[Decimal, Decimal, Decimal]]]


def _unknown_id_number() -> str:
    """A valid ID number no demo person has (the bureau's file names someone we never
    enrolled)."""
    for n in range(100):
        first17 = f"31011519880808{700 + n:03d}"
        number = first17 + id_check_char(first17)
        if not InsuredPerson.objects.filter(id_number_hash=lookup_hash(number)).exists():
            return number
    raise RuntimeError("no free demo ID number")  # pragma: no cover - 100 taken


def _figures(line: BillLine) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {i["kind"]: (Decimal(i["base"]), Decimal(i["employer"]), Decimal(i["employee"]))
            for i in line.items if i["kind"] in ITEMS}


def _rebased(items: dict[str, tuple[Decimal, Decimal, Decimal]],
             more: Decimal) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """The same rates on a base `more` higher."""
    out = {}
    for kind, (base, employer, employee) in items.items():
        new = base + more
        out[kind] = (new, (employer * new / base).quantize(CENT, ROUND_HALF_UP),
                     (employee * new / base).quantize(CENT, ROUND_HALF_UP))
    return out


def _rows(lines: list[BillLine]) -> list[Row]:
    rows: list[Row] = []
    for n, line in enumerate(lines):
        assert line.person is not None  # noqa: S101 - persons' lines only
        items = _figures(line)
        if n == 0:
            continue  # billed, not charged
        if n == 1:
            items = _rebased(items, Decimal("1000"))
        elif n == 2 and "pension" in items:
            base, employer, employee = items["pension"]
            items["pension"] = (base, employer + CENT, employee)
        rows.append((line.person.name, person_id_number(line.person), items))
    first = _figures(lines[0])
    rows.append(("陆晓峰", _unknown_id_number(), first))  # charged, billed by nobody
    return rows


def bureau_workbook(rows: list[Row], title: str) -> bytes:
    """The bureau's wide sheet: a title row, the items' names over their columns, then
    one row per person."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # noqa: S101 - a new Workbook has one worksheet
    append_row(sheet, [title])
    append_row(sheet, ["序号", "姓名", "身份证号",
                       *[w for kind in ITEMS for w in (ITEM_NAMES[kind], None, None)]])
    append_row(sheet, [None, None, None, *COLUMNS * len(ITEMS)])
    for n, (name, id_number, items) in enumerate(rows, start=1):
        cells: list[object] = [n, name, id_number]
        for kind in ITEMS:
            cells += list(items[kind]) if kind in items else [None, None, None]
        append_row(sheet, cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def seed(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    month = add_months(month_start(today), -1)
    client = Client.objects.filter(name=CLIENT).first()
    city = City.objects.filter(code=CITY).first()
    if client is None or city is None or ReconciliationRun.objects.filter(
            city=city, month=month, file_name=FILE_NAME).exists():
        return
    charged = BillLine.objects.filter(
        bill__status__in=FROZEN_STATUSES, city=city, month_from=month,
        line_type=LineType.REGULAR, person__isnull=False, social_insurance__gt=0,
    ).select_related("person", "bill").order_by("person__name", "pk")
    # the bureau's file holds the agency's whole account in the city: 上海启明's persons
    # (the four changes among them) and any other client's
    lines = [*charged.filter(bill__client=client), *charged.exclude(bill__client=client)]
    if len(lines) < 3 or lines[2].bill.client_id != client.pk:
        return
    title = f"{city.name}{month.year}年{month.month}月社会保险费缴费明细"
    data = bureau_workbook(_rows(lines), title)
    reconciliation_run(city=city, month=month, scheme=ReconciliationRun.Scheme.SOCIAL_INSURANCE,
                       data=data, file_name=FILE_NAME, actor=None)
