"""Workbooks and not-quite-workbooks built in memory for the Excel import tests."""

import struct
import zipfile
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook

TEMPLATE_HEADER = [
    "序号", "增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期",
    "是否缴纳公积金", "手机号", "减员原因",
]


def xlsx_bytes(
    rows: list[list[Any]],
    *,
    merge: str | None = None,
    merges: list[str] | None = None,
    title: str = "Sheet",
    extra_sheets: dict[str, list[list[Any]]] | None = None,
    active: int = 0,
) -> bytes:
    """A workbook whose first sheet holds `rows` from A1 (None: an empty cell; [] a blank
    row), with `merge` (e.g. "A1:K1") and `merges` merged, and more sheets after it."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in ([merge] if merge else []) + (merges or []):
        sheet.merge_cells(cells)
    for name, sheet_rows in (extra_sheets or {}).items():
        extra = workbook.create_sheet(name)
        for row in sheet_rows:
            extra.append(row)
    workbook.active = active
    return _save(workbook)


def many_rows_xlsx(count: int) -> bytes:
    """A write-only workbook: header plus `count` add lines (action and ID only)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名单")
    sheet.append(["增减员类型", "身份证号码"])
    for _ in range(count):
        sheet.append(["增员", "11010519491231002X"])
    return _save(workbook)


def fill_template(template: bytes, rows: list[list[Any]]) -> bytes:
    """The template with `rows` written under its example row."""
    workbook = load_workbook(BytesIO(template))
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_sheet(data: bytes) -> list[list[Any]]:
    """Every row of the first sheet as values."""
    workbook = load_workbook(BytesIO(data))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


# Not-quite-workbooks ---------------------------------------------------------------

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def ole_file(*stream_names: str) -> bytes:
    """A minimal OLE compound file (CFB v3): a 512-byte header and one directory sector
    whose entries are the root and `stream_names`, as an encrypted .xlsx or an old .xls
    starts."""
    header = bytearray(512)
    header[0:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 48, 0)  # first directory sector
    directory = bytearray()
    for index, name in enumerate(("Root Entry", *stream_names)):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        entry[66] = 5 if index == 0 else 2  # root storage / stream
        directory += entry
    directory += bytes(512 - len(directory) % 512)
    return bytes(header) + bytes(directory)


def zip_with(parts: dict[str, bytes]) -> bytes:
    """A deflated zip holding `parts` (name → content)."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the xlsx `data` with one part's content replaced."""
    with zipfile.ZipFile(BytesIO(data)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[name] = content
    return zip_with(parts)


# Fields of a zip member's local and central headers: (local offset, central offset, format)
ZIP_HEADER_FIELDS = {
    "version": (4, 6, "<H"),
    "flags": (6, 8, "<H"),
    "method": (8, 10, "<H"),
    "file_size": (22, 24, "<I"),
}


def patch_zip_header(data: bytes, name: str, field: str, value: int) -> bytes:
    """A copy of the zip `data` whose headers for member `name` say `field` is `value`:
    "file_size" (a bomb that lies about its size), "flags" (bit 0: zip-encrypted),
    "method" (the compression method), "version" (needed to extract)."""
    local, central_offset, fmt = ZIP_HEADER_FIELDS[field]
    with zipfile.ZipFile(BytesIO(data)) as archive:
        info = archive.getinfo(name)
    patched = bytearray(data)
    struct.pack_into(fmt, patched, info.header_offset + local, value)
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46 : central + 46 + name_length] == name.encode():
            struct.pack_into(fmt, patched, central + central_offset, value)
            break
        central = patched.find(b"PK\x01\x02", central + 4)
    return bytes(patched)


def excel_like_xlsx(rows: list[list[Any]], *, dimension: str) -> bytes:
    """A workbook written the way Excel writes one: strings in sharedStrings.xml, numbers
    as `<v>` text (so "1.10105194912310E+17" is a number cell), `datetime.date` values as
    serial numbers in a cell styled with the built-in date format 14, and a stored
    `<dimension>` that may be wrong, as some tools leave it."""
    strings: list[str] = []
    sheet_rows = []
    for number, row in enumerate(rows, 1):
        cells = []
        for col, value in enumerate(row):
            ref = f"{chr(65 + col)}{number}"
            if value is None:
                continue
            if isinstance(value, date):
                serial = (value - date(1899, 12, 30)).days
                cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
            elif isinstance(value, str) and value.startswith("#num:"):
                cells.append(f'<c r="{ref}"><v>{value[5:]}</v></c>')
            else:
                strings.append(str(value))
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    shared = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return zip_with(
        {
            "[Content_Types].xml": (
                f'<Types xmlns="{package}/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                f'<Relationships xmlns="{package}/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/workbook.xml": (
                f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                '<sheet name="增减员" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{package}/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
                f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/styles.xml": (
                f'<styleSheet xmlns="{main}">'
                '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
                '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
                '<borders count="1"><border/></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                '</cellStyleXfs><cellXfs count="2">'
                '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
                'applyNumberFormat="1"/></cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                "</cellStyles></styleSheet>"
            ).encode(),
            "xl/sharedStrings.xml": (
                f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                f"{shared}</sst>"
            ).encode(),
            "xl/worksheets/sheet1.xml": (
                f'<worksheet xmlns="{main}"><dimension ref="{dimension}"/>'
                f'<sheetData>{"".join(sheet_rows)}</sheetData>'
                '<mergeCells count="1"><mergeCell ref="A1:E1"/></mergeCells></worksheet>'
            ).encode(),
        }
    )
