"""Excel intake of roster orders: real-world sheets become the API's JSON lines; files that
cannot be taken are refused with a clear 400, never a 500."""

import os
import subprocess
import sys
import zipfile
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from agency.errors import DomainError, ErrorDetail
from agency.xlsx import (
    MAX_BLANK_RUN,
    MAX_DATA_ROWS,
    MAX_DENSE_CELLS,
    MAX_FILE_BYTES,
    _scan_parts,
)
from enrollment.orders.roster_excel import city_aliases, parse_roster_xlsx
from enrollment.orders.roster_template import roster_template_xlsx
from enrollment.persons.id_numbers import id_check_char
from tests.enrollment.xlsx_builders import (
    TEMPLATE_HEADER,
    excel_like_xlsx,
    fill_template,
    many_rows_xlsx,
    ole_file,
    patch_zip_header,
    replace_part,
    xlsx_bytes,
    zip_with,
)

CITIES = city_aliases([("310000", "上海市"), ("510100", "成都市"), ("110000", "北京市")])


def person_id(first17: str) -> str:
    return first17 + id_check_char(first17)


ZHANG = "11010519491231002X"
LI = person_id("31011519900307123")
WANG = person_id("51010719851120456")


# The first line of the API contract's example
ZHANG_ADDED = {
    "action": "add", "name": "张三", "id_number": ZHANG, "hukou_type": "urban_local",
    "city": "310000", "base": "8000.00", "effective_date": "2026-12-01", "housing_fund": True,
    "phone": "13800000000",
}


def refusal(data: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_roster_xlsx(data, cities=CITIES)
    assert caught.value.status == 400
    return caught.value


# Reading real-world sheets --------------------------------------------------------------


def test_title_rows_merged_title_shuffled_columns_and_text_dates_import_exactly():
    # given a file with a merged title, a subtitle, and the columns in its own order
    data = xlsx_bytes(
        [
            ["2026年12月 增减员名单（上海启明信息技术有限公司）"],
            ["制表日期：2026-11-20"],
            ["身份证号", "姓名", "增减员", "生效日期", "参保城市", "户口性质", "申报工资",
             "公积金", "联系电话", "原因", "序号"],
            [ZHANG, "张三", "增员", "2026-12-01", "上海", "城镇本地", "8000", "是",
             "13800000000", None, 1],
            [LI, "李四", "减员", "2026-12-31", "上海市", None, None, None, None, "离职", 2],
            [WANG, "王五", "调基", "2026-12-01", "310000", None, "12,500.5", None, None, None, 3],
        ],
        merge="A1:K1",
    )

    # when it is imported
    parsed = parse_roster_xlsx(data, cities=CITIES)

    # then every line is in the API's shape, with only the keys that have values
    assert parsed.errors == []
    assert parsed.lines == [
        ZHANG_ADDED,
        {"action": "remove", "name": "李四", "id_number": LI, "city": "310000",
         "effective_date": "2026-12-31", "reason": "resignation"},
        {"action": "adjust_base", "name": "王五", "id_number": WANG, "city": "310000",
         "base": "12500.50", "effective_date": "2026-12-01"},
    ]
    assert parsed.sheet_rows == [4, 5, 6]
    assert parsed.header_row == 3


def test_excel_date_cells_and_chinese_slash_dot_and_compact_dates():
    data = xlsx_bytes(
        [
            ["增减员类型", "身份证号码", "生效日期"],
            ["增员", ZHANG, datetime(2026, 12, 1)],  # noqa: DTZ001 - Excel dates are naive
            ["增员", ZHANG, date(2026, 12, 2)],
            ["增员", ZHANG, "2026年12月3日"],
            ["增员", ZHANG, "2026/12/4"],
            ["增员", ZHANG, "2026.12.05"],
            ["增员", ZHANG, "20261206"],
            ["增员", ZHANG, "2026-12-07 00:00:00"],
            ["增员", ZHANG, "２０２６－１２－０８"],
            ["增员", ZHANG, 46365],  # a date column pasted as values: Excel serial number
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.errors == []
    assert [line["effective_date"] for line in parsed.lines] == [
        "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06",
        "2026-12-07", "2026-12-08", "2026-12-09",
    ]


def test_months_mean_the_first_day_of_the_month():
    data = xlsx_bytes(
        [
            ["增减员类型", "身份证号码", "生效月份"],
            ["增员", ZHANG, 202612],
            ["增员", ZHANG, "202612"],
            ["增员", ZHANG, "2026-12"],
            ["增员", ZHANG, "2026年12月"],
            ["增员", ZHANG, "2027/1"],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.errors == []
    assert [line["effective_date"] for line in parsed.lines] == [
        "2026-12-01", "2026-12-01", "2026-12-01", "2026-12-01", "2027-01-01",
    ]


def test_bases_with_thousands_separators_numbers_and_floor_or_ceiling_words():
    data = xlsx_bytes(
        [
            ["增减员类型", "身份证号码", "缴费基数"],
            ["增员", ZHANG, "8,000.00"],
            ["增员", ZHANG, "１２，３４５．６"],
            ["增员", ZHANG, "￥9,800元"],
            ["增员", ZHANG, 8000],
            ["增员", ZHANG, 8333.335],
            ["增员", ZHANG, "最低"],
            ["增员", ZHANG, "最低基数"],
            ["增员", ZHANG, "min"],
            ["增员", ZHANG, "最高"],
            ["增员", ZHANG, "MAX"],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.errors == []
    assert [line["base"] for line in parsed.lines] == [
        "8000.00", "12345.60", "9800.00", "8000.00", "8333.34", "min", "min", "min", "max",
        "max",
    ]


def test_city_by_short_name_full_name_and_code():
    data = xlsx_bytes(
        [
            ["增减员类型", "身份证号码", "参保城市"],
            ["增员", ZHANG, "上海"],
            ["增员", ZHANG, "上海市"],
            ["增员", ZHANG, "310000"],
            ["增员", ZHANG, 310000],
            ["增员", ZHANG, " 成都 "],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.errors == []
    assert [line["city"] for line in parsed.lines] == [
        "310000", "310000", "310000", "310000", "510100",
    ]


def test_values_as_people_type_them():
    data = xlsx_bytes(
        [
            ["增减类型", "身份证号码", "户籍性质", "减员原因", "是否缴纳公积金", "参保险种"],
            ["新增", ZHANG, "本市城镇", None, "Y", "社保+公积金"],
            ["加", ZHANG, "外地城镇", None, "否", "社保"],
            ["增员", ZHANG, "本市农村", None, "yes", "公积金"],
            ["增员", ZHANG, "外地农村户口", None, "N", "社保、公积金"],
            ["停保", ZHANG, "城镇外地", "辞退", None, None],
            ["减", ZHANG, "农村本地", "合同到期", None, None],
            ["减员", ZHANG, "农村外地", "退休", None, None],
            ["减员", ZHANG, None, "死亡", None, None],
            ["减员", ZHANG, None, "调离", None, None],
            ["减员", ZHANG, None, "其他", None, None],
            ["基数调整", ZHANG, None, "解除", True, None],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.errors == []
    assert [
        (line["action"], line.get("hukou_type"), line.get("reason"),
         line.get("housing_fund"), line.get("schemes"))
        for line in parsed.lines
    ] == [
        ("add", "urban_local", None, True, ["social_insurance", "housing_fund"]),
        ("add", "urban_nonlocal", None, False, ["social_insurance"]),
        ("add", "rural_local", None, True, ["housing_fund"]),
        ("add", "rural_nonlocal", None, False, ["social_insurance", "housing_fund"]),
        ("remove", "urban_nonlocal", "dismissal", None, None),
        ("remove", "rural_local", "contract_end", None, None),
        ("remove", "rural_nonlocal", "retirement", None, None),
        ("remove", None, "death", None, None),
        ("remove", None, "transfer", None, None),
        ("remove", None, "other", None, None),
        ("adjust_base", None, "dismissal", True, None),
    ]


def test_header_notes_required_marks_and_separate_add_and_remove_date_columns():
    # given headers with 必填 marks and units, and both an add-date and a remove-date
    # column (a removal may repeat the person's add date)
    data = xlsx_bytes(
        [
            ["*增减员类型", "*身份证号码（必填）", "缴费基数(元)", "减员日期", "增员日期"],
            ["增员", ZHANG, "8000", None, "2026-12-01"],
            ["减员", LI, None, "2026-12-31", "2025-03-01"],
            ["调基", WANG, "9000", None, "2027-01-01"],
            ["减员", ZHANG, None, None, "2026-11-30"],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    # then each line takes its own action's date, else the other one
    assert parsed.errors == []
    assert parsed.lines == [
        {"action": "add", "id_number": ZHANG, "base": "8000.00", "effective_date": "2026-12-01"},
        {"action": "remove", "id_number": LI, "effective_date": "2026-12-31"},
        {"action": "adjust_base", "id_number": WANG, "base": "9000.00",
         "effective_date": "2027-01-01"},
        {"action": "remove", "id_number": ZHANG, "effective_date": "2026-11-30"},
    ]


def test_example_row_blank_rows_and_serial_only_rows_are_skipped_and_not_counted():
    data = xlsx_bytes(
        [
            ["序号", "增减员类型", "姓名", "身份证号码"],
            ["例：", "增员", "张三", ZHANG],
            [1, "增员", "李四", LI],
            [],
            [None, "  ", None, None],
            [2, "减员", "王五", WANG],
            [3],  # a serial number filled down with nothing else
            [],
            [],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.errors == []
    assert parsed.lines == [
        {"action": "add", "name": "李四", "id_number": LI},
        {"action": "remove", "name": "王五", "id_number": WANG},
    ]
    assert parsed.sheet_rows == [3, 6]


def test_an_example_row_named_in_the_name_cell_is_skipped():
    data = xlsx_bytes(
        [
            ["增减员类型", "姓名", "身份证号码"],
            ["增员", "张三（示例）", ZHANG],
            ["增员", "李四", LI],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.lines == [{"action": "add", "name": "李四", "id_number": LI}]
    assert parsed.sheet_rows == [3]


def test_an_id_number_stored_as_a_number_says_to_format_the_column_as_text():
    # given ID cells that Excel kept as numbers (the last digits are already lost)
    data = xlsx_bytes(
        [
            ["增减员类型", "身份证号码"],
            ["增员", 110105194912310000],
            ["增员", 1.1010519491231e17],
            ["增员", "1.10105194912310E+17"],
            ["增员", LI],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.lines == [
        {"action": "add"}, {"action": "add"}, {"action": "add"},
        {"action": "add", "id_number": LI},
    ]
    assert [(e.code, e.field, e.line) for e in parsed.errors] == [
        ("id_number_not_text", "id_number", 1),
        ("id_number_not_text", "id_number", 2),
        ("id_number_not_text", "id_number", 3),
    ]
    assert parsed.errors[0].message == (
        "第2行 身份证号码“110105194912310000”被存为数字，末几位已丢失；请将该列设置为文本格式后"
        "重新填写身份证号码 / Row 2: ID number “110105194912310000” was stored as a number and "
        "its last digits are lost; format the column as text (设置为文本格式) and enter the ID "
        "number again"
    )


def test_unreadable_cells_are_reported_with_line_field_code_and_excel_row():
    data = xlsx_bytes(
        [
            ["增减员名单"],
            ["增减员类型", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期",
             "是否缴纳公积金", "减员原因", "参保险种"],
            ["增员", ZHANG, "城镇本地", "上海", "8000", "2026-12-01", "是", None, "社保"],
            ["转正", LI, "城镇户", "杭州", "八千", "2026-02-30", "也许", "跳槽", "医保"],
        ]
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.lines[1] == {"id_number": LI}
    assert parsed.sheet_rows == [3, 4]
    assert [(e.line, e.field, e.code) for e in parsed.errors] == [
        (2, "action", "action_invalid"),
        (2, "hukou_type", "hukou_invalid"),
        (2, "city", "city_unknown"),
        (2, "base", "base_invalid"),
        (2, "effective_date", "date_invalid"),
        (2, "housing_fund", "housing_fund_invalid"),
        (2, "reason", "reason_invalid"),
        (2, "schemes", "schemes_invalid"),
    ]
    assert parsed.errors[2] == ErrorDetail(
        code="city_unknown",
        field="city",
        line=2,
        message="第4行 参保城市“杭州”无法识别，请填写城市名称（如 上海）或六位城市代码"
        "（如 310000） / Row 4: city “杭州” is not a known city; enter its name (e.g. 上海) "
        "or six-digit code (e.g. 310000)",
    )
    assert parsed.errors[4].message == (
        "第4行 生效日期“2026-02-30”不是有效日期，请填写如 2026-12-01、2026/12/1、2026年12月1日，"
        "或月份 202612、2026-12 / Row 4: date “2026-02-30” is not a valid date; use e.g. "
        "2026-12-01, 2026/12/1, 2026年12月1日, or a month 202612, 2026-12"
    )


def test_the_data_sheet_is_found_when_the_instructions_sheet_is_active():
    data = xlsx_bytes(
        [["增减员类型", "身份证号码"], ["增员", ZHANG]],
        title="名单",
        extra_sheets={"说明": [["请在名单表中填写"]]},
        active=1,
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.sheet_title == "名单"
    assert parsed.lines == [{"action": "add", "id_number": ZHANG}]


def test_city_aliases_add_names_without_their_suffix():
    assert city_aliases(
        [("310000", "上海市"), ("650100", "乌鲁木齐市"), ("450000", "广西壮族自治区"),
         ("810000", "香港特别行政区")]
    ) == {
        "310000": "310000", "650100": "650100", "450000": "450000", "810000": "810000",
        "上海市": "310000", "乌鲁木齐市": "650100", "广西壮族自治区": "450000",
        "香港特别行政区": "810000",
        "上海": "310000", "乌鲁木齐": "650100", "广西壮族": "450000", "香港": "810000",
    }


# Files that are refused ------------------------------------------------------------------


def test_a_csv_renamed_xlsx_is_refused_as_not_xlsx():
    error = refusal("增减员类型,身份证号码\n增员,11010519491231002X\n".encode())

    assert error.code == "file_not_xlsx"
    assert error.message == (
        "文件不是 Excel .xlsx 格式（例如 CSV 或 PDF 改了扩展名），请用模板填写并保存为 .xlsx / "
        "The file is not an .xlsx workbook (e.g. a CSV or PDF renamed); fill in the template "
        "and save it as .xlsx"
    )


def test_a_pdf_another_zip_and_an_old_xls_are_refused_as_not_xlsx():
    assert refusal(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").code == "file_not_xlsx"
    docx = zip_with({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert refusal(docx).code == "file_not_xlsx"
    old_xls = refusal(ole_file("Workbook", "\x05SummaryInformation"))
    assert (old_xls.code, old_xls.message) == (
        "file_not_xlsx",
        "文件是旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后上传 / The file is an old "
        "Excel (.xls) workbook; save it as .xlsx and upload it again",
    )


def test_an_encrypted_workbook_is_refused_with_how_to_remove_the_password():
    error = refusal(ole_file("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"))

    assert error.code == "file_encrypted"
    assert error.message == (
        "文件设置了密码，请在 Excel 中删除密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，"
        "清空密码）后重新上传 / The file is password-protected; remove the password in Excel "
        "and upload it again"
    )


def test_a_file_over_10_mb_is_refused():
    assert MAX_FILE_BYTES == 10 * 1024 * 1024
    small = xlsx_bytes([["增减员类型", "身份证号码"], ["增员", ZHANG]])

    error = refusal(small + bytes(MAX_FILE_BYTES + 1 - len(small)))

    assert error.code == "file_too_large"


def test_20000_rows_are_read_and_20001_are_refused():
    assert MAX_DATA_ROWS == 20_000

    parsed = parse_roster_xlsx(many_rows_xlsx(20_000), cities=CITIES)
    error = refusal(many_rows_xlsx(20_001))

    assert len(parsed.lines) == 20_000
    assert parsed.sheet_rows[-1] == 20_001
    assert error.code == "too_many_rows"
    assert error.message == (
        "数据超过 20000 行，请拆分为多个文件上传 / More than 20,000 data rows; split the file "
        "and upload the parts"
    )


def _sheet_of(size: int) -> bytes:
    main = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return main + b"<sheetData>" + b" " * size + b"</sheetData></worksheet>"


SMALL = xlsx_bytes([["增减员类型", "身份证号码"], ["增员", ZHANG]])


def test_a_zip_bomb_sheet_with_an_abnormal_compression_ratio_is_refused():
    bomb = replace_part(SMALL, "xl/worksheets/sheet1.xml", _sheet_of(50 * 1024 * 1024))
    assert len(bomb) < 100_000

    error = refusal(bomb)

    assert error.code == "file_too_large"
    assert error.message == (
        "文件解压后的内容过大（超过 200 MB 或压缩比异常），已拒绝 / The file's uncompressed "
        "content is too large (over 200 MB or an abnormal compression ratio); it was refused"
    )


def test_a_workbook_over_200_mb_uncompressed_is_refused():
    with zipfile.ZipFile(BytesIO(SMALL)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    # 201 parts of 1 MB each: no single part is held to the ratio, the sum is too big
    parts.update({f"xl/media/image{i}.bin": bytes(1024 * 1024) for i in range(201)})

    assert refusal(zip_with(parts)).code == "file_too_large"


def test_a_zip_bomb_that_understates_its_size_is_refused_as_corrupt():
    bomb = replace_part(SMALL, "xl/worksheets/sheet1.xml", _sheet_of(50 * 1024 * 1024))
    liar = patch_zip_header(bomb, "xl/worksheets/sheet1.xml", "file_size", 5000)

    error = refusal(liar)

    assert error.code == "file_corrupt"
    assert isinstance(error.__cause__, zipfile.BadZipFile)


def test_zip_level_encryption_unknown_compression_and_zip_versions_are_refused():
    sheet = "xl/worksheets/sheet1.xml"
    encrypted = refusal(patch_zip_header(SMALL, sheet, "flags", 1))
    unknown_method = refusal(patch_zip_header(SMALL, sheet, "method", 99))
    future_version = refusal(patch_zip_header(SMALL, sheet, "version", 999))

    assert (encrypted.code, unknown_method.code, future_version.code) == (
        "file_encrypted", "file_corrupt", "file_corrupt",
    )


def test_xml_entities_and_any_dtd_are_refused_before_a_parser_reads_the_part():
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    workbook_part = zipfile.ZipFile(BytesIO(SMALL)).read("xl/workbook.xml")
    doctype = workbook_part.replace(
        b"<workbook", b'<!doctype workbook SYSTEM "http://evil/x.dtd"><workbook', 1)
    assert doctype != workbook_part

    laughs = refusal(replace_part(SMALL, "xl/worksheets/sheet1.xml", billion_laughs))
    external = refusal(replace_part(SMALL, "xl/workbook.xml", doctype))

    assert (laughs.code, external.code) == ("file_corrupt", "file_corrupt")
    assert laughs.__cause__ is None and external.__cause__ is None  # refused by the scan


def test_a_sheet_too_large_for_calamine_is_still_read_by_openpyxl():
    # given a sheet whose far cell makes a grid of 99,999 rows by 16,384 columns: calamine
    # would hold it whole in memory, openpyxl streams it and stops after the blank rows
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + _inline_row(1, "增减员类型", "身份证号码") + _inline_row(2, "增员", ZHANG)
        + b'<row r="99999"><c r="XFD99999" t="inlineStr"><is><t>x</t></is></c></row>'
        + b"</sheetData></worksheet>"
    )
    data = replace_part(SMALL, "xl/worksheets/sheet1.xml", sheet)
    assert _scan_parts(data).dense_cells == 99_999 * 16_384 > MAX_DENSE_CELLS

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.lines == [{"action": "add", "id_number": ZHANG}]
    assert _scan_parts(SMALL).dense_cells <= MAX_DENSE_CELLS  # an ordinary file: calamine


def test_damaged_zips_and_damaged_xml_are_refused_as_corrupt():
    truncated = refusal(SMALL[: len(SMALL) // 2])
    bad_xml = refusal(replace_part(SMALL, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData>"))
    no_workbook = refusal(zip_with({"[Content_Types].xml": b"<Types/>", "xl/styles.xml": b""}))

    assert (truncated.code, bad_xml.code, no_workbook.code) == (
        "file_corrupt", "file_corrupt", "file_corrupt",
    )
    assert truncated.message == (
        "文件已损坏或无法读取，请在 Excel 中重新保存为 .xlsx 后上传 / The file is damaged or "
        "cannot be read; save it again as .xlsx in Excel and upload it"
    )


def test_a_sheet_without_a_header_row_names_the_expected_columns():
    error = refusal(xlsx_bytes([["张三", ZHANG], ["李四", LI]]))

    assert error.code == "header_not_found"
    assert error.message == (
        "前 10 行中未找到表头行，应包含列：增减员类型、身份证号码 / No header row in the first "
        "10 rows; it should contain the columns: 增减员类型、身份证号码"
    )


def test_a_header_without_a_required_column_names_the_missing_one():
    error = refusal(xlsx_bytes([["增减员类型", "姓名", "参保城市"], ["增员", "张三", "上海"]]))

    assert error.code == "header_not_found"
    assert error.message == (
        "表头缺少必需的列：身份证号码（应有：增减员类型、身份证号码） / The header row lacks "
        "required columns: 身份证号码 (expected: 增减员类型、身份证号码)"
    )


def test_a_header_below_the_first_ten_rows_is_not_found():
    rows = [[f"说明第{i}行"] for i in range(10)] + [["增减员类型", "身份证号码"], ["增员", ZHANG]]

    assert refusal(xlsx_bytes(rows)).code == "header_not_found"


# The template ----------------------------------------------------------------------------


def test_the_template_with_only_its_example_row_yields_nothing():
    parsed = parse_roster_xlsx(roster_template_xlsx(), cities=CITIES)

    assert (parsed.lines, parsed.errors, parsed.sheet_rows) == ([], [], [])
    assert (parsed.sheet_title, parsed.header_row) == ("增减员名单", 1)


def test_the_filled_template_round_trips():
    data = fill_template(
        roster_template_xlsx(),
        [
            [1, "增员", "张三", ZHANG, "城镇本地", "上海", "8000.00", "2026-12-01", "是",
             "13800000000", None],
            [2, "减员", "李四", LI, None, "成都", None, "2026-12-31", None, None, "合同到期"],
            [3, "调基", "王五", WANG, None, "北京", "最高", "2027-01-01", None, None, None],
        ],
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    assert parsed.errors == []
    assert parsed.lines == [
        ZHANG_ADDED,
        {"action": "remove", "name": "李四", "id_number": LI, "city": "510100",
         "effective_date": "2026-12-31", "reason": "contract_end"},
        {"action": "adjust_base", "name": "王五", "id_number": WANG, "city": "110000",
         "base": "max", "effective_date": "2027-01-01"},
    ]
    assert parsed.sheet_rows == [3, 4, 5]


def test_the_template_has_text_id_column_dropdowns_frozen_header_and_instructions():
    workbook = load_workbook(BytesIO(roster_template_xlsx()))
    sheet, help_sheet = workbook.worksheets

    assert workbook.sheetnames == ["增减员名单", "填写说明"]
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADER
    assert [c.value for c in sheet[2]] == [
        "例", "增员", "张三", ZHANG, "城镇本地", "上海", "8000.00", "2026-12-01", "是",
        "13800000000", None,
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["D2"].number_format == "@"
    assert sheet.column_dimensions["D"].number_format == "@"
    assert sheet.column_dimensions["D"].width == 22
    assert sorted(
        (str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation
    ) == [
        ("B2:B20002", '"增员,减员,调基"'),
        ("E2:E20002", '"城镇本地,城镇外地,农村本地,农村外地"'),
        ("I2:I20002", '"是,否"'),
        ("K2:K20002", '"辞职,辞退,合同到期,退休,死亡,转出,其他"'),
    ]
    help_rows = [list(r) for r in help_sheet.iter_rows(values_only=True)]
    assert help_rows[0] == ["列名", "是否必填", "填写说明"]
    assert [r[0] for r in help_rows[1:12]] == TEMPLATE_HEADER
    base_help = help_rows[7]
    assert base_help[:2] == ["缴费基数", "增员、调基必填"]
    assert "最低 / 最高" in base_help[2]
    date_help = help_rows[8][2]
    assert "2026年12月1日" in date_help
    assert "截止日" in date_help
    assert "截止日规则" in help_rows[15][0]


def _inline_row(number: int, *texts: str) -> bytes:
    cells = "".join(
        f'<c r="{letter}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for letter, text in zip("ABC", texts, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def test_reading_ends_after_10000_blank_rows_so_far_rows_cost_nothing():
    # given data rows after a gap of 9,999 blank rows, and one at a crafted far row number
    sheet = b"".join(
        (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
            b"<sheetData>",
            _inline_row(1, "增减员类型", "身份证号码"),
            _inline_row(2, "增员", ZHANG),
            _inline_row(10_002, "减员", LI),
            _inline_row(999_999_999, "增员", WANG),
            b"</sheetData></worksheet>",
        )
    )
    assert MAX_BLANK_RUN == 10_000

    parsed = parse_roster_xlsx(replace_part(SMALL, "xl/worksheets/sheet1.xml", sheet),
                               cities=CITIES)

    # then the far row is never reached
    assert parsed.lines == [
        {"action": "add", "id_number": ZHANG}, {"action": "remove", "id_number": LI},
    ]
    assert parsed.sheet_rows == [2, 10_002]


def test_merged_errors_name_the_excel_row_and_skip_what_the_import_reported():
    # given an import with an unreadable ID on line 1 and an order service that then
    # reports that ID as required, a bad checksum on line 2 and an order-level error
    parsed = parse_roster_xlsx(
        xlsx_bytes(
            [["标题"], ["增减员类型", "身份证号码"], ["增员", 110105194912310000],
             ["增员", "110105194912310021"]]
        ),
        cities=CITIES,
    )
    service_errors = [
        ErrorDetail(code="required", message="必填 / Required", field="id_number", line=1),
        ErrorDetail(code="invalid_checksum", field="id_number", line=2,
                    message="身份证号校验位错误 / ID number check digit is wrong"),
        ErrorDetail(code="no_active_contract", message="没有生效的合同 / No active contract"),
    ]

    merged = parsed.merged_errors(service_errors)

    assert [(e.line, e.code) for e in merged] == [
        (None, "no_active_contract"), (1, "id_number_not_text"), (2, "invalid_checksum"),
    ]
    assert merged[2].message == (
        "第4行 身份证号校验位错误 / Row 4: ID number check digit is wrong"
    )
    assert merged[0].message == "没有生效的合同 / No active contract"


def test_an_excel_written_file_with_shared_strings_date_styles_and_a_wrong_dimension():
    # given a file as Excel writes it, whose stored dimension claims only A1:B2
    data = excel_like_xlsx(
        [
            ["2026年12月增减员"],
            ["姓名", "身份证号码", "增减员", "生效日期", "参保城市"],
            ["张三", ZHANG, "增员", date(2026, 12, 1), "上海"],
            ["李四", "#num:1.10105194912310E+17", "减员", date(2026, 12, 31), "上海"],
        ],
        dimension="A1:B2",
    )

    parsed = parse_roster_xlsx(data, cities=CITIES)

    # then every column and row is read, dates are dates and the number ID is caught
    assert parsed.lines == [
        {"action": "add", "name": "张三", "id_number": ZHANG, "city": "310000",
         "effective_date": "2026-12-01"},
        {"action": "remove", "name": "李四", "city": "310000", "effective_date": "2026-12-31"},
    ]
    assert [(e.line, e.code) for e in parsed.errors] == [(2, "id_number_not_text")]
    assert parsed.sheet_rows == [3, 4]


def test_the_import_refuses_to_run_when_openpyxl_would_parse_without_defusedxml():
    # given a process where openpyxl is told not to use defusedxml
    code = (
        "import django; django.setup()\n"
        "from enrollment.orders.roster_excel import parse_roster_xlsx\n"
        "from enrollment.orders.roster_template import roster_template_xlsx\n"
        "parse_roster_xlsx(roster_template_xlsx(), cities={})\n"
    )
    env = {**os.environ, "OPENPYXL_DEFUSEDXML": "False"}

    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).resolve().parents[2], check=False,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: openpyxl must parse with defusedxml "
        "(OPENPYXL_DEFUSEDXML)"
    )
