"""POST /api/v1/orders/import/ and GET /api/v1/orders/template.xlsx (the Excel intake of
the API): real-world workbooks in, every refusal in the contract's error shape."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from agency.deadlines import add_months
from agency.roles import Role
from enrollment.models import RosterOrder
from tests.enrollment.order_fixtures import valid_id
from tests.enrollment.xlsx_builders import TEMPLATE_HEADER, xlsx_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def next_month():
    return add_months(timezone.localdate().replace(day=1), 1)


def upload(api, data: bytes, name: str = "增减员.xlsx", **headers):
    return api.post("/api/v1/orders/import/", {"file": SimpleUploadedFile(name, data)},
                    format="multipart", **headers)


def shuffled_workbook() -> bytes:
    month = next_month()
    return xlsx_bytes([
        ["上海启明信息技术有限公司 增减员表"],
        [],
        ["缴费基数", "身份证号码", "姓名", "参保城市", "增减员类型", "生效日期", "户籍性质"],
        ["例", "110105194912310021", "张三", "上海", "增员", "2026-12-01", "城镇本地"],
        ["8,000.00", valid_id(1), "王芳", "上海", "增员",
         f"{month.year}年{month.month}月1日", "城镇外地"],
        ["最低", valid_id(2), "李娜", "北京市", "增员", f"{month.year}/{month.month}/1",
         "农村本地"],
    ], merge="A1:G1")


def test_a_workbook_with_a_title_row_shuffled_columns_and_text_dates_imports(as_hr, company):
    response = upload(as_hr, shuffled_workbook())

    assert response.status_code == 201
    body = response.json()
    order = RosterOrder.objects.get()
    assert (body["id"], body["channel"], body["client"], order.channel) == (
        order.pk, "excel", company.pk, "excel")
    assert [(ln["line"], ln["action"], ln["name"], ln["city"], ln["base"], ln["effective_month"])
            for ln in body["lines"]] == [
        (1, "add", "王芳", "310000", "8000.00", f"{next_month():%Y-%m}"),
        (2, "add", "李娜", "110000", "min", f"{next_month():%Y-%m}"),
    ]
    assert order.source_file.name.endswith(".xlsx")


def test_an_id_stored_as_a_number_is_400_with_the_text_format_hint(as_hr):
    data = xlsx_bytes([
        ["姓名", "身份证号", "参保城市", "增减员", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", 110105194912310000, "上海", "增员", 8000, f"{next_month()}", "城镇本地"],
    ])

    response = upload(as_hr, data)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    [detail] = error["details"]
    assert (detail["line"], detail["field"], detail["code"]) == (
        1, "id_number", "id_number_not_text")
    assert "文本" in detail["message"]
    assert detail["message"].startswith("第2行 ")
    assert RosterOrder.objects.count() == 0


def test_a_csv_renamed_xlsx_is_400_file_not_xlsx(as_hr):
    csv = "增减员类型,身份证号码\n增员,11010519491231002X\n".encode()

    response = upload(as_hr, csv, name="名单.xlsx")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_not_xlsx"
    assert RosterOrder.objects.count() == 0


def test_a_missing_file_is_400_naming_the_field(as_hr):
    response = as_hr.post("/api/v1/orders/import/", {}, format="multipart")
    as_json = as_hr.post("/api/v1/orders/import/", {"lines": []}, format="json")

    assert response.status_code == 400
    assert [(d["field"], d["code"]) for d in response.json()["error"]["details"]] == [
        ("file", "required")]
    assert as_json.status_code == 400


def test_an_empty_and_a_damaged_file_are_400(as_hr):
    empty = upload(as_hr, b"")
    damaged = upload(as_hr, b"PK\x03\x04" + b"\x00" * 200)

    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "file_not_xlsx")
    assert (damaged.status_code, damaged.json()["error"]["code"]) == (400, "file_corrupt")


def test_same_key_same_file_replays_and_another_file_is_409(as_hr):
    data = shuffled_workbook()

    first = upload(as_hr, data, HTTP_IDEMPOTENCY_KEY="xl-1")
    second = upload(as_hr, data, HTTP_IDEMPOTENCY_KEY="xl-1")
    other = upload(as_hr, data + b"\x00", HTTP_IDEMPOTENCY_KEY="xl-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_conflict")
    assert RosterOrder.objects.count() == 1


def test_a_read_only_portal_user_cannot_import(api_client, company):
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_VIEWER, client=company))

    response = upload(api_client, shuffled_workbook())

    assert (response.status_code, response.json()["error"]["code"]) == (
        403, "permission_denied")
    assert RosterOrder.objects.count() == 0


def test_the_template_downloads_with_its_chinese_name_and_headers(as_hr):
    response = as_hr.get("/api/v1/orders/template.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''"
        "%E5%A2%9E%E5%87%8F%E5%91%98%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["增减员名单", "填写说明"]
    assert [c.value for c in workbook["增减员名单"][1]] == TEMPLATE_HEADER


def test_the_template_needs_authentication(api_client):
    response = api_client.get("/api/v1/orders/template.xlsx")

    assert response.status_code == 401


def test_processing_staff_import_for_the_client_they_name(api_client, company, staff_user):
    api_client.force_authenticate(staff_user(Role.SERVICE_REP))

    unnamed = upload(api_client, shuffled_workbook())
    named = api_client.post("/api/v1/orders/import/", {
        "file": SimpleUploadedFile("名单.xlsx", shuffled_workbook()), "client": company.pk,
    }, format="multipart")

    assert (unnamed.status_code, unnamed.json()["error"]["details"][0]["field"]) == (
        400, "client")
    assert (named.status_code, named.json()["client"], named.json()["channel"]) == (
        201, company.pk, "excel")
