"""Roster files as agencies and clients really send them (issue: real-world files): one
file per family of header words, each imported without a change to the file. The words
come from a table of header words per field (`enrollment/orders/roster_headers.json`)."""

from datetime import date

import pytest

from agency.errors import DomainError
from enrollment.orders.roster_excel import city_aliases, parse_roster_xlsx
from enrollment.persons.id_numbers import id_check_char
from tests.enrollment.xlsx_builders import xlsx_bytes

CITIES = city_aliases([("310000", "上海市"), ("110000", "北京市"), ("440300", "深圳市")])


def person_id(first17: str) -> str:
    return first17 + id_check_char(first17)


ZHANG = "11010519491231002X"
LI = person_id("31011519900307123")
WANG = person_id("51010719851120456")


def parsed(data: bytes):
    result = parse_roster_xlsx(data, cities=CITIES)
    assert result.errors == []
    return result


def test_an_outsourcing_template_with_document_type_place_of_insurance_and_chinese_months():
    # 证件类型 beside 证件号码, 参保地 as a name without 市, 社保基数, 起缴月份 as 2026年1月
    data = xlsx_bytes([
        ["人力资源外包 参保人员增减员表"],
        ["序号", "增减员", "姓名", "证件类型", "证件号码", "参保地", "社保基数", "起缴月份"],
        ["例", "增员", "张三", "身份证", "110105194912310021", "上海", "8000", "2026年1月"],
        [1, "增员", "张三", "居民身份证", ZHANG, "上海", "8000", "2026年1月"],
        [2, "增员", "李四", "身份证", LI, "北京", 9500, "2026年02月"],
    ])

    result = parsed(data)

    assert result.header_row == 2
    assert result.lines == [
        {"action": "add", "name": "张三", "id_number": ZHANG, "city": "310000",
         "base": "8000.00", "effective_date": "2026-01-01"},
        {"action": "add", "name": "李四", "id_number": LI, "city": "110000",
         "base": "9500.00", "effective_date": "2026-02-01"},
    ]
    assert result.sheet_rows == [4, 5]


def test_a_housing_fund_sheet_with_two_title_rows_compact_months_and_notes_at_the_bottom():
    # an add sheet without an action column: 初次缴存时间 says every line is an add
    data = xlsx_bytes([
        ["住房公积金汇缴变更清册"],
        ["单位名称：上海启明信息技术有限公司", None, None, "2026年1月"],
        ["员工姓名", "证件类型", "证件编号", "缴金地", "缴存基数（元）", "初次缴存时间"],
        ["张三", "身份证", ZHANG, "上海市", "12000.00", "202601"],
        ["李四", "身份证", LI, "310000", "15,000", 202602],
        [],
        ["注：1. 缴存基数按职工上一年度月平均工资填写。"],
        ["填表人：王芳", None, "审核人：李强"],
    ])

    result = parsed(data)

    assert result.header_row == 3
    assert result.lines == [
        {"action": "add", "name": "张三", "id_number": ZHANG, "city": "310000",
         "base": "12000.00", "effective_date": "2026-01-01"},
        {"action": "add", "name": "李四", "id_number": LI, "city": "310000",
         "base": "15000.00", "effective_date": "2026-02-01"},
    ]
    assert result.sheet_rows == [4, 5]


def test_a_two_row_merged_header_with_city_codes():
    # group titles over the columns in the first header row, the names in the second;
    # 序号 and 增减类型 are merged across both rows
    data = xlsx_bytes(
        [
            ["序号", "基本信息", None, "参保信息", None, None, "增减类型"],
            [None, "姓名", "身份证号码", "社保缴纳地", "申报工资", "参保时间", None],
            [1, "张三", ZHANG, "310000", "8000", "2026-01", "增员"],
            [2, "王五", WANG, "440300", None, "2026-03", "减员"],
        ],
        merges=["A1:A2", "B1:C1", "D1:F1", "G1:G2"],
    )

    result = parsed(data)

    assert result.header_row == 2
    assert result.lines == [
        {"action": "add", "name": "张三", "id_number": ZHANG, "city": "310000",
         "base": "8000.00", "effective_date": "2026-01-01"},
        {"action": "remove", "name": "王五", "id_number": WANG, "city": "440300",
         "effective_date": "2026-03-01"},
    ]
    assert result.sheet_rows == [3, 4]


def test_a_place_of_work_column_base_to_fill_in_and_service_start_month():
    data = xlsx_bytes([
        ["类型", "身份证号", "姓名", "工作地点", "基数填写", "服务起始月"],
        ["增员", ZHANG, "张三", "北京", "min", "2026-01"],
        ["增员", LI, "李四", "深圳市", "最高", "2026/02"],
    ])

    result = parsed(data)

    assert result.lines == [
        {"action": "add", "name": "张三", "id_number": ZHANG, "city": "110000",
         "base": "min", "effective_date": "2026-01-01"},
        {"action": "add", "name": "李四", "id_number": LI, "city": "440300",
         "base": "max", "effective_date": "2026-02-01"},
    ]


def test_an_add_date_column_written_as_date_cells_and_a_place_of_payment():
    data = xlsx_bytes([
        ["增员日期", "姓名", "身份证号码", "缴纳地", "缴费基数"],
        [date(2026, 1, 5), "张三", ZHANG, "上海市", 8000],
        [date(2026, 2, 1), "李四", LI, "上海", 8000.5],
    ])

    result = parsed(data)

    assert result.lines == [
        {"action": "add", "name": "张三", "id_number": ZHANG, "city": "310000",
         "base": "8000.00", "effective_date": "2026-01-05"},
        {"action": "add", "name": "李四", "id_number": LI, "city": "310000",
         "base": "8000.50", "effective_date": "2026-02-01"},
    ]


def test_an_unrecognised_header_is_named_with_the_fields_still_missing():
    data = xlsx_bytes([
        ["增减员", "姓名", "身份号", "参保城市"],
        ["增员", "张三", ZHANG, "上海"],
    ])

    with pytest.raises(DomainError) as caught:
        parse_roster_xlsx(data, cities=CITIES)

    assert caught.value.code == "header_not_found"
    assert caught.value.message == (
        "表头缺少必需的列：身份证号码（应有：增减员类型、身份证号码）；未识别的表头：身份号 / "
        "The header row lacks required columns: 身份证号码 (expected: 增减员类型、身份证号码); "
        "headers not recognised: 身份号"
    )


def test_each_header_word_of_the_table_names_one_field():
    from agency.xlsx import header_key
    from enrollment.orders.roster_excel import HEADER_ALIASES

    seen: dict[str, str] = {}
    clashes = []
    for name, words in HEADER_ALIASES.items():
        for word in words:
            key = header_key(word)
            if key in seen and seen[key] != name:
                clashes.append((word, seen[key], name))
            seen[key] = name

    assert clashes == []
    assert HEADER_ALIASES["city"][:2] == ("参保城市", "城市")
