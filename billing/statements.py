"""Reading bank statement exports (银行流水 / 账户明细) for 认款: an online bank's Excel
(.xlsx) or CSV file (GBK, or UTF-8 with or without a BOM) becomes a list of rows.

Header words vary by bank (交易日期 / 交易时间, 对方户名 / 付款人名称, 贷方发生额 / 收入金额
…): they are data, `billing/data/bank_headers.json`, looked up as the roster import looks
up its own (`agency.xlsx.alias_table`, `HeaderSpec`, `open_table`); title rows above the
header, blank rows, example rows and a 合计 row under the data are skipped. A CSV file is
read into the same `SheetTable`, so both kinds count data rows alike.

Every row is read, credits and debits; a cell that cannot be read (a date, an amount)
is an `ErrorDetail` naming the data row (1-based) and the field, and any such row
refuses the whole file. Nothing here touches the database."""

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.datetime import from_excel

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.xlsx import (
    HEADER_SCAN_ROWS,
    MAX_FILE_BYTES,
    OLE_MAGIC,
    ZIP_MAGIC,
    HeaderSpec,
    SheetTable,
    alias_table,
    cell_text,
    first_value,
    header_key,
    open_table,
    refuse,
)

HEADERS_FILE = Path(__file__).parent / "data" / "bank_headers.json"
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    name: tuple(words)
    for name, words in json.loads(HEADERS_FILE.read_text(encoding="utf-8")).items()
    if not name.startswith("_about")
}
SPEC = HeaderSpec(aliases=alias_table(HEADER_ALIASES),
                  required={"date": "交易日期", "credit": "贷方发生额"})
# labels in messages: (Chinese, English)
LABELS = {
    "date": ("交易日期", "date"),
    "credit": ("贷方发生额", "credit amount"),
    "debit": ("借方发生额", "debit amount"),
}
MAX_ERRORS = 100

_CENT = Decimal("0.01")
# Excel serial numbers of 1970-01-01 and 2099-12-31: a date column kept as numbers
_SERIAL_DATES = range(25569, 73051)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:\s.*|\d{4,6})?")
_AMOUNT_NOISE = re.compile(r"[\s,，¥￥元]|RMB|CNY", re.IGNORECASE)
_AMOUNT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_EMPTY_AMOUNTS = {"", "-", "--", "—"}
_ACCOUNT_NOISE = re.compile(r"[\s\-]")


@dataclass(frozen=True)
class StatementRow:
    """One transaction of the statement: `line` counts data rows from 1."""

    line: int
    received_on: date
    credit: Decimal | None
    debit: Decimal | None
    payer_name: str
    payer_account: str
    reference: str
    serial: str

    @property
    def is_receipt(self) -> bool:
        """Only credits are receipts (money in)."""
        return self.credit is not None and self.credit > 0

    @property
    def dedupe_key(self) -> str:
        """The same transaction in another upload: the bank's serial number, else the date,
        amount, payer and reference."""
        if self.serial:
            return f"serial:{self.serial}"
        amount = f"{self.credit:.2f}" if self.credit is not None else ""
        text = "|".join([self.received_on.isoformat(), amount, self.payer_name,
                         self.payer_account, self.reference])
        return "h:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class _CellError(Exception):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(code)
        self.code, self.zh, self.en = code, zh, en


def _amount_error() -> _CellError:
    return _CellError("amount_invalid", "不是有效金额", "is not an amount")


def parse_amount(value: Any) -> Decimal | None:
    """An amount cell: None when empty (or a dash); "3,796.00", "¥3796", 3796.0 → 3796.00;
    more than two decimal places or text is an error."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _amount_error()
    try:
        if isinstance(value, int | Decimal):
            amount = Decimal(value)
        elif isinstance(value, float):
            amount = Decimal(repr(value))
            if abs(amount - amount.quantize(_CENT, rounding=ROUND_HALF_UP)) < Decimal("1e-6"):
                amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
        else:
            text = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
            if text in _EMPTY_AMOUNTS:
                return None
            if not _AMOUNT.fullmatch(text):
                raise _amount_error()
            amount = Decimal(text)
    except InvalidOperation as exc:
        raise _amount_error() from exc
    if not amount.is_finite() or amount != amount.quantize(_CENT) or abs(amount) >= 10**12:
        raise _amount_error()
    return amount.quantize(_CENT)


def _date_error() -> _CellError:
    return _CellError("date_invalid", "不是有效日期（如 2026-11-28、2026/11/28、20261128）",
                      "is not a date (e.g. 2026-11-28, 2026/11/28, 20261128)")


def _ymd(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise _date_error() from exc


def parse_date(value: Any) -> date:
    """A date cell: a date (or date and time), an Excel serial number, or text such as
    2026-11-28, 2026/11/28 10:23:45, 2026年11月28日, 20261128 or 20261128102345."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and int(value) in _SERIAL_DATES:
            day: date = from_excel(int(value)).date()
            return day
        text = cell_text(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in (_DATE, _DATE_COMPACT):
        found = pattern.fullmatch(text)
        if found:
            return _ymd(*found.groups())
    raise _date_error()


def _detail(line: int, field: str, value: Any, error: _CellError) -> ErrorDetail:
    zh, en = LABELS[field]
    shown = cell_text(value)[:40]
    return ErrorDetail(
        error.code, f"第 {line} 行 {zh}“{shown}”{error.zh} / Row {line}: the {en} "
                    f"\"{shown}\" {error.en}", field=field, line=line)


def _text(values: tuple[Any, ...], columns: dict[str, tuple[int, ...]], field: str) -> str:
    return cell_text(first_value(values, columns.get(field, ())))


def _reference(values: tuple[Any, ...], columns: tuple[int, ...]) -> str:
    """Every reference column's text (摘要 and 用途 both): a bill number may be in either."""
    parts: list[str] = []
    for col in columns:
        text = cell_text(values[col]) if col < len(values) else ""
        if text and text not in parts:
            parts.append(text)
    return " ".join(parts)[:300]


def _row(line: int, values: tuple[Any, ...], columns: dict[str, tuple[int, ...]],
         errors: list[ErrorDetail]) -> StatementRow | None:
    """The row's transaction; None for a row without date and amounts (a note under the
    data); problems are added to `errors`."""
    amounts: dict[str, Decimal | None] = {}
    for field in ("credit", "debit"):
        value = first_value(values, columns.get(field, ()))
        try:
            amounts[field] = parse_amount(value)
        except _CellError as exc:
            amounts[field] = None
            errors.append(_detail(line, field, value, exc))
    date_value = first_value(values, columns["date"])
    if date_value is None:
        if any(v is not None for v in amounts.values()):
            errors.append(ErrorDetail("required", f"第 {line} 行缺少交易日期 / Row {line}: "
                                      "the date is missing", field="date", line=line))
        return None
    try:
        received_on = parse_date(date_value)
    except _CellError as exc:
        errors.append(_detail(line, "date", date_value, exc))
        return None
    return StatementRow(
        line=line, received_on=received_on, credit=amounts["credit"], debit=amounts["debit"],
        payer_name=_text(values, columns, "payer_name")[:200],
        payer_account=_ACCOUNT_NOISE.sub("", _text(values, columns, "payer_account"))[:40],
        reference=_reference(values, columns.get("reference", ())),
        serial=_text(values, columns, "serial")[:64],
    )


def _rows(table: SheetTable) -> list[StatementRow]:
    errors: list[ErrorDetail] = []
    rows: list[StatementRow] = []
    for line, _sheet_row, values in table.rows():
        row = _row(line, values, table.columns, errors)
        if row is not None:
            rows.append(row)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ValidationFailed(errors[:MAX_ERRORS], message=(
            "流水中有无法识别的行，未导入任何记录 / Some rows of the statement cannot be read: "
            "nothing was imported"))
    return rows


# --- headers ------------------------------------------------------------------------------

def _header_fields(values: Sequence[Any]) -> dict[str, list[tuple[int, int]]]:
    """The recognised fields of a row: field → [(rank of the spelling, column)]."""
    rank = {alias: position for position, alias in enumerate(SPEC.aliases)}
    found: dict[str, list[tuple[int, int]]] = {}
    for col, value in enumerate(values):
        text = cell_text(value)
        name = SPEC.aliases.get(header_key(text)) if text else None
        if name is not None:
            found.setdefault(name, []).append((rank[header_key(text)], col))
    return found


def _header_error(head: Sequence[Sequence[Any]]) -> DomainError:
    """No header row with every required field: name the headers found (of the row most
    like a header) and the fields missing."""
    best: Sequence[Any] = ()
    best_key = (-1, -1)
    for values in head:
        key = (len(_header_fields(values)), sum(1 for v in values if cell_text(v)))
        if key > best_key:
            best, best_key = values, key
    found_fields = _header_fields(best)
    headers = "、".join(cell_text(v) for v in best if cell_text(v)) or "—"
    missing = "、".join(label for name, label in SPEC.required.items()
                       if name not in found_fields)
    return refuse(
        "header_not_found",
        f"无法识别流水的表头：找到的列为 {headers}；缺少 {missing}（如 交易日期/交易时间、"
        f"贷方发生额/收入金额）/ The statement's header is not recognised: columns found "
        f"{headers}; missing {missing} (e.g. 交易日期 or 交易时间, 贷方发生额 or 收入金额)",
    )


def _xlsx_head(data: bytes) -> list[tuple[Any, ...]]:
    """The first rows of the active sheet (for the message about its header)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.active
        out: list[tuple[Any, ...]] = []
        for values in sheet.iter_rows(values_only=True) if sheet is not None else ():
            out.append(tuple(values))
            if len(out) == HEADER_SCAN_ROWS:
                break
        return out
    finally:
        workbook.close()


def _read_xlsx(data: bytes) -> list[StatementRow]:
    try:
        with open_table(data, SPEC) as table:
            return _rows(table)
    except DomainError as exc:
        if exc.code != "header_not_found":
            raise
        raise _header_error(_xlsx_head(data)) from exc


# --- CSV ----------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM, else GBK (as GB18030, its
    superset): what Chinese online banks export."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


_EXCEL_TEXT = re.compile(r'="(.*)"')


def _csv_cell(value: str) -> str | None:
    """A CSV cell: stripped (banks pad accounts with tabs), ="6222…" (kept as text for
    Excel) unwrapped; None when empty."""
    text = value.strip()
    found = _EXCEL_TEXT.fullmatch(text)
    if found:
        text = found.group(1).strip()
    return text or None


def _csv_rows(text: str) -> Iterator[tuple[str | None, ...]]:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        yield tuple(_csv_cell(v) for v in row)


def _read_csv(data: bytes) -> list[StatementRow]:
    rows = _csv_rows(_decode(data))
    head: list[tuple[str | None, ...]] = []
    for values in rows:
        head.append(values)
        if len(head) == HEADER_SCAN_ROWS:
            break
    best: tuple[int, dict[str, tuple[int, ...]]] | None = None
    for index, values in enumerate(head):
        found = _header_fields(values)
        if all(name in found for name in SPEC.required) and (
                best is None or len(found) > len(best[1])):
            best = index, {f: tuple(col for _rank, col in sorted(c)) for f, c in found.items()}
    if best is None:
        raise _header_error(head)
    index, columns = best

    def rest() -> Iterator[tuple[Any, ...]]:
        yield from head[index + 1:]
        yield from rows

    table = SheetTable(sheet_title="csv", header_row=index + 1, columns=columns,
                       _rows=rest(), _first_row=index + 2)
    return _rows(table)


def statement_read(data: bytes, file_name: str) -> list[StatementRow]:
    """Every transaction row of a bank statement file (.xlsx or .csv), credits and debits.

    Raises `DomainError` (400) for the file itself (not a statement, no header) and
    `ValidationFailed` naming each row and field that cannot be read."""
    if not data:
        raise refuse("file_empty", "文件是空的 / The file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise refuse("file_too_large", "文件超过 10 MB，请拆分后上传 / The file is larger "
                                       "than 10 MB; split it and upload the parts")
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)) or file_name.lower().endswith((".xlsx", ".xls")):
        return _read_xlsx(data)  # the workbook checks say what is wrong with a bad one
    binary = b"\x00" in data[:1024] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if binary:
        raise refuse("file_not_statement",
                     "文件不是 Excel（.xlsx）或 CSV 格式的银行流水 / The file is not a bank "
                     "statement as Excel (.xlsx) or CSV")
    return _read_csv(data)
