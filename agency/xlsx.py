"""Safe reading of uploaded .xlsx files, shared by the roster import and the bureau feedback
import: size, container and zip-bomb checks, the header row found among the first rows,
and the data rows under it. And safe writing: every export writes its cells through
`append_row` / `write_cell` (or `safe_cell_value`), so no text becomes a formula.

Reading: python-calamine (Rust) reads an upload 10-15x faster than openpyxl. The checks stay
in front of it: `check_xlsx_container` (size, zip, encryption, ratio) and `_scan_parts`,
which reads every XML part once through zipfile (a part that lies about its size is
`file_corrupt`), refuses any DTD or entity declaration (calamine's XML reader expands none
anyway) and measures each sheet's extent: calamine holds a sheet as a dense grid, so a
sheet whose cells span more than `MAX_DENSE_CELLS` (a crafted r="XFD999999", or cells
formatted down to row 1,048,576) is read by openpyxl's streaming reader instead, which
stops after `MAX_BLANK_RUN` blank rows. Error cells (#N/A) read as empty with calamine.

XML safety of that openpyxl path: openpyxl parses every part with `defusedxml` when that
package is installed and `OPENPYXL_DEFUSEDXML` is not "False" (`openpyxl.DEFUSEDXML`).
lxml is not installed here, so `fromstring` and `iterparse` both come from
`defusedxml.ElementTree`, which refuses entity declarations (billion laughs) and external
references. `open_table` refuses to read at all when openpyxl runs without defusedxml.

Nothing here touches the database."""

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from django.core.exceptions import ImproperlyConfigured
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook, SheetTypeEnum

from agency.errors import DomainError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Parts smaller than this are not held to the ratio (tiny, highly repetitive XML parts
# compress far better than 100:1 and cannot hurt).
RATIO_CHECK_FLOOR = 1024 * 1024
MAX_DATA_ROWS = 20_000
# Reading stops after this many blank rows in a row: sheets formatted down to row 65536,
# or a crafted row number like r="999999999", cost nothing beyond it.
MAX_BLANK_RUN = 10_000
HEADER_SCAN_ROWS = 10
# The largest sheet (rows x columns of the grid from A1 to its farthest cell) calamine
# reads; a larger one is read by openpyxl's streaming reader (see the module's doc). Any
# sheet up to column Z whose cell references all have rows under 100,000 fits (~80 MB).
MAX_DENSE_ROWS = 99_999  # a cell reference with a six-digit row goes to openpyxl
MAX_DENSE_CELLS = MAX_DENSE_ROWS * 26

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# An encrypted OOXML file is an OLE compound file whose directory names these streams
# (UTF-16LE, as directory entries are stored).
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))

# What openpyxl (and zipfile/zlib/defusedxml under it) raise on a damaged workbook.
# defusedxml's refusals (DTDForbidden, EntitiesForbidden, ...) are ValueErrors; zipfile
# raises NotImplementedError (a RuntimeError) for an unknown compression method.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    RuntimeError,
    ArithmeticError,
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    EOFError,
)

_EXAMPLE_PREFIXES = ("例", "示例")
# A row under the data that is a note, a signature line or a total, not a line:
# "注：1. …", "备注", "填表人：王芳", "审核人：李强", "合计".
_NOTE_PREFIXES = ("注", "备注", "说明", "填表", "制表", "审核", "复核", "经办", "负责人",
                  "联系人", "盖章", "单位盖章", "合计", "总计")
_HEADER_NOISE = re.compile(r"[(（【\[].*?[)）】\]]|[\s*＊:：]")


def refuse(code: str, message: str) -> DomainError:
    """A refused upload: the API answers 400 in the error shape."""
    return DomainError(code=code, message=message, status=400)


def _file_corrupt() -> DomainError:
    return refuse(
        "file_corrupt",
        "文件已损坏或无法读取，请在 Excel 中重新保存为 .xlsx 后上传 / "
        "The file is damaged or cannot be read; save it again as .xlsx in Excel and upload it",
    )


def _too_large_uncompressed() -> DomainError:
    return refuse(
        "file_too_large",
        "文件解压后的内容过大（超过 200 MB 或压缩比异常），已拒绝 / "
        "The file's uncompressed content is too large (over 200 MB or an abnormal "
        "compression ratio); it was refused",
    )


def check_xlsx_container(data: bytes) -> None:
    """Refuse, before any XML is parsed, what is not a small, sane .xlsx zip."""
    if len(data) > MAX_FILE_BYTES:
        raise refuse(
            "file_too_large",
            "文件超过 10 MB，请拆分后上传 / The file is larger than 10 MB; split it and upload "
            "the parts",
        )
    if data.startswith(OLE_MAGIC):
        if any(stream in data for stream in _ENCRYPTION_STREAMS):
            raise _file_encrypted()
        raise refuse(
            "file_not_xlsx",
            "文件是旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后上传 / The file is an "
            "old Excel (.xls) workbook; save it as .xlsx and upload it again",
        )
    if not data.startswith(ZIP_MAGIC):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except _READ_ERRORS as exc:
        raise _file_corrupt() from exc
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _not_xlsx()
    if any(m.flag_bits & 0x1 for m in members):  # zip-level password
        raise _file_encrypted()
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        raise _too_large_uncompressed()
    for member in members:
        if (
            member.file_size > RATIO_CHECK_FLOOR
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise _too_large_uncompressed()


def _file_encrypted() -> DomainError:
    return refuse(
        "file_encrypted",
        "文件设置了密码，请在 Excel 中删除密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，"
        "清空密码）后重新上传 / The file is password-protected; remove the password in Excel "
        "and upload it again",
    )


def _not_xlsx() -> DomainError:
    return refuse(
        "file_not_xlsx",
        "文件不是 Excel .xlsx 格式（例如 CSV 或 PDF 改了扩展名），请用模板填写并保存为 .xlsx / "
        "The file is not an .xlsx workbook (e.g. a CSV or PDF renamed); fill in the template "
        "and save it as .xlsx",
    )


def header_key(value: Any) -> str:
    """A header cell as looked up: NFKC-folded, without spaces, `*` required markers,
    colons and bracketed notes ("缴存基数（元）" → "缴存基数"), lower-cased."""
    text = unicodedata.normalize("NFKC", str(value))
    return _HEADER_NOISE.sub("", text).lower()


_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")


def stored_as_number(value: Any) -> bool:
    """An ID cell that Excel kept as a number (precision lost): a numeric cell, or text
    like "1.10105194912310E+17" left by converting one."""
    if isinstance(value, str):
        return _SCIENTIFIC.fullmatch(value.strip()) is not None
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_text(value: Any) -> str:
    """A cell as the user sees it, stripped: "" for empty, 13800000000 (not 13800000000.0)
    for a whole number kept as a float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def alias_table(headers: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """`HeaderSpec.aliases` from field → header spellings; a field's own name ("id_number")
    is accepted too."""
    return {
        header_key(alias): field
        for field, aliases in headers.items()
        for alias in (*aliases, field)
    }


@dataclass(frozen=True)
class HeaderSpec:
    """The columns a table may have. `aliases` maps a `header_key` to a field name; fields
    starting with "_" (e.g. a 序号 column) are recognised but carry no data. `required`
    maps each required field to its label in messages ("身份证号码")."""

    aliases: Mapping[str, str]
    required: Mapping[str, str]
    # a required field also counts as present when one of these fields is (a roster with
    # an add-date column and no action column is a sheet of adds)
    implied: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class SheetTable:
    """A sheet's header and the data rows under it.

    `columns` maps each field to the 0-based indexes of its columns (a file may have both
    增员日期 and 减员日期), in the order of the field's header spellings; a row's value for
    the field is the first non-empty one (`first_value`).

    `rows()` yields `(line, sheet_row, values)` for every data row: `line` counts data rows
    from 1 (fully blank rows, and example rows directly under the header, are skipped and
    not counted), `sheet_row` is the Excel row number, `values` the row's cell values (may
    be shorter than the header). The table ends after `MAX_BLANK_RUN` blank rows in a
    row."""

    sheet_title: str
    header_row: int
    columns: dict[str, tuple[int, ...]]
    _rows: Iterator[tuple[Any, ...]]
    _first_row: int

    def rows(self) -> Iterator[tuple[int, int, tuple[Any, ...]]]:
        data_cols = sorted(
            i for field, cols in self.columns.items() if not field.startswith("_") for i in cols
        )
        line = blank_run = 0
        sheet_row = self._first_row - 1
        for values in self._rows:
            sheet_row += 1
            width = len(values)
            if not any(_filled(values[i]) for i in data_cols if i < width):
                blank_run += 1
                if blank_run == MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            if (line == 0 and is_example_row(values)) or is_note_row(values):
                continue
            line += 1
            if line > MAX_DATA_ROWS:
                raise refuse(
                    "too_many_rows",
                    f"数据超过 {MAX_DATA_ROWS} 行，请拆分为多个文件上传 / More than "
                    f"{MAX_DATA_ROWS:,} data rows; split the file and upload the parts",
                )
            yield line, sheet_row, values


def _filled(value: Any) -> bool:
    return value is not None and (type(value) is not str or bool(value.strip()))


def first_value(values: tuple[Any, ...], columns: tuple[int, ...]) -> Any:
    """The first non-empty cell of `values` among `columns` (a field's columns), or None."""
    width = len(values)
    for col in columns:
        if col < width:
            value = values[col]
            if value is not None and (type(value) is not str or value.strip()):
                return value
    return None


def is_example_row(values: tuple[Any, ...]) -> bool:
    """An example row: its first non-empty cell starts with 例 / 示例 ("例", "例：",
    "示例"), or a cell says 示例 ("张三（示例）")."""
    first = next((v for v in values if _filled(v)), None)
    if isinstance(first, str) and first.strip().startswith(_EXAMPLE_PREFIXES):
        return True
    return any(isinstance(v, str) and "示例" in v for v in values)


def is_note_row(values: tuple[Any, ...]) -> bool:
    """A note, signature or total row (typically under the data): its first non-empty cell
    starts with 注 / 备注 / 说明 / 填表人 / 审核人 / 合计 …"""
    first = next((v for v in values if _filled(v)), None)
    return isinstance(first, str) and unicodedata.normalize("NFKC", first).strip().startswith(
        _NOTE_PREFIXES)


@contextmanager
def open_table(data: bytes, spec: HeaderSpec) -> Iterator[SheetTable]:
    """Open an uploaded workbook safely and find the table described by `spec`.

    The active sheet is tried first, then the others in order; the table's header is the
    row among the first `HEADER_SCAN_ROWS` with the most recognised headers that has every
    required one. Raises `DomainError` (400) for every problem with the file itself."""
    if not openpyxl.DEFUSEDXML:
        raise ImproperlyConfigured("openpyxl must parse with defusedxml (OPENPYXL_DEFUSEDXML)")
    check_xlsx_container(data)
    layout = _scan_parts(data)
    if layout.dense_cells <= MAX_DENSE_CELLS:
        try:
            book = CalamineWorkbook.from_filelike(BytesIO(data))
        except BaseException as exc:  # a Rust panic is a BaseException
            raise _calamine_failed(exc) from exc
        try:
            yield _find_table(_calamine_sheets(book, layout.active_tab), spec)
        finally:
            book.close()
        return
    try:
        workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except _READ_ERRORS as exc:
        raise _file_corrupt() from exc
    try:
        yield _find_table(_openpyxl_sheets(workbook), spec)
    finally:
        workbook.close()


def _calamine_failed(exc: BaseException) -> BaseException:
    """What calamine raised, as the upload's refusal; an interrupt stays itself."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        return exc
    return _file_corrupt()


# a sheet as `_find_table` reads it: its title and a function that opens its rows
SheetRows = tuple[str, Callable[[], Generator[tuple[Any, ...], None, None]]]


def _openpyxl_sheets(workbook: Any) -> list[SheetRows]:
    try:
        active = workbook.active
        sheets = [active, *(ws for ws in workbook.worksheets if ws is not active)]
    except _READ_ERRORS as exc:
        raise _file_corrupt() from exc

    def opener(sheet: Any) -> Callable[[], Generator[tuple[Any, ...], None, None]]:
        def rows() -> Generator[tuple[Any, ...], None, None]:
            # The stored dimension may be wrong; without it rows are read as they are.
            sheet.reset_dimensions()
            return _safe_rows(sheet)
        return rows

    # a chartsheet has no rows
    return [(ws.title, opener(ws)) for ws in sheets if hasattr(ws, "reset_dimensions")]


def _calamine_sheets(book: CalamineWorkbook, active_tab: int) -> list[SheetRows]:
    try:
        metadata = list(book.sheets_metadata)
    except BaseException as exc:
        raise _calamine_failed(exc) from exc
    if 0 <= active_tab < len(metadata):
        metadata.insert(0, metadata.pop(active_tab))

    def opener(name: str) -> Callable[[], Generator[tuple[Any, ...], None, None]]:
        return lambda: _calamine_rows(book, name)

    return [(m.name, opener(m.name)) for m in metadata if m.typ == SheetTypeEnum.WorkSheet]


def _calamine_rows(book: CalamineWorkbook, name: str) -> Generator[tuple[Any, ...], None, None]:
    """A sheet's rows from A1 as value tuples, None for an empty cell (as openpyxl reads
    them); calamine's "" for an empty cell becomes None."""
    try:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except BaseException as exc:
        raise _calamine_failed(exc) from exc
    for row in grid:
        yield tuple([None if value == "" else value for value in row])


@dataclass(frozen=True)
class _Layout:
    active_tab: int
    dense_cells: int  # the largest sheet's grid, from A1 to its farthest cell


_CHUNK = 4 * 1024 * 1024
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_FAR_ROW = re.compile(rb'\sr="[A-Za-z]{0,3}\d{6}')
_WIDE_COLUMN = re.compile(rb'\sr="([A-Za-z]{2,})\d')
_ROW_NUMBER = re.compile(rb'\sr="[A-Za-z]{0,3}(\d{1,5})"')
_ACTIVE_TAB = re.compile(rb'activeTab="(\d{1,5})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _scan_parts(data: bytes) -> _Layout:
    """Read every XML part once (see the module's doc): refuse a DTD, and measure the
    grid of each sheet calamine would build."""
    active_tab = 0
    dense = 0
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            for member in archive.infolist():
                if member.filename.endswith((".xml", ".rels", ".vml")):
                    tab, cells = _scan_part(archive, member)
                    active_tab = active_tab if tab is None else tab
                    dense = max(dense, cells)
    except DomainError:
        raise
    except _READ_ERRORS as exc:
        raise _file_corrupt() from exc
    return _Layout(active_tab=active_tab, dense_cells=dense)


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int | None, int]:
    """One part, in chunks: the workbook's active tab (or None), a sheet's grid (or 0)."""
    name = member.filename
    sheet = name.startswith("xl/worksheets/")
    active_tab = None
    far = False
    widest = 26
    rows = 0
    counted_from_start = True  # the rows of a wide sheet, from its first chunk
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(_CHUNK):
            text = tail + chunk
            if _DTD.search(text):
                raise _file_corrupt()
            if name == "xl/workbook.xml":
                found = _ACTIVE_TAB.search(text)
                if found:
                    active_tab = int(found.group(1))
            if sheet and not far:
                far = _FAR_ROW.search(text) is not None
                wide_before = widest > 26
                for letters in set(_WIDE_COLUMN.findall(text)):
                    widest = max(widest, _column_number(letters))
                if widest > 26:  # counting rows costs a pass: wide sheets only
                    counted_from_start &= wide_before or not tail
                    rows = max((int(n) for n in _ROW_NUMBER.findall(text)), default=rows)
            tail = text[-32:]
    if not sheet:
        return active_tab, 0
    if far:
        return active_tab, MAX_DENSE_CELLS + 1
    height = rows if widest > 26 and counted_from_start else MAX_DENSE_ROWS
    return active_tab, height * widest


def _find_table(sheets: list[SheetRows], spec: HeaderSpec) -> SheetTable:
    best_missing: list[str] | None = None
    best_unknown: list[str] = []
    best_score = 0
    for title, open_rows in sheets:
        rows = open_rows()
        head: list[tuple[Any, ...]] = []
        for values in rows:
            head.append(values)
            if len(head) == HEADER_SCAN_ROWS:
                break
        found = _best_header(head, spec)
        if found is not None:
            index, columns, missing, unknown = found
            if not missing:
                return SheetTable(
                    sheet_title=title,
                    header_row=index + 1,
                    columns=columns,
                    _rows=_chain(head[index + 1 :], rows),
                    _first_row=index + 2,
                )
            if len(columns) > best_score:
                best_score, best_missing, best_unknown = len(columns), missing, unknown
        rows.close()
    expected = "、".join(spec.required.values())
    if best_missing:
        missing_text = "、".join(best_missing)
        unknown_zh = unknown_en = ""
        if best_unknown:
            unknown_zh = f"；未识别的表头：{'、'.join(best_unknown)}"
            unknown_en = f"; headers not recognised: {'、'.join(best_unknown)}"
        raise refuse(
            "header_not_found",
            f"表头缺少必需的列：{missing_text}（应有：{expected}）{unknown_zh} / The header "
            f"row lacks required columns: {missing_text} (expected: {expected}){unknown_en}",
        )
    raise refuse(
        "header_not_found",
        f"前 {HEADER_SCAN_ROWS} 行中未找到表头行，应包含列：{expected} / No header row in the "
        f"first {HEADER_SCAN_ROWS} rows; it should contain the columns: {expected}",
    )


HeaderMatch = tuple[int, dict[str, tuple[int, ...]], list[str], list[str]]


def _header_cells(head: list[tuple[Any, ...]], index: int) -> list[tuple[int, str]]:
    """The filled header cells of row `index` as (column, text). Under a two-row header
    (group titles above, names below) a column merged across both rows has its name in
    the row above only: an empty cell takes the text above it."""
    values = head[index]
    above = head[index - 1] if index > 0 else ()
    cells = []
    for col in range(max(len(values), len(above))):
        value = values[col] if col < len(values) else None
        if not _filled(value) and col < len(above) and _filled(above[col]):
            value = above[col]
        if _filled(value):
            cells.append((col, str(value).strip()))
    return cells


def _best_header(head: list[tuple[Any, ...]], spec: HeaderSpec) -> HeaderMatch | None:
    """The row index with the most recognised headers, its columns, the labels of the
    required fields it lacks and the headers it does not recognise; None when no row has
    two recognised headers."""
    rank = {alias: position for position, alias in enumerate(spec.aliases)}
    best: HeaderMatch | None = None
    best_key = (0, 0)
    for index in range(len(head)):
        found: dict[str, list[tuple[int, int]]] = {}
        unknown: list[str] = []
        for col, text in _header_cells(head, index):
            key = header_key(text)
            name = spec.aliases.get(key)
            if name is None:
                unknown.append(text)
            else:
                found.setdefault(name, []).append((rank[key], col))
        missing = [
            label for name, label in spec.required.items()
            if name not in found and not any(o in found for o in spec.implied.get(name, ()))
        ]
        score = (len(spec.required) - len(missing), len(found))
        if len(found) >= 2 and score > best_key:
            best_key = score
            # A field's columns in the order of its header spellings: 原因 before 备注.
            columns = {f: tuple(col for _rank, col in sorted(c)) for f, c in found.items()}
            best = (index, columns, missing, unknown)
    return best


def _safe_rows(sheet: Any) -> Generator[tuple[Any, ...], None, None]:
    """The sheet's rows as value tuples; a damaged sheet becomes `file_corrupt`."""
    iterator = sheet.iter_rows(values_only=True)
    try:
        while True:
            try:
                values = next(iterator)
            except StopIteration:
                return
            except _READ_ERRORS as exc:
                raise _file_corrupt() from exc
            yield values
    finally:
        iterator.close()


def _chain(
    first: list[tuple[Any, ...]], rest: Iterator[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    yield from first
    yield from rest


# Writing ------------------------------------------------------------------------------

# A text starting with one of these is taken by Excel / LibreOffice as a formula (or a
# DDE call) when the file is opened or the cell is edited: "=HYPERLINK(...)", "+cmd|...",
# "-2+3", "@SUM(...)", and the same behind a tab or carriage return (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell_value(value: Any) -> Any:
    """`value` as an export writes it: a text that starts like a formula gets a leading
    single quote ("'=HYPERLINK(...)", shown as typed, never run); numbers (int, float,
    Decimal, negative ones too), dates, booleans and None are written as they are, typed."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def append_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """`sheet.append(values)` with every value through `safe_cell_value`."""
    sheet.append([safe_cell_value(value) for value in values])


def write_cell(
    sheet: Worksheet, *, row: int, column: int, value: Any
) -> Cell | MergedCell:
    """`sheet.cell(row, column, value)` with the value through `safe_cell_value`; returns
    the cell (to style it)."""
    cell = sheet.cell(row=row, column=column)
    cell.value = safe_cell_value(value)
    return cell
