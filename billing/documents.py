"""Documents of billing: the bill as a PDF (A4 landscape) and as a workbook, the invoice
record as a PDF, the sheet for the tax platform's batch import, and the platform's
invoice numbers read back from the sheet staff download from it.

Reads only: nothing here writes to the database (`billing.services.invoice_record_numbers`
records what `tax_numbers_read` reads).

Bills and invoices are Chinese documents: the PDF templates (`billing/pdf/`) and the
sheets' headers are written in Chinese, as the contract PDF's are. Every cell of a sheet is
written through `agency.xlsx.append_row` / `write_cell`, so a person's name like
"=cmd|' /C calc'!A0" stays text."""

import datetime
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import openpyxl
from django.core.exceptions import ImproperlyConfigured
from django.db.models import prefetch_related_objects
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.pdf import render_pdf
from agency.xlsx import (
    MAX_BLANK_RUN,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    append_row,
    cell_text,
    check_xlsx_container,
    header_key,
    stored_as_number,
    write_cell,
)
from billing.models import Bill, BillLine, BillStatus, Invoice, InvoiceKind, LineType
from billing.selectors import seller

ZERO = Decimal("0.00")
MONEY_FORMAT = "0.00"
RATE_FORMAT = "0%"
DATE_FORMAT = "yyyy-mm-dd"

# The item kinds of a bill's detail, in the order of the columns, with their short
# Chinese labels. Maternity gets its columns only when a line has it (most cities merged
# it into medical); a kind not listed here (a city's extra item) gets columns after
# work injury, under its kind as given.
ITEM_LABELS: dict[str, str] = {
    "pension": "养老",
    "medical": "医疗",
    "maternity": "生育",
    "unemployment": "失业",
    "work_injury": "工伤",
    "housing_fund": "公积金",
}
OPTIONAL_KINDS = frozenset({"maternity"})
HOUSING_FUND_KIND = "housing_fund"

BILL_STATUS_LABELS: dict[str, str] = {
    BillStatus.DRAFT: "草稿",
    BillStatus.ISSUED: "已出具",
    BillStatus.CONFIRMED: "已确认",
    BillStatus.DISPUTED: "有异议",
    BillStatus.PAID: "已付清",
    BillStatus.VOID: "已作废",
}
LINE_TYPE_LABELS: dict[str, str] = {
    LineType.REGULAR: "正常",
    LineType.BACKPAY: "补缴",
    LineType.TOPUP: "补差",
    LineType.REFUND: "退费",
    LineType.MANUAL: "调整",
}
INVOICE_KIND_LABELS: dict[str, str] = {
    InvoiceKind.ORDINARY: "普通发票",
    InvoiceKind.SPECIAL: "专用发票",
}
NOT_TAXED = "不征税"

# The columns of a bill's detail before the item columns, and after them.
DETAIL_HEADERS = ("姓名", "证件号", "城市", "类型", "月份")
SUBTOTAL_HEADERS = ("社保小计", "公积金小计", "服务费", "合计")


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _rate(rate: Decimal) -> str:
    """0.0600 → "6%", 0.0150 → "1.5%"."""
    return f"{rate * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def _save(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet(workbook: Workbook) -> Worksheet:
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # noqa: S101 - a new Workbook has one worksheet
    return sheet


# --- the bill's detail --------------------------------------------------------------------

@dataclass(frozen=True)
class DetailRow:
    """One line of a bill as its detail shows it: `sides` holds the employer's and the
    employee's amount of each item column in turn (None where the line has no such item)."""

    name: str
    id_number_masked: str
    city: str
    line_type: str
    months: str
    sides: tuple[Decimal | None, ...]
    social_insurance: Decimal
    housing_fund: Decimal
    service_fee: Decimal
    total: Decimal

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.name, self.id_number_masked, self.city, self.line_type, self.months)

    @property
    def amounts(self) -> tuple[Decimal | None, ...]:
        return (*self.sides, self.social_insurance, self.housing_fund, self.service_fee,
                self.total)


@dataclass(frozen=True)
class BillDetail:
    """A bill's per-person detail: the item columns (kind, label), the rows, and the
    totals row (the column sums, which equal the bill's totals)."""

    kinds: tuple[tuple[str, str], ...]
    rows: list[DetailRow]
    totals: tuple[Decimal, ...]

    @property
    def side_headers(self) -> list[str]:
        """"养老单位", "养老个人", … one per item side (the workbook's columns)."""
        return [f"{label}{side}" for _kind, label in self.kinds for side in ("单位", "个人")]


def _detail_lines(bill: Bill) -> Iterator[BillLine]:
    """The bill's lines in order, person and city joined, in one query (no JSON basis)."""
    return (
        BillLine.objects.filter(bill=bill)
        .select_related("person", "city")
        .only("line_type", "month_from", "month_to", "items", "social_insurance",
              "housing_fund", "service_fee", "total", "description", "person",
              "person__name", "person__id_number_masked", "city", "city__name")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )


def _item_columns(kinds_present: set[str]) -> tuple[tuple[str, str], ...]:
    """The standard kinds (maternity only when present), a city's extra kinds after work
    injury, housing fund last."""
    standard = [(k, label) for k, label in ITEM_LABELS.items()
                if k not in OPTIONAL_KINDS or k in kinds_present]
    extra = [(k, k) for k in sorted(kinds_present - ITEM_LABELS.keys())]
    before_fund = [c for c in standard if c[0] != HOUSING_FUND_KIND]
    return (*before_fund, *extra, (HOUSING_FUND_KIND, ITEM_LABELS[HOUSING_FUND_KIND]))


def _line_sides(line: BillLine) -> dict[str, tuple[Decimal, Decimal]]:
    """Employer and employee amount per kind of one line (a kind twice adds up)."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for item in line.items or []:
        employer, employee = out.get(item["kind"], (ZERO, ZERO))
        out[item["kind"]] = (employer + Decimal(item["employer"]),
                             employee + Decimal(item["employee"]))
    return out


def _months(line: BillLine) -> str:
    first, last = f"{line.month_from:%Y-%m}", f"{line.month_to:%Y-%m}"
    return first if first == last else f"{first}～{last}"


def bill_detail(bill: Bill) -> BillDetail:
    """The per-person detail of `bill` (one query for its lines, however many)."""
    raw = [(line, _line_sides(line)) for line in _detail_lines(bill)]
    kinds = _item_columns({kind for _line, sides in raw for kind in sides})
    rows = []
    for line, sides in raw:
        values: list[Decimal | None] = []
        for kind, _label in kinds:
            pair = sides.get(kind)
            values.extend(pair if pair is not None else (None, None))
        person = line.person
        rows.append(DetailRow(
            name=person.name if person is not None else line.description,
            id_number_masked=person.id_number_masked if person is not None else "",
            city=line.city.name if line.city is not None else "",
            line_type=LINE_TYPE_LABELS.get(line.line_type, line.line_type),
            months=_months(line),
            sides=tuple(values),
            social_insurance=line.social_insurance, housing_fund=line.housing_fund,
            service_fee=line.service_fee, total=line.total,
        ))
    totals = [ZERO] * (2 * len(kinds) + len(SUBTOTAL_HEADERS))
    for row in rows:
        for i, amount in enumerate(row.amounts):
            if amount is not None:
                totals[i] += amount
    return BillDetail(kinds=kinds, rows=rows, totals=tuple(totals))


def _pdf_cells(amounts: tuple[Decimal | None, ...], kinds: int) -> list[str]:
    """A detail row's amounts as the PDF shows them: "单位/个人" for each item column
    ("1600.00/800.00", empty where the line has no such item), then the subtotals."""
    pairs = [
        "" if amounts[i] is None else f"{_money(amounts[i])}/{_money(amounts[i + 1])}"
        for i in range(0, 2 * kinds, 2)
    ]
    return [*pairs, *(_money(a) for a in amounts[2 * kinds:])]


def _issued_on(bill: Bill) -> datetime.date | None:
    return timezone.localtime(bill.issued_at).date() if bill.issued_at else None


# The detail is set in WenQuanYi Micro Hei Mono: a Latin character is 0.6 em wide, a CJK
# one 1.0 em; widths are counted in fifths of an em (3 and 5 units) and padded with
# spaces (3) and ideographic spaces (5), so every column lines up exactly.
LATIN, CJK = 3, 5
UNREACHABLE = frozenset({1, 2, 4, 7})  # no sum of 3s and 5s makes these
PDF_FONT_PT_MAX = Decimal("7.5")
PDF_LINE_UNITS_PT = Decimal("3900")  # 277 mm of A4 landscape = 780 pt, at 5 units an em


def _units(text: str) -> int:
    return sum(CJK if unicodedata.east_asian_width(c) in "WF" else LATIN for c in text)


def _padding(units: int) -> str:
    for ideographic in range(3):
        rest = units - CJK * ideographic
        if rest >= 0 and rest % LATIN == 0:
            return "\u3000" * ideographic + " " * (rest // LATIN)
    raise ValueError(f"no padding of {units} units")


def _fit(text: str, width: int, *, right: bool) -> str:
    space = _padding(width - _units(text))
    return space + text if right else text + space


def _width(texts: list[str], *, step: int) -> int:
    """The narrowest column width (growing by `step`) every text pads to exactly."""
    width = max(_units(t) for t in texts)
    if step == LATIN:
        width += -width % LATIN
    while any(width - _units(t) in UNREACHABLE for t in texts):
        width += step
    return width


def _mono_table(detail: BillDetail) -> tuple[list[str], list[str], str, str]:
    """The detail as lines of a monospaced table: (header lines, rows, totals row, font
    size). WeasyPrint lays out ~1.3 ms per table cell: a 15-cell row costs 20 ms, a row
    of one monospaced text 2 ms; a bill of 1,000 lines renders in ~3 s, not 25."""
    heads = ["姓名", "证件号", "城市", "类型", "月份"]
    labels = [label for _kind, label in detail.kinds] + list(SUBTOTAL_HEADERS)
    subs = ["单位/个人"] * len(detail.kinds) + [""] * len(SUBTOTAL_HEADERS)
    cells = [(list(row.texts), _pdf_cells(row.amounts, len(detail.kinds)))
             for row in detail.rows]
    totals = _pdf_cells(detail.totals, len(detail.kinds))
    first = ["合计", "", "", "", ""]
    text_widths = [_width([heads[i], first[i], *(t[i] for t, _a in cells)], step=1)
                   for i in range(len(heads))]
    # amounts are Latin only: a width of 3s pads them with spaces; the header decides
    num_widths = [_width([labels[i], subs[i], totals[i], *(a[i] for _t, a in cells)],
                         step=LATIN) for i in range(len(labels))]

    def line(texts: list[str], amounts: list[str]) -> str:
        left = " ".join(_fit(t, w, right=False) for t, w in zip(texts, text_widths, strict=True))
        right = "  ".join(_fit(a, w, right=True) for a, w in zip(amounts, num_widths, strict=True))
        return f"{left}  {right}".rstrip()

    header = [line(heads, labels), line([""] * len(heads), subs)]
    rows = [line(t, a) for t, a in cells]
    total_line = line(first, totals)
    width = max(_units(s) for s in [*header, total_line, *rows])
    size = min(PDF_FONT_PT_MAX, (PDF_LINE_UNITS_PT / max(width, 1)).quantize(
        Decimal("0.1"), rounding="ROUND_DOWN"))
    return header, rows, total_line, f"{size}pt"


def bill_pdf(bill: Bill) -> bytes:
    """The bill as a Chinese PDF, A4 landscape: the agency, client, number, month, status
    and issue date; a totals box (社会保险 / 住房公积金 / 服务费 / 合计); the per-person
    detail (masked ID numbers only; one "单位/个人" column per item) with a totals row,
    set as a monospaced table (see `_mono_table`: ten times faster than table cells)."""
    detail = bill_detail(bill)
    header, rows, total_line, font_size = _mono_table(detail)
    entity = seller()
    return render_pdf("billing/pdf/bill.html", {
        "bill": bill,
        "client_name": bill.client.name,
        "seller_name": entity.name if entity is not None else "",
        "month": _month_label(bill.month),
        "status": BILL_STATUS_LABELS.get(bill.status, bill.status),
        "issued_on": _issued_on(bill),
        "header": header, "rows": rows, "total_line": total_line, "font_size": font_size,
        "box": [("社会保险", bill.social_insurance), ("住房公积金", bill.housing_fund),
                ("服务费", bill.service_fee), ("合计", bill.total)],
    })


def _title_rows(sheet: Worksheet, bill: Bill, title: str) -> None:
    """Two title rows: client and month, then number, status and issue date."""
    issued = _issued_on(bill)
    write_cell(sheet, row=1, column=1,
               value=f"{bill.client.name} {_month_label(bill.month)} {title}").font = Font(
        bold=True, size=13)
    write_cell(sheet, row=2, column=1,
               value=f"账单编号：{bill.number}　状态："
                     f"{BILL_STATUS_LABELS.get(bill.status, bill.status)}　出具日期："
                     f"{issued.isoformat() if issued else '—'}")


def _format_numbers(sheet: Worksheet, row: int, columns: range, number_format: str) -> None:
    for column in columns:
        sheet.cell(row=row, column=column).number_format = number_format


def bill_xlsx(bill: Bill) -> bytes:
    """The bill as a workbook: "账单明细" (one column per item side, amounts as numbers,
    a totals row) and "汇总" (社会保险, 住房公积金, 服务费, 合计), each under title rows
    with the client and month."""
    detail = bill_detail(bill)
    workbook = Workbook()
    sheet = _sheet(workbook)
    sheet.title = "账单明细"
    _title_rows(sheet, bill, "社会保险及住房公积金账单明细")
    headers = [*DETAIL_HEADERS, *detail.side_headers, *SUBTOTAL_HEADERS]
    for column, header in enumerate(headers, start=1):
        write_cell(sheet, row=3, column=column, value=header).font = Font(bold=True)
    amounts = range(len(DETAIL_HEADERS) + 1, len(headers) + 1)
    # rows are counted here: `sheet.max_row` scans every cell (quadratic over a big bill)
    for number, row in enumerate(detail.rows, start=4):
        append_row(sheet, [*row.texts, *row.amounts])
        _format_numbers(sheet, number, amounts, MONEY_FORMAT)
    last = 4 + len(detail.rows)
    append_row(sheet, ["合计", *[""] * (len(DETAIL_HEADERS) - 1), *detail.totals])
    _format_numbers(sheet, last, amounts, MONEY_FORMAT)
    for column in range(1, len(headers) + 1):
        sheet.cell(row=last, column=column).font = Font(bold=True)
    sheet.freeze_panes = "B4"
    for column, width in enumerate((12, 22, 10, 8, 18), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column in amounts:
        sheet.column_dimensions[get_column_letter(column)].width = 12

    summary = workbook.create_sheet("汇总")
    _title_rows(summary, bill, "社会保险及住房公积金账单汇总")
    append_row(summary, ["项目", "金额（元）"])
    for number, (label, amount) in enumerate(
            (("社会保险", bill.social_insurance), ("住房公积金", bill.housing_fund),
             ("服务费", bill.service_fee), ("合计", bill.total)), start=4):
        append_row(summary, [label, amount])
        summary.cell(row=number, column=2).number_format = MONEY_FORMAT
    summary.column_dimensions["A"].width = 14
    summary.column_dimensions["B"].width = 16
    return _save(workbook)


# --- invoices -----------------------------------------------------------------------------

def invoice_pdf(invoice: Invoice) -> bytes:
    """The agency's record of an invoice as a Chinese PDF: kind, numbers, dates, seller
    and buyer, the items (不征税 for the pass-through amounts), 税额合计 and 价税合计, and
    the bill it invoices. The legally valid e-invoice is the tax platform's; the document
    says so."""
    items = [
        {"name": item.name, "amount": _money(item.amount),
         "rate": _rate(item.tax_rate) if item.taxable else NOT_TAXED,
         "tax": _money(item.tax) if item.taxable else "***"}
        for item in invoice.items.order_by("position")
    ]
    return render_pdf("billing/pdf/invoice.html", {
        "invoice": invoice,
        "pass_through": any(item["rate"] == NOT_TAXED for item in items),
        "kind": INVOICE_KIND_LABELS.get(invoice.kind, invoice.kind),
        "bill_number": invoice.bill.number,
        "items": items,
        "amount": _money(invoice.amount),
        "tax": _money(invoice.tax),
    })


TAX_EXPORT_HEADERS = (
    "发票号(本系统)", "发票种类", "购买方名称", "购买方纳税人识别号", "购买方地址电话",
    "购买方开户行及账号", "项目名称", "金额(含税)", "税率", "税额", "不征税标志", "开票日期",
    "备注",
)
_TAX_EXPORT_WIDTHS = (16, 10, 30, 22, 30, 30, 16, 12, 8, 10, 10, 12, 50)
_TAX_EXPORT_FORMATS = {8: MONEY_FORMAT, 9: RATE_FORMAT, 10: MONEY_FORMAT, 12: DATE_FORMAT}


def _remark(invoice: Invoice) -> str:
    parts = [f"账单号：{invoice.bill.number}"]
    if invoice.licence_numbers:
        parts.append(f"许可证编号：{invoice.licence_numbers}")
    return "；".join(parts)


def invoices_tax_export(invoices: Iterable[Invoice]) -> bytes:
    """The tax platform's batch import: one row per invoice item, header in the first row.
    Amounts are numbers (tax included); the rate is a number (0.06, shown 6%) for a
    taxable item and empty for a pass-through one, whose 不征税标志 is 是."""
    invoices = list(invoices)
    prefetch_related_objects(invoices, "bill", "items")
    workbook = Workbook()
    sheet = _sheet(workbook)
    sheet.title = "发票明细"
    append_row(sheet, TAX_EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    number = 1
    for invoice in invoices:
        remark = _remark(invoice)
        for item in sorted(invoice.items.all(), key=lambda i: i.position):
            number += 1
            append_row(sheet, [
                invoice.number, INVOICE_KIND_LABELS.get(invoice.kind, invoice.kind),
                invoice.buyer_name, invoice.buyer_uscc, invoice.buyer_address_phone,
                invoice.buyer_bank_account, item.name, item.amount,
                item.tax_rate if item.taxable else None, item.tax,
                "否" if item.taxable else "是", invoice.issued_on, remark,
            ])
            for column, number_format in _TAX_EXPORT_FORMATS.items():
                sheet.cell(row=number, column=column).number_format = number_format
    sheet.freeze_panes = "A2"
    for column, width in enumerate(_TAX_EXPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    return _save(workbook)


# --- the tax platform's numbers -----------------------------------------------------------

# The sheet's two columns: field → header spellings (matched by `agency.xlsx.header_key`,
# so "发票号（本系统）" and "发票号(本系统)" are one). The first spelling names the column
# in messages.
TAX_NUMBER_HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("发票号(本系统)", "本系统发票号"),
    "tax_platform_number": ("税务平台发票号码", "数电发票号码", "全电发票号码"),
}
# What openpyxl (and zipfile, zlib, defusedxml under it) raise on a damaged workbook, as
# `agency.xlsx` lists them.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    RuntimeError, ArithmeticError, zipfile.BadZipFile, zlib.error, ParseError,
    InvalidFileException, KeyError, ValueError, TypeError, IndexError, AttributeError,
    OSError, EOFError,
)
# Excel keeps 15 significant digits of a number: a longer platform number (数电发票号码
# has 20) stored as a number has lost its last digits.
_EXACT_DIGITS = 15


def _file_error(code: str, message: str) -> ValidationFailed:
    return ValidationFailed([ErrorDetail(code, message, field="file")])


def _unreadable() -> ValidationFailed:
    return _file_error(
        "file_corrupt",
        "文件已损坏或无法读取，请在 Excel 中重新保存为 .xlsx 后上传 / The file is damaged or "
        "cannot be read; save it again as .xlsx in Excel and upload it")


def _read_rows(data: bytes) -> list[tuple[Any, ...]]:
    """The active sheet's rows as values, up to the data row limit (trailing runs of
    blank rows cost nothing)."""
    if not openpyxl.DEFUSEDXML:
        raise ImproperlyConfigured("openpyxl must parse with defusedxml (OPENPYXL_DEFUSEDXML)")
    try:
        check_xlsx_container(data)
    except DomainError as exc:
        raise _file_error(exc.code, exc.message) from exc
    rows: list[tuple[Any, ...]] = []
    try:
        workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.active
            if not isinstance(sheet, ReadOnlyWorksheet):  # a chartsheet
                raise _unreadable()
            sheet.reset_dimensions()  # the stored dimension may be wrong
            blank_run = 0
            for values in sheet.iter_rows(values_only=True):
                blank_run = blank_run + 1 if not any(cell_text(v) for v in values) else 0
                if blank_run == MAX_BLANK_RUN:
                    break
                rows.append(values)
                if len(rows) > MAX_DATA_ROWS + 1:
                    raise _file_error(
                        "too_many_rows",
                        f"数据超过 {MAX_DATA_ROWS} 行，请拆分为多个文件上传 / More than "
                        f"{MAX_DATA_ROWS:,} data rows; split the file and upload the parts")
        finally:
            workbook.close()
    except _READ_ERRORS as exc:
        raise _unreadable() from exc
    return rows


def _header_columns(header: tuple[Any, ...]) -> dict[str, int]:
    """The column of each field in the header row; a missing one is refused by name."""
    keys = {header_key(value): index for index, value in enumerate(header)
            if cell_text(value)}
    columns: dict[str, int] = {}
    errors = []
    for field, spellings in TAX_NUMBER_HEADERS.items():
        found = [keys[header_key(s)] for s in spellings if header_key(s) in keys]
        if found:
            columns[field] = found[0]
        else:
            errors.append(ErrorDetail(
                "header_missing",
                f"第1行表头缺少“{spellings[0]}”列 / The header row (row 1) lacks the column "
                f"“{spellings[0]}”", field=field))
    if errors:
        raise ValidationFailed(errors)
    return columns


def _digits_lost(value: Any) -> bool:
    """A number Excel stored as a number beyond its 15 digits, or as "1.23E+19" text."""
    if isinstance(value, str):
        return stored_as_number(value)
    return stored_as_number(value) and len(cell_text(value)) > _EXACT_DIGITS


def _cell(values: tuple[Any, ...], column: int) -> Any:
    return values[column] if column < len(values) else None


def tax_numbers_read(file: bytes | IO[bytes]) -> list[dict[str, Any]]:
    """The rows of the sheet staff download from the tax platform: 发票号(本系统) and
    税务平台发票号码 (header in the first row; other columns and blank rows are
    ignored), as `{"line", "number", "tax_platform_number"}` for
    `billing.services.invoice_record_numbers`. `line` counts the data rows from 1,
    blank rows not counted (as the roster import counts).

    Raises `ValidationFailed`: field "file" for what is not a readable .xlsx, the field
    of a missing header ("number" / "tax_platform_number"), and per line a platform
    number Excel stored as a number (its last digits are lost)."""
    data = file if isinstance(file, bytes) else file.read(MAX_FILE_BYTES + 1)
    rows = _read_rows(data)
    columns = _header_columns(rows[0] if rows else ())
    out: list[dict[str, Any]] = []
    errors = []
    for values in rows[1:]:
        number = _cell(values, columns["number"])
        platform = _cell(values, columns["tax_platform_number"])
        if not cell_text(number) and not cell_text(platform):
            continue
        line = len(out) + 1
        if _digits_lost(platform):
            errors.append(ErrorDetail(
                "number_not_text",
                f"第{line}行 税务平台发票号码被存为数字，末几位已丢失，请将该列设置为文本格式 / "
                f"Line {line}: the tax platform's number was stored as a number and lost its "
                "last digits; format the column as text",
                field="tax_platform_number", line=line))
        out.append({"line": line, "number": cell_text(number),
                    "tax_platform_number": cell_text(platform)})
    if errors:
        raise ValidationFailed(errors)
    return out
