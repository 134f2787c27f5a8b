"""Bureau interchange: the batch-upload files a city's bureau expects, and the bureau's
feedback file read back.

A city's layout is a small declarative table of columns; `layout_for` picks the one for a
city, scheme and action, falling back to the generic layout. Rows are plain `BureauRow`s
built by the caller from its tasks; nothing here touches the database.

Every exported cell is text (number format "@"): bureau upload systems commonly demand
text cells, and text keeps "8000.00", "202612" and 18-digit ID numbers exactly as written."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from agency.errors import ErrorDetail
from agency.xlsx import (
    HeaderSpec,
    alias_table,
    cell_text,
    first_value,
    open_table,
    stored_as_number,
)
from enrollment.persons.id_numbers import normalize_id_number

SCHEME_LABELS = {"social_insurance": "社保", "housing_fund": "公积金"}
ACTION_LABELS = {"add": "增员", "remove": "减员", "adjust_base": "调基"}
ALL_ACTIONS = frozenset(ACTION_LABELS)
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, kw_only=True)
class BureauRow:
    """One task as the bureau sees it. `first_month` is a date (its month counts) or a
    "YYYY-MM" string; `base` an amount in yuan."""

    name: str
    id_number: str
    id_type: str = "身份证"
    base: Decimal | None = None
    first_month: date | str | None = None
    action: str = "add"
    city_code: str = ""
    city_name: str = ""
    scheme: str = "housing_fund"
    phone: str = ""
    person_status: str = ""


@dataclass(frozen=True)
class Column:
    """One column of a bureau file: its header and how a row's cell text is made."""

    header: str
    value: Callable[[BureauRow], str]
    width: int = 14


@dataclass(frozen=True)
class Layout:
    """A bureau's batch file. `city_code` / `scheme` None: any. The first column is the
    serial number headed `serial_header` (None: no serial column)."""

    code: str
    name: str
    city_code: str | None
    scheme: str | None
    columns: tuple[Column, ...]
    sheet_name: str
    actions: frozenset[str] = ALL_ACTIONS
    serial_header: str | None = "序号"


# Cell formatters ---------------------------------------------------------------------


def attribute(name: str) -> Callable[[BureauRow], str]:
    """The row's attribute as text ("" for None)."""

    def value(row: BureauRow) -> str:
        found = getattr(row, name)
        return "" if found is None else str(found)

    return value


def amount(row: BureauRow) -> str:
    """The base with two decimals: "8000.00"."""
    if row.base is None:
        return ""
    return str(Decimal(row.base).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _month(row: BureauRow) -> tuple[int, int] | None:
    month = row.first_month
    if month is None or month == "":
        return None
    if isinstance(month, date):
        return month.year, month.month
    found = _MONTH.fullmatch(month)
    if found is None:
        raise ValueError(f"first_month must be a date or 'YYYY-MM', not {month!r}")
    return int(found[1]), int(found[2])


def month_compact(row: BureauRow) -> str:
    """The first month as yyyyMM: "202612"."""
    month = _month(row)
    return "" if month is None else f"{month[0]:04d}{month[1]:02d}"


def month_iso(row: BureauRow) -> str:
    """The first month as YYYY-MM: "2026-12"."""
    month = _month(row)
    return "" if month is None else f"{month[0]:04d}-{month[1]:02d}"


def scheme_label(row: BureauRow) -> str:
    return SCHEME_LABELS.get(row.scheme, row.scheme)


def action_label(row: BureauRow) -> str:
    return ACTION_LABELS.get(row.action, row.action)


def city_label(row: BureauRow) -> str:
    return row.city_name or row.city_code


# Layouts -------------------------------------------------------------------------------

CHENGDU_HOUSING_FUND_OPENING = Layout(
    code="chengdu_housing_fund_opening",
    name="成都住房公积金 职工开户清单 / Chengdu housing fund account opening list",
    city_code="510100",
    scheme="housing_fund",
    actions=frozenset({"add"}),
    sheet_name="职工开户清单",
    columns=(
        Column("职工姓名", attribute("name"), 12),
        Column("证件种类", attribute("id_type"), 10),
        Column("证件号码", attribute("id_number"), 22),
        Column("缴存基数（元）", amount, 14),
        Column("初次缴存时间", month_compact, 14),
        Column("人员身份", attribute("person_status"), 12),
        Column("个人联系电话", attribute("phone"), 15),
    ),
)

GENERIC = Layout(
    code="generic",
    name="通用增减员清单 / Generic roster list",
    city_code=None,
    scheme=None,
    sheet_name="增减员清单",
    columns=(
        Column("姓名", attribute("name"), 12),
        Column("证件类型", attribute("id_type"), 10),
        Column("证件号码", attribute("id_number"), 22),
        Column("参保城市", city_label, 12),
        Column("险种", scheme_label, 8),
        Column("业务类型", action_label, 10),
        Column("缴费基数", amount, 12),
        Column("生效月份", month_iso, 10),
        Column("联系电话", attribute("phone"), 15),
    ),
)

LAYOUTS: dict[str, Layout] = {
    layout.code: layout for layout in (CHENGDU_HOUSING_FUND_OPENING, GENERIC)
}


def layout_for(city_code: str, scheme: str, action: str = "add") -> Layout:
    """The layout the city's bureau expects for this scheme and action, else the generic."""
    for layout in LAYOUTS.values():
        if (
            layout.city_code == city_code
            and layout.scheme in (None, scheme)
            and action in layout.actions
        ):
            return layout
    return GENERIC


def export_xlsx(layout: Layout, rows: Iterable[BureauRow]) -> bytes:
    """The bureau file: the layout's headers in row 1 (bold, frozen), one row per
    `BureauRow`, every cell text."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = layout.sheet_name
    headers = [c.header for c in layout.columns]
    widths = [c.width for c in layout.columns]
    if layout.serial_header is not None:
        headers.insert(0, layout.serial_header)
        widths.insert(0, 6)
    sheet.append(headers)
    bold = Font(bold=True)
    for index, width in enumerate(widths, 1):
        sheet.cell(row=1, column=index).font = bold
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = width
        dimension.number_format = "@"
    for serial, row in enumerate(rows, 1):
        texts = [column.value(row) for column in layout.columns]
        if layout.serial_header is not None:
            texts.insert(0, str(serial))
        for index, text in enumerate(texts, 1):
            cell = sheet.cell(row=serial + 1, column=index, value=text)
            cell.number_format = "@"
            # A client-typed name like "=HYPERLINK(...)" stays text, never a formula.
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for header_cell in sheet[1]:
        header_cell.alignment = Alignment(horizontal="center")
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# Feedback ------------------------------------------------------------------------------

FEEDBACK_HEADERS: dict[str, tuple[str, ...]] = {
    "id_number": ("证件号码", "证件号", "身份证号", "身份证号码", "公民身份号码"),
    "name": ("姓名", "职工姓名", "人员姓名"),
    "status": ("办理状态", "状态", "办理结果", "处理结果", "审核状态", "审核结果"),
    "reason": ("原因", "失败原因", "退回原因", "审核意见", "备注", "说明"),
    "_serial": ("序号",),
}
FEEDBACK_SPEC = HeaderSpec(
    aliases=alias_table(FEEDBACK_HEADERS),
    required={"id_number": "证件号码", "status": "办理状态"},
)
OUTCOMES = {
    **dict.fromkeys(
        ("成功", "办理成功", "已办结", "通过", "审核通过", "已办理", "完成", "已完成"),
        "succeeded",
    ),
    **dict.fromkeys(
        ("失败", "不通过", "退回", "办理失败", "审核不通过", "已退回", "驳回", "未通过"),
        "failed",
    ),
}


@dataclass(frozen=True)
class FeedbackRow:
    """One readable row of the bureau's feedback: `outcome` is "succeeded" or "failed"."""

    line: int
    sheet_row: int
    id_number: str
    name: str
    outcome: str
    reason: str


@dataclass
class FeedbackFile:
    """The rows read, and the rows that could not be read (`errors`: `line`, `field`,
    `code`, and a message naming the Excel row and why)."""

    rows: list[FeedbackRow] = field(default_factory=list)
    errors: list[ErrorDetail] = field(default_factory=list)


def parse_feedback_xlsx(data: bytes) -> FeedbackFile:
    """Read the bureau's feedback (证件号码, 姓名, 办理状态, 原因; any order, header among
    the first rows). Raises `DomainError` (400) for a file that cannot be taken at all,
    with the codes of the roster import."""
    result = FeedbackFile()
    with open_table(data, FEEDBACK_SPEC) as table:
        for line, sheet_row, values in table.rows():
            cells = {f: first_value(values, cols) for f, cols in table.columns.items()}
            raw_id, raw_status = cells.get("id_number"), cells.get("status")
            name = cell_text(cells.get("name"))
            problem = _feedback_problem(raw_id, raw_status, sheet_row)
            if problem is not None:
                code, field_name, message = problem
                result.errors.append(
                    ErrorDetail(code=code, message=message, field=field_name, line=line)
                )
                continue
            result.rows.append(
                FeedbackRow(
                    line=line,
                    sheet_row=sheet_row,
                    id_number=normalize_id_number(str(raw_id)),
                    name=name,
                    outcome=OUTCOMES["".join(cell_text(raw_status).split())],
                    reason=cell_text(cells.get("reason")),
                )
            )
    return result


def _feedback_problem(
    raw_id: Any, raw_status: Any, sheet_row: int
) -> tuple[str, str, str] | None:
    """Why a feedback row cannot be used: (code, field, message), or None."""
    id_text = cell_text(raw_id)
    if not id_text:
        return (
            "required", "id_number",
            f"第{sheet_row}行 缺少证件号码 / Row {sheet_row}: the ID number is missing",
        )
    if stored_as_number(raw_id):
        return (
            "id_number_not_text", "id_number",
            f"第{sheet_row}行 证件号码“{id_text}”被存为数字，末几位已丢失，请将该列设置为文本"
            f"格式 / Row {sheet_row}: the ID number “{id_text}” was stored as a number and "
            "lost its last digits; format the column as text",
        )
    status = "".join(cell_text(raw_status).split())
    if not status:
        return (
            "required", "status",
            f"第{sheet_row}行 缺少办理状态 / Row {sheet_row}: the status is missing",
        )
    if status not in OUTCOMES:
        return (
            "status_unknown", "status",
            f"第{sheet_row}行 办理状态“{status}”无法识别，应为 成功 或 失败 / Row {sheet_row}: "
            f"the status “{status}” is not recognised; expected 成功 (succeeded) or 失败 "
            "(failed)",
        )
    return None
