"""Bureau interchange: batch files in each bureau's layout, and its feedback read back."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from agency.errors import DomainError, ErrorDetail
from enrollment.bureau.files import (
    CHENGDU_HOUSING_FUND_OPENING,
    GENERIC,
    LAYOUTS,
    BureauRow,
    FeedbackRow,
    export_xlsx,
    layout_for,
    parse_feedback_xlsx,
)
from tests.enrollment.xlsx_builders import ole_file, read_sheet, xlsx_bytes

ZHANG = "11010519491231002X"
LI = "310115199003071239"

ROWS = [
    BureauRow(
        name="张三", id_number=ZHANG, base=Decimal("8000"), first_month=date(2026, 12, 1),
        city_code="510100", city_name="成都市", scheme="housing_fund", phone="13800000000",
        person_status="一般职工",
    ),
    BureauRow(
        name="李四", id_number=LI, base=Decimal("12345.675"), first_month="2027-01",
        city_code="510100", scheme="housing_fund",
    ),
]


def test_the_chengdu_housing_fund_opening_list_has_the_bureau_columns_and_text_cells():
    data = export_xlsx(CHENGDU_HOUSING_FUND_OPENING, ROWS)

    assert read_sheet(data) == [
        ["序号", "职工姓名", "证件种类", "证件号码", "缴存基数（元）", "初次缴存时间", "人员身份",
         "个人联系电话"],
        ["1", "张三", "身份证", ZHANG, "8000.00", "202612", "一般职工", "13800000000"],
        ["2", "李四", "身份证", LI, "12345.68", "202701", None, None],
    ]
    sheet = load_workbook(BytesIO(data)).worksheets[0]
    assert sheet.title == "职工开户清单"
    assert sheet.freeze_panes == "A2"
    assert {sheet.cell(row=2, column=c).data_type for c in range(1, 9)} == {"s"}
    assert sheet["D2"].number_format == "@"
    assert sheet["E2"].number_format == "@"


def test_the_generic_layout():
    data = export_xlsx(
        GENERIC,
        [*ROWS, BureauRow(name="王五", id_number=ZHANG, action="remove", city_code="310000",
                          scheme="social_insurance", first_month="2026-12")],
    )

    assert read_sheet(data) == [
        ["序号", "姓名", "证件类型", "证件号码", "参保城市", "险种", "业务类型", "缴费基数",
         "生效月份", "联系电话"],
        ["1", "张三", "身份证", ZHANG, "成都市", "公积金", "增员", "8000.00", "2026-12",
         "13800000000"],
        ["2", "李四", "身份证", LI, "510100", "公积金", "增员", "12345.68", "2027-01", None],
        ["3", "王五", "身份证", ZHANG, "310000", "社保", "减员", None, "2026-12", None],
    ]


def test_a_formula_typed_as_a_name_is_exported_as_text():
    data = export_xlsx(GENERIC, [BureauRow(name='=HYPERLINK("http://x.example","点我")',
                                           id_number=ZHANG)])

    cell = load_workbook(BytesIO(data)).worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x.example","点我")', "s")


def test_layout_for_picks_the_city_layout_and_falls_back_to_generic():
    assert set(LAYOUTS) == {"chengdu_housing_fund_opening", "generic"}
    assert layout_for("510100", "housing_fund") is CHENGDU_HOUSING_FUND_OPENING
    assert layout_for("510100", "housing_fund", action="add") is CHENGDU_HOUSING_FUND_OPENING
    assert layout_for("510100", "housing_fund", action="remove") is GENERIC
    assert layout_for("510100", "social_insurance") is GENERIC
    assert layout_for("310000", "housing_fund") is GENERIC


def test_feedback_with_mixed_statuses_and_rows_it_cannot_read():
    # given the bureau's feedback with a title row, its own column order and odd rows
    data = xlsx_bytes(
        [
            ["成都住房公积金管理中心 批量开户结果反馈"],
            ["序号", "姓名", "原因", "办理状态", "证件号码"],
            [1, "张三", None, "成功", " 1101 0519 4912 3100 2x "],
            [2, "李四", "基数低于下限", "办理失败", LI],
            [3, "王五", None, "已办结", "１１０１０５１９４９１２３１００２Ｘ"],
            [4, "赵六", "证件号码有误", "退回", LI],
            [5, "钱七", None, "通过", ZHANG],
            [6, "孙八", "重复开户", "不通过", ZHANG],
            [7, "周九", None, "审核中", ZHANG],
            [8, "吴十", None, "成功", None],
            [9, "郑一", None, "失败", 110105194912310000],
            [10, "冯二", None, None, ZHANG],
            [],
        ],
        merge="A1:E1",
    )

    feedback = parse_feedback_xlsx(data)

    assert feedback.rows == [
        FeedbackRow(line=1, sheet_row=3, id_number=ZHANG, name="张三", outcome="succeeded",
                    reason=""),
        FeedbackRow(line=2, sheet_row=4, id_number=LI, name="李四", outcome="failed",
                    reason="基数低于下限"),
        FeedbackRow(line=3, sheet_row=5, id_number=ZHANG, name="王五", outcome="succeeded",
                    reason=""),
        FeedbackRow(line=4, sheet_row=6, id_number=LI, name="赵六", outcome="failed",
                    reason="证件号码有误"),
        FeedbackRow(line=5, sheet_row=7, id_number=ZHANG, name="钱七", outcome="succeeded",
                    reason=""),
        FeedbackRow(line=6, sheet_row=8, id_number=ZHANG, name="孙八", outcome="failed",
                    reason="重复开户"),
    ]
    assert feedback.errors == [
        ErrorDetail(
            code="status_unknown", field="status", line=7,
            message="第9行 办理状态“审核中”无法识别，应为 成功 或 失败 / Row 9: the status "
            "“审核中” is not recognised; expected 成功 (succeeded) or 失败 (failed)",
        ),
        ErrorDetail(
            code="required", field="id_number", line=8,
            message="第10行 缺少证件号码 / Row 10: the ID number is missing",
        ),
        ErrorDetail(
            code="id_number_not_text", field="id_number", line=9,
            message="第11行 证件号码“110105194912310000”被存为数字，末几位已丢失，请将该列设置为"
            "文本格式 / Row 11: the ID number “110105194912310000” was stored as a number and "
            "lost its last digits; format the column as text",
        ),
        ErrorDetail(
            code="required", field="status", line=10,
            message="第12行 缺少办理状态 / Row 12: the status is missing",
        ),
    ]


def test_feedback_reason_prefers_the_reason_column_over_remarks():
    data = xlsx_bytes(
        [
            ["备注", "证件号码", "处理结果", "失败原因"],
            ["加急", ZHANG, "不通过", "基数低于下限"],
            ["加急", LI, "不通过", None],
        ]
    )

    feedback = parse_feedback_xlsx(data)

    assert [(r.id_number, r.outcome, r.reason) for r in feedback.rows] == [
        (ZHANG, "failed", "基数低于下限"), (LI, "failed", "加急"),
    ]
    assert feedback.errors == []


def test_feedback_files_get_the_same_safety_checks():
    with pytest.raises(DomainError) as csv:
        parse_feedback_xlsx("证件号码,办理状态\n11010519491231002X,成功\n".encode())
    with pytest.raises(DomainError) as encrypted:
        parse_feedback_xlsx(ole_file("EncryptionInfo", "EncryptedPackage"))
    with pytest.raises(DomainError) as headerless:
        parse_feedback_xlsx(xlsx_bytes([["姓名", "原因"], ["张三", "无"]]))

    assert (csv.value.code, encrypted.value.code, headerless.value.code) == (
        "file_not_xlsx", "file_encrypted", "header_not_found",
    )
    assert headerless.value.message == (
        "表头缺少必需的列：证件号码、办理状态（应有：证件号码、办理状态） / The header row lacks "
        "required columns: 证件号码、办理状态 (expected: 证件号码、办理状态)"
    )


def test_a_first_month_not_in_iso_form_is_a_programming_error():
    with pytest.raises(ValueError, match="first_month must be a date or 'YYYY-MM', not '2026/12'"):
        export_xlsx(GENERIC, [BureauRow(name="张三", id_number=ZHANG, first_month="2026/12")])
