"""The bureaus' monthly charge details (社保缴费明细 / 公积金汇缴明细) read, and the
reconciliation report written.

Social insurance comes per person with a block of columns per item: wide files whose
two-row header names the item above its columns (养老保险 over 缴费基数, 单位缴费比例,
单位缴费金额, 个人缴费比例, 个人缴费金额); a header may also join item and column in one
cell (养老保险单位缴费金额), or the file may be long (a 险种 column, one row per person
and item). The housing fund comes per person: account, name, ID number, monthly amount
(employer + employee, or one column each), optionally base and rate. The header words are
data: `billing/data/bureau_headers.json`. Title rows above the header, blank, example
and note rows (合计, 制表人…) are passed over, as in the roster import.

Speed: a month of a large agency is 100,000 rows of 15–30 columns, millions of cells, so
the file is read by `agency.xlsx_stream` (expat, several times openpyxl's speed, as safe;
a CSV too).

Nothing here writes to the database; `billing.reconciliation_services` compares and
saves. A bad row refuses the whole file, naming the 1-based data row and the field."""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.xlsx import (
    HEADER_SCAN_ROWS,
    MAX_BLANK_RUN,
    append_row,
    header_key,
    is_example_row,
    is_note_row,
    refuse,
    stored_as_number,
    write_cell,
)
from agency.xlsx_stream import Rows, cyclic_gc_paused, table_sheets
from billing.models import Difference, DifferenceKind, DifferenceStatus, ReconciliationRun
from billing.reconciliation_selectors import in_kind_order
from enrollment.persons.id_numbers import normalize_id_number

SOCIAL_INSURANCE = ReconciliationRun.Scheme.SOCIAL_INSURANCE.value
HOUSING_FUND = ReconciliationRun.Scheme.HOUSING_FUND.value
MAX_ROWS = 200_000  # a bureau's month for one city: well above the largest agency's
MAX_ERRORS = 50  # a file wrong throughout names its first problems, not 100,000
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LIMIT = Decimal("1E10")  # an amount or base of ten billion yuan is a misread cell

# (sheet row, cell values) of each row of a table

HEADERS_FILE = Path(__file__).with_name("data") / "bureau_headers.json"
_TABLE: dict[str, Any] = json.loads(HEADERS_FILE.read_text(encoding="utf-8"))
_NOISE = re.compile(r"[\s*＊:：()（）【】\[\]\-_·/、]")


def loose_key(value: Any) -> str:
    """A header as an item-and-column cell is split: NFKC-folded, brackets and
    separators dropped but their words kept ("养老(单位)" → "养老单位")."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(value))).lower()


def _aliases(section: dict[str, list[str]]) -> dict[str, str]:
    return {header_key(word): name for name, words in section.items() for word in words}


PERSON = _aliases(_TABLE["person"])
ITEMS = _aliases(_TABLE["items"])
COLUMNS = _aliases(_TABLE["columns"])
# the item words longest first: "养老保险单位" is 养老保险 + 单位, not 养老 + 保险单位
_ITEM_PREFIXES = sorted(((loose_key(w), k) for k, ws in _TABLE["items"].items() for w in ws),
                        key=lambda pair: -len(pair[0]))
_COLUMNS_LOOSE = {loose_key(w): name for name, ws in _TABLE["columns"].items() for w in ws}
# the name of each kind in messages and reports: the first word of its list (养老保险)
ITEM_NAMES: dict[str, str] = {kind: words[0] for kind, words in _TABLE["items"].items()}
AMOUNT_COLUMNS = ("employer", "employee", "total")
COLUMN_LABELS = {
    "id_number": ("身份证号", "ID number"), "name": ("姓名", "name"),
    "base": ("缴费基数", "base"), "employer_rate": ("单位缴费比例", "employer rate"),
    "employer": ("单位缴费金额", "employer amount"),
    "employee_rate": ("个人缴费比例", "employee rate"),
    "employee": ("个人缴费金额", "employee amount"), "total": ("缴费金额", "amount"),
    "rate": ("缴费比例", "rate"), "item": ("险种", "item"),
}


# --- what a file holds ----------------------------------------------------------------------

class ChargedItem(NamedTuple):
    """One item the bureau charged a person: amounts in yuan (None where the file has no
    such column), rates as fractions (0.16). `total` is employer + employee, or the
    file's own total where it gives no split (a housing fund's 月缴存额)."""

    base: Decimal | None
    employer: Decimal | None
    employee: Decimal | None
    total: Decimal
    employer_rate: Decimal | None
    employee_rate: Decimal | None


@dataclass(slots=True)
class BureauRow:
    """One data row of the bureau's file: a person and what was charged per item (our
    kinds: pension, medical, maternity, unemployment, work_injury, housing_fund; an item
    the table does not know keeps the bureau's name). `line` counts data rows from 1."""

    line: int
    id_number: str
    name: str
    account: str
    items: dict[str, ChargedItem] = field(default_factory=dict)


# --- the header -----------------------------------------------------------------------------

@dataclass
class ItemColumns:
    """The columns of one item's block (0-based indexes). `kind` "" in a long file: the
    row's 险种 cell says which item."""

    kind: str
    columns: dict[str, int] = field(default_factory=dict)


@dataclass
class Layout:
    header_row: int  # 0-based index among the rows read
    person: dict[str, int]
    items: list[ItemColumns]
    item_column: int | None = None
    shared: dict[str, int] = field(default_factory=dict)  # a base over every item

    @property
    def data_columns(self) -> list[int]:
        cols = list(self.person.values()) + list(self.shared.values())
        if self.item_column is not None:
            cols.append(self.item_column)
        cols += [c for item in self.items for c in item.columns.values()]
        return sorted(set(cols))


def _filled(value: Any) -> bool:
    return value is not None and (type(value) is not str or bool(value.strip()))


def _groups(above: tuple[Any, ...], width: int) -> list[str | None]:
    """Which item each column sits under in a two-row header: the item title of the row
    above, carried right over its merged cells. Only a row naming at least one known item
    is a row of titles (not a title like "2026年11月缴费明细"); an unknown title there
    (大额医疗互助) is an item of its own name."""
    out: list[str | None] = [None] * width
    if not any(header_key(v) in ITEMS for v in above if _filled(v)):
        return out
    current: str | None = None
    for col in range(width):
        value = above[col] if col < len(above) else None
        if _filled(value):
            key = header_key(value)
            if key in ITEMS:
                current = ITEMS[key]
            elif key in PERSON or key in COLUMNS:
                current = None
            else:
                current = unicodedata.normalize("NFKC", str(value)).strip()[:30]
        out[col] = current
    return out


def _joined(text: str) -> tuple[str, str] | None:
    """An item and a column in one cell: "养老保险单位缴费金额" → (pension, employer)."""
    key = loose_key(text)
    for prefix, kind in _ITEM_PREFIXES:
        if key.startswith(prefix) and key[len(prefix):] in _COLUMNS_LOOSE:
            return kind, _COLUMNS_LOOSE[key[len(prefix):]]
    return None


@dataclass
class _Candidate:
    person: dict[str, int] = field(default_factory=dict)
    grouped: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → column → col
    ungrouped: dict[str, int] = field(default_factory=dict)
    item_column: int | None = None
    unknown: list[str] = field(default_factory=list)

    def add(self, kind: str | None, name: str, col: int) -> None:
        if name == "item":
            self.item_column = col if self.item_column is None else self.item_column
        elif kind is None:
            self.ungrouped.setdefault(name, col)
        else:
            self.grouped.setdefault(kind, {}).setdefault(name, col)

    @property
    def recognised(self) -> int:
        return (len(self.person) + len(self.ungrouped) + (self.item_column is not None)
                + sum(len(c) for c in self.grouped.values()))


def _cell_role(candidate: _Candidate, text: str, from_above: bool, group: str | None,
               col: int) -> None:
    """Put one header cell where it belongs. A cell empty in this row takes the text above
    it (merged over both rows): a person's column, a column over every item (缴费基数), or
    an item with one column (its amount)."""
    key = header_key(text)
    if key in PERSON:
        candidate.person.setdefault(PERSON[key], col)
    elif key in COLUMNS:
        candidate.add(None if from_above else group, COLUMNS[key], col)
    elif from_above and key in ITEMS:
        candidate.add(ITEMS[key], "total", col)
    elif not from_above and (joined := _joined(text)) is not None:
        candidate.add(joined[0], joined[1], col)
    elif not from_above:
        candidate.unknown.append(text)


def _candidate(head: list[tuple[Any, ...]], index: int) -> _Candidate:
    row = head[index]
    above = head[index - 1] if index > 0 else ()
    width = max(len(row), len(above))
    groups = _groups(above, width)
    candidate = _Candidate()
    for col in range(width):
        value = row[col] if col < len(row) else None
        from_above = not _filled(value)
        if from_above:
            value = above[col] if col < len(above) else None
            if not _filled(value):
                continue
        _cell_role(candidate, str(value).strip(), from_above, groups[col], col)
    return candidate


def _social_items(candidate: _Candidate) -> list[ItemColumns]:
    """A social-insurance file's item blocks (a single 比例 column is left out: employer
    and employee rates differ)."""
    if candidate.item_column is not None:  # long: one row per person and item
        columns = {k: v for k, v in candidate.ungrouped.items() if k != "rate"}
        return [ItemColumns("", columns)] if set(columns) & set(AMOUNT_COLUMNS) else []
    return [ItemColumns(kind, {k: v for k, v in cols.items() if k != "rate"})
            for kind, cols in candidate.grouped.items()
            if kind != HOUSING_FUND and set(cols) & set(AMOUNT_COLUMNS)]


def _fund_items(candidate: _Candidate) -> list[ItemColumns]:
    """A housing-fund file's columns; where the header groups by item, the 住房公积金
    block's (a file with both schemes)."""
    columns = dict(candidate.grouped.get(HOUSING_FUND, {}))
    for name, col in candidate.ungrouped.items():
        columns.setdefault(name, col)
    return [ItemColumns(HOUSING_FUND, columns)] if set(columns) & set(AMOUNT_COLUMNS) else []


def _layout(head: list[tuple[Any, ...]], scheme: str) -> tuple[Layout | None, _Candidate]:
    """The header among the first rows: the row with an ID number column and the most
    recognised columns that has at least one item with an amount."""
    best: tuple[tuple[int, int], Layout | None, _Candidate] = ((-1, -1), None, _Candidate())
    for index in range(len(head)):
        candidate = _candidate(head, index)
        items = (_fund_items(candidate) if scheme == HOUSING_FUND
                 else _social_items(candidate))
        complete = "id_number" in candidate.person and bool(items)
        score = (int(complete), candidate.recognised)
        if score > best[0]:
            layout = None
            if complete:
                shared = {k: v for k, v in candidate.ungrouped.items()
                          if k == "base" and scheme == SOCIAL_INSURANCE
                          and candidate.item_column is None}
                layout = Layout(index, candidate.person, items, candidate.item_column, shared)
            best = (score, layout, candidate)
    return best[1], best[2]


def _header_not_found(scheme: str, candidate: _Candidate) -> DomainError:
    if scheme == HOUSING_FUND:
        expected_zh, expected_en = "身份证号、月缴存额（或单位、个人缴存额）", (
            "ID number, monthly amount (or employer and employee amounts)")
    else:
        expected_zh, expected_en = "身份证号，以及各险种的缴费基数、单位缴费金额、个人缴费金额", (
            "ID number, and per item its base, employer and employee amounts")
    unknown = "、".join(candidate.unknown[:12])
    seen = f"；未识别的表头：{unknown}" if unknown else ""
    seen_en = f"; headers not recognised: {unknown}" if unknown else ""
    return refuse(
        "header_not_found",
        f"前 {HEADER_SCAN_ROWS} 行中未找到表头，应有：{expected_zh}{seen} / No header in the "
        f"first {HEADER_SCAN_ROWS} rows; expected: {expected_en}{seen_en}",
    )


# --- the cells ------------------------------------------------------------------------------

class _CellError(Exception):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(code)
        self.code, self.zh, self.en = code, zh, en


_AMOUNT_NOISE = re.compile(r"[\s,，元¥￥]|rmb", re.IGNORECASE)
_EMPTY_WORDS = frozenset({"", "-", "—", "--", "/", "无"})


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    if type(value) is Decimal:
        return value if value.is_finite() else _bad_number()
    if isinstance(value, bool):
        return _bad_number()
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:  # the usual cell: a number's text as a sheet stores it ("8983.5", "1.6E3")
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        pass
    else:
        return number if number.is_finite() else _bad_number()
    text = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    if text in _EMPTY_WORDS:
        return None
    percent = text.endswith("%")
    try:
        number = Decimal(text[:-1] if percent else text)
    except InvalidOperation:
        return _bad_number()
    if not number.is_finite():
        return _bad_number()
    return number / 100 if percent else number


def _bad_number() -> Decimal:
    raise _CellError("amount_invalid", "不是有效数字", "is not a number")


def amount(value: Any) -> Decimal | None:
    """A cell as yuan to the cent ("1,600.00元" → 1600.00); None when empty."""
    number = _number(value)
    if number is None:
        return None
    if not -LIMIT < number < LIMIT:
        raise _CellError("amount_invalid", "金额过大", "is too large")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def rate(value: Any) -> Decimal | None:
    """A rate as a fraction: 0.16, "16%" and 16 are all 0.16."""
    number = _number(value)
    if number is None:
        return None
    return number / 100 if abs(number) >= 1 else number


def _id_number(value: Any) -> str:
    if value is None:
        raise _CellError("required", "必填", "is required")
    if stored_as_number(value) or (type(value) is Decimal):
        raise _CellError(
            "id_number_not_text",
            "被存为数字，末几位已丢失；请将该列设置为文本格式后重新导出",
            "was stored as a number and its last digits are lost; export it as text")
    number = normalize_id_number(str(value))
    if not number:
        raise _CellError("required", "必填", "is required")
    if len(number) > 32:
        raise _CellError("id_number_invalid", "过长", "is too long")
    return number


def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is Decimal:
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    return str(value).strip()


# --- the rows -------------------------------------------------------------------------------

def _cell(values: tuple[Any, ...], col: int | None) -> Any:
    if col is None or col < 0 or col >= len(values):
        return None
    value = values[col]
    return value if _filled(value) else None


# an item's columns in the order a row reads them; -1 where the file has no such column
SPEC_FIELDS = ("base", "employer", "employee", "total", "employer_rate", "employee_rate",
               "rate")
Spec = tuple[str, tuple[int, int, int, int, int, int, int]]


def _spec(kind: str, columns: dict[str, int], shared: dict[str, int]) -> Spec:
    found = {**shared, **columns}
    b, er, ee, total, er_rate, ee_rate, both = (found.get(name, -1) for name in SPEC_FIELDS)
    return kind, (b, er, ee, total, er_rate, ee_rate, both)


class _Cache(dict[Any, Decimal | None]):
    """Cells read as amounts (or rates), each distinct cell text once: a month's file
    repeats its bases and amounts, and a lookup costs a tenth of reading the text. An
    empty cell is None."""

    def __init__(self, read: Any) -> None:
        super().__init__({None: None})
        self.read = read

    def __missing__(self, value: Any) -> Decimal | None:
        found = self[value] = self.read(value)
        return found


def _charged(values: tuple[Any, ...], columns: tuple[int, ...], money: _Cache,
             rates: _Cache) -> ChargedItem | None:
    """One item's figures in a row; None when the row charges nothing for it."""
    width = len(values)
    b, er, ee, total_col, er_rate, ee_rate, both_col = columns
    employer = money[values[er]] if 0 <= er < width else None
    employee = money[values[ee]] if 0 <= ee < width else None
    if employer is None and employee is None:
        total = money[values[total_col]] if 0 <= total_col < width else None
        if not total:
            return None
    else:
        total = (employer or ZERO) + (employee or ZERO)
    base = money[values[b]] if 0 <= b < width else None
    if er_rate < 0 and ee_rate < 0 and both_col < 0:  # the usual file: no rates
        return _new_item((base, employer, employee, total, None, None))
    both = rates[values[both_col]] if 0 <= both_col < width else None
    employer_rate = (rates[values[er_rate]] if 0 <= er_rate < width else None) or both
    employee_rate = (rates[values[ee_rate]] if 0 <= ee_rate < width else None) or both
    return _new_item((base, employer, employee, total, employer_rate, employee_rate))


def _new_item(figures: tuple[Decimal | None, ...]) -> ChargedItem:
    """A `ChargedItem` made in C (`tuple.__new__`), not through its Python `__new__`: a
    100,000-row file makes half a million."""
    return tuple.__new__(ChargedItem, figures)


def _item_kind(value: Any) -> str:
    text = _text(value)
    if not text:
        raise _CellError("required", "必填", "is required")
    return ITEMS.get(header_key(text)) or unicodedata.normalize("NFKC", text)[:30]


class _RowReader:
    """Turns the data rows under a header into `BureauRow`s, gathering the problems."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.id_column = layout.person["id_number"]
        self.name_column = layout.person.get("name", -1)
        self.account_column = layout.person.get("account", -1)
        self.item_column = -1 if layout.item_column is None else layout.item_column
        self.specs = [_spec(item.kind, item.columns, layout.shared) for item in layout.items]
        self.errors: list[ErrorDetail] = []
        self.money, self.rates = _Cache(amount), _Cache(rate)

    def _error(self, line: int, field_name: str, exc: _CellError, kind: str = "") -> None:
        zh, en = COLUMN_LABELS.get(field_name, (field_name, field_name))
        item_zh = f"{ITEM_NAMES.get(kind, kind)} " if kind else ""
        item_en = f"{kind} " if kind else ""
        self.errors.append(ErrorDetail(
            exc.code, f"第 {line} 行 {item_zh}{zh}{exc.zh} / Row {line}: {item_en}{en} {exc.en}",
            field=f"{kind}.{field_name}" if kind else field_name, line=line))

    def row(self, line: int, values: tuple[Any, ...]) -> BureauRow | None:
        number = values[self.id_column] if self.id_column < len(values) else None
        if type(number) is str and number.isascii() and number.isalnum() and len(number) < 33:
            id_number = number.upper()  # the usual cell: nothing to fold
        else:
            try:
                id_number = _id_number(_cell(values, self.id_column))
            except _CellError as exc:
                self._error(line, "id_number", exc)
                return None
        items: dict[str, ChargedItem] = {}
        out = BureauRow(line, id_number, _text(_cell(values, self.name_column)),
                        _text(_cell(values, self.account_column)), items)
        long = self.item_column >= 0
        charged_item, money, rates = _charged, self.money, self.rates
        for kind, columns in self.specs:
            try:
                if long:
                    kind = _item_kind(_cell(values, self.item_column))
                charged = charged_item(values, columns, money, rates)
            except (_CellError, ArithmeticError) as exc:
                if not isinstance(exc, _CellError):
                    exc = _CellError("amount_invalid", "不是有效数字", "is not a number")
                column = self._failing_column(values, columns, kind)
                self._error(line, column, exc, "" if column == "item" else kind)
                continue
            if charged is not None:
                items[kind] = charged
        return out

    @staticmethod
    def _failing_column(values: tuple[Any, ...], columns: tuple[int, ...], kind: str) -> str:
        """Which of the item's cells could not be read (the error names it)."""
        if not kind:
            return "item"
        for name, col in zip(SPEC_FIELDS, columns, strict=True):
            try:
                (rate if name.endswith("rate") else amount)(_cell(values, col))
            except _CellError:
                return name
        return "total"


def _data_rows(rows: Rows, layout: Layout) -> Rows:
    """(line, values) of every data row: blank rows, an example row right under the
    header and note rows (合计, 制表人…) are passed over; `line` counts from 1. A row with
    an ID number starting with a digit is a data row at once (the common case)."""
    data_cols = layout.data_columns
    id_col = layout.person["id_number"]
    line = blank_run = 0
    for _sheet_row, values in rows:
        width = len(values)
        first = values[id_col] if id_col < width else None
        if not (type(first) is str and first[:1].isdigit() and line):
            if not any(_filled(values[i]) for i in data_cols if i < width):
                blank_run += 1
                if blank_run == MAX_BLANK_RUN:
                    return
                continue
            if (line == 0 and is_example_row(values)) or is_note_row(values):
                continue
        blank_run = 0
        line += 1
        if line > MAX_ROWS:
            raise refuse("too_many_rows",
                         f"数据超过 {MAX_ROWS} 行，请拆分后分别上传 / More than {MAX_ROWS:,} "
                         f"data rows; split the file")
        yield line, values


def read_bureau_file(data: bytes, *, scheme: str) -> list[BureauRow]:
    """Every data row of the bureau's file for `scheme` (social_insurance or
    housing_fund). A file that cannot be read, or has no recognisable header, raises
    `DomainError` (400); bad rows raise `ValidationFailed`, each detail naming the 1-based
    data row (`line`) and the field (`id_number`, `pension.employer`…)."""
    if scheme not in (SOCIAL_INSURANCE, HOUSING_FUND):
        raise ValueError(f"unknown scheme {scheme!r}")
    with cyclic_gc_paused():
        return _read_file(data, scheme)


def _read_file(data: bytes, scheme: str) -> list[BureauRow]:
    best: _Candidate | None = None
    for rows in table_sheets(data):
        head: list[tuple[Any, ...]] = []
        for _sheet_row, values in rows:
            head.append(values)
            if len(head) == HEADER_SCAN_ROWS:
                break
        layout, candidate = _layout(head, scheme)
        if layout is None:
            if best is None or candidate.recognised > best.recognised:
                best = candidate
            continue
        rest = _chain([(0, v) for v in head[layout.header_row + 1:]], rows)
        return _read_rows(_data_rows(rest, layout), layout)
    raise _header_not_found(scheme, best or _Candidate())


def _read_rows(rows: Rows, layout: Layout) -> list[BureauRow]:
    reader = _RowReader(layout)
    out = []
    for line, values in rows:
        row = reader.row(line, values)
        if row is not None:
            out.append(row)
        if len(reader.errors) >= MAX_ERRORS:
            break
    if reader.errors:
        raise ValidationFailed(
            reader.errors[:MAX_ERRORS],
            message=f"文件有 {len(reader.errors)} 处错误，未导入任何数据 / The file has "
                    f"{len(reader.errors)} problems: nothing was imported")
    return out


def _chain(first: list[tuple[int, tuple[Any, ...]]],
           rest: Rows) -> Rows:
    yield from first
    yield from rest


# --- the report -----------------------------------------------------------------------------

KIND_LABELS: dict[str, str] = {
    DifferenceKind.NOT_BILLED: "社保局已收、未出账",
    DifferenceKind.NOT_CHARGED: "已出账、社保局未收",
    DifferenceKind.BASE: "基数不同",
    DifferenceKind.RATE: "比例不同",
    DifferenceKind.ROUNDING: "仅舍入差异",
}
STATUS_LABELS: dict[str, str] = {
    DifferenceStatus.OPEN: "待处理",
    DifferenceStatus.ACCEPTED: "已接受（下期账单补差）",
    DifferenceStatus.BUREAU_ERROR: "社保局差错",
}
SCHEME_LABELS = {SOCIAL_INSURANCE: "社会保险", HOUSING_FUND: "住房公积金"}
REPORT_HEADERS = ("类别", "状态", "客户", "姓名", "证件号码", "险种", "账单基数", "社保局基数",
                  "账单金额", "社保局金额", "差额", "备注", "处理人", "处理时间")
REPORT_WIDTHS = (18, 14, 28, 10, 22, 12, 12, 12, 12, 12, 12, 30, 10, 18)
MONEY_COLUMNS = range(7, 12)  # 账单基数 … 差额 (1-based)


def item_label(item: str) -> str:
    """养老保险 for pension; 全部险种 for a person's whole charge; an unknown item as is."""
    return ITEM_NAMES.get(item, item) if item else "全部险种"


def _report_row(d: Difference) -> list[Any]:
    decided = d.decided_at.astimezone(_shanghai()).strftime("%Y-%m-%d %H:%M") if (
        d.decided_at) else ""
    return [
        KIND_LABELS.get(d.kind, d.kind), STATUS_LABELS.get(d.status, d.status),
        d.client.name if d.client else "", d.name, d.id_number_masked, item_label(d.item),
        d.billed_base, d.charged_base, d.billed_amount, d.charged_amount, d.delta, d.note,
        d.decided_by.get_username() if d.decided_by else "", decided,
    ]


def _shanghai() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def reconciliation_xlsx(run: ReconciliationRun) -> bytes:
    """The run's differences as a workbook "稽核差异": two title rows (city, month, scheme;
    file, rows read, persons matched, differences), the header, one row per difference
    (bases, amounts and the difference typed as numbers, "0.00"), a total of the
    differences. Every cell through `append_row` / `write_cell`."""
    differences = in_kind_order(run.differences.select_related("client", "decided_by"))
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # noqa: S101 - a new Workbook has one worksheet
    sheet.title = "稽核差异"
    write_cell(sheet, row=1, column=1,
               value=f"{run.city.name} {run.month.year}年{run.month.month}月 "
                     f"{SCHEME_LABELS.get(run.scheme, run.scheme)}稽核差异").font = Font(
        bold=True, size=13)
    write_cell(sheet, row=2, column=1,
               value=f"文件：{run.file_name}　读取行数：{run.rows}　匹配人数："
                     f"{run.persons_matched}　差异：{run.differences_found}")
    for column, header in enumerate(REPORT_HEADERS, start=1):
        write_cell(sheet, row=3, column=column, value=header).font = Font(bold=True)
    number = 3
    total = Decimal("0.00")
    for number, difference in enumerate(differences.iterator(chunk_size=2000), start=4):
        append_row(sheet, _report_row(difference))
        total += difference.delta
        for column in MONEY_COLUMNS:
            sheet.cell(row=number, column=column).number_format = "0.00"
    append_row(sheet, ["合计", *[""] * 9, total])
    sheet.cell(row=number + 1, column=11).number_format = "0.00"
    sheet.cell(row=number + 1, column=1).font = Font(bold=True)
    sheet.freeze_panes = "A4"
    for column, width in enumerate(REPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
