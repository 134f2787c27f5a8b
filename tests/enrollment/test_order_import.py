"""An order from a real-world workbook: the service end of the Excel intake."""

import datetime

import pytest

from agency.errors import DomainError, ValidationFailed
from enrollment.models import RosterOrder
from enrollment.orders.services import order_import_xlsx
from tests.enrollment.order_fixtures import RECEIVED, valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes

pytestmark = pytest.mark.django_db


def import_(company, data):
    return order_import_xlsx(client=company, data=data, filename="增减员.xlsx", channel="excel",
                             actor=None, received_at=RECEIVED)


def test_title_rows_shuffled_columns_and_text_dates_import(company, beijing):
    data = xlsx_bytes([
        ["上海启明信息技术有限公司 2026年12月增减员表"],
        [],
        ["缴费基数", "身份证号码", "姓名", "参保城市", "增减员类型", "生效日期", "户籍性质"],
        ["例", "110105194912310021", "张三", "上海", "增员", "2026-12-01", "城镇本地"],
        ["8,000.00", valid_id(1), "王芳", "上海", "增员", "2026年12月1日", "城镇外地"],
        ["最低", valid_id(2), "李娜", "北京市", "增员", "2026/12/1", "农村本地"],
    ])

    order = import_(company, data)

    assert order.channel == "excel"
    assert order.source_file.name.endswith(".xlsx")
    rows = [(ln.line_no, ln.name, ln.city.code, ln.base_kind, ln.base, ln.effective_month,
             ln.hukou_type) for ln in order.lines.all()]
    assert rows == [
        (1, "王芳", "310000", "declared", 8000, datetime.date(2026, 12, 1), "urban_nonlocal"),
        (2, "李娜", "110000", "min", None, datetime.date(2026, 12, 1), "rural_local"),
    ]


def test_an_id_stored_as_a_number_is_rejected_with_the_text_format_hint(company):
    data = xlsx_bytes([
        ["姓名", "身份证号", "参保城市", "增减员", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", 110105194912310000, "上海", "增员", 8000, "2026-12-01", "城镇本地"],
    ])

    with pytest.raises(ValidationFailed) as info:
        import_(company, data)

    [error] = info.value.details
    assert (error.line, error.field, error.code) == (1, "id_number", "id_number_not_text")
    assert "文本" in error.message
    assert RosterOrder.objects.count() == 0


def test_service_errors_name_the_excel_row(company):
    data = xlsx_bytes([
        ["增减员名单"],
        ["姓名", "身份证号", "参保城市", "增减员", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", valid_id(1), "上海", "增员", "8000", "2026-12-01", "城镇本地"],
        ["李娜", valid_id(1), "上海", "增员", "8000", "2026-12-01", "城镇本地"],
    ])

    with pytest.raises(ValidationFailed) as info:
        import_(company, data)

    [error] = info.value.details
    assert (error.line, error.field, error.code) == (2, "id_number", "duplicate_in_order")
    assert error.message.startswith("第4行 ")


def test_a_csv_renamed_xlsx_is_refused_clearly(company):
    with pytest.raises(DomainError) as info:
        import_(company, "姓名,身份证号\n王芳,110105194912310021\n".encode())

    assert (info.value.code, info.value.status) == ("file_not_xlsx", 400)


def test_a_sheet_with_only_the_header_is_refused(company):
    data = xlsx_bytes([["姓名", "身份证号", "参保城市", "增减员", "缴费基数", "生效日期"]])

    with pytest.raises(ValidationFailed) as info:
        import_(company, data)

    assert [(d.field, d.code) for d in info.value.details] == [("lines", "required")]
