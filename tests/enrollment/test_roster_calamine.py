"""Uploads are read with python-calamine; openpyxl's streaming reader stays for sheets too
large for calamine's in-memory grid. Both must read a roster alike: every value type a
client's sheet holds, titles, example and note rows, another active sheet."""

from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook

from agency.xlsx import MAX_DENSE_CELLS, _scan_parts
from enrollment.orders.roster_excel import city_aliases, parse_roster_xlsx
from enrollment.persons.id_numbers import id_check_char

CITIES = city_aliases([("310000", "上海市"), ("510100", "成都市"), ("110000", "北京市")])
ZHANG = "11010519491231002X"
LI = "31011519900307123" + id_check_char("31011519900307123")
WANG = "51010719851120456" + id_check_char("51010719851120456")


def roster(*, far_cell: bool) -> bytes:
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填写说明"
    notes.append(["身份证号码请设置为文本格式"])
    sheet = workbook.create_sheet("增减员")
    rows = [
        ["2026年12月 增减员名单"],
        [],
        ["序号", "增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期",
         "是否缴纳公积金", "手机号", "减员原因"],
        [None, "例：增员", "张三（示例）", ZHANG, "城镇本地", "上海", 8000, "2026-12-01", "是",
         "13800000000", None],
        [1, "增员", "张三", ZHANG, "城镇本地", "上海", 8000, datetime(2026, 12, 1), True,  # noqa: DTZ001
         13800000000, None],
        [2, "减员", "李四", LI, None, "上海市", None, date(2026, 12, 31), None, None, "离职"],
        [3, "调基", "王五", WANG, None, "310000", 12500.5, 46357, "否", "139 0000 0000", None],
        [],
        [4, "增员", "赵六", 1.10105194912310e17, "农业外地", "成都", "最低", "２０２６年１２月",
         "否", None, None],
        [5, "增加", "钱七", "ｘ" + ZHANG[1:], "外地农村", "火星", "八千", "2026-13-01", "可能",
         None, None],
        ["注：1. 身份证号码请设置为文本格式"],
        ["填表人：王芳", None, None, None, None, None, None, None, None, None, None],
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:K1")
    if far_cell:  # a grid of 99,999 x 16,384: too large for calamine
        sheet["XFD99999"] = "x"
    workbook.active = 1
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_calamine_and_openpyxl_read_a_roster_alike():
    fast, streamed = roster(far_cell=False), roster(far_cell=True)
    assert _scan_parts(fast).dense_cells <= MAX_DENSE_CELLS < _scan_parts(streamed).dense_cells

    by_calamine = parse_roster_xlsx(fast, cities=CITIES)
    by_openpyxl = parse_roster_xlsx(streamed, cities=CITIES)

    assert by_calamine == by_openpyxl
    assert (by_calamine.sheet_title, by_calamine.header_row) == ("增减员", 3)
    assert by_calamine.sheet_rows == [5, 6, 7, 9, 10]
    assert by_calamine.lines[:3] == [
        {"action": "add", "name": "张三", "id_number": ZHANG, "hukou_type": "urban_local",
         "city": "310000", "base": "8000.00", "effective_date": "2026-12-01",
         "housing_fund": True, "phone": "13800000000"},
        {"action": "remove", "name": "李四", "id_number": LI, "city": "310000",
         "effective_date": "2026-12-31", "reason": "resignation"},
        {"action": "adjust_base", "name": "王五", "id_number": WANG, "city": "310000",
         "base": "12500.50", "effective_date": "2026-12-01", "housing_fund": False,
         "phone": "13900000000"},
    ]
    assert [(e.line, e.field, e.code) for e in by_calamine.errors] == [
        (4, "id_number", "id_number_not_text"),
        (5, "city", "city_unknown"),
        (5, "base", "base_invalid"),
        (5, "effective_date", "date_invalid"),
        (5, "housing_fund", "housing_fund_invalid"),
    ]
