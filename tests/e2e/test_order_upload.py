"""A client administrator uploads an Excel roster in the portal and sees the order's lines."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from agency.deadlines import add_months
from agency.roles import Role
from enrollment.models import RosterOrder
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.enrollment.order_fixtures import valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes
from tests.factories import PASSWORD, CityFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def company():
    """A client with an active contract in Shanghai and Beijing, housing fund included."""
    client = VerifiedClientFactory(name="上海启明信息技术有限公司")
    contract = ContractFactory(client=client, status="active",
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2030, 12, 31),
                               housing_fund_rate=Decimal("0.07"))
    for code, name in (("310000", "上海市"), ("110000", "北京市")):
        ContractPriceFactory(contract=contract,
                             city=CityFactory(code=code, name=name, order_cutoff_day=15))
    return client


def log_in(page, live_server, user, landing: str) -> None:
    page.goto(f"{live_server.url}/portal/login/?next={landing}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{landing}")


def test_client_admin_uploads_an_excel_roster_and_sees_its_lines(live_server, page, company):
    user = UserFactory(role=Role.CLIENT_ADMIN, client=company)
    month = add_months(timezone.localdate().replace(day=1), 1)
    workbook = xlsx_bytes([
        ["2026年增减员名单"],
        ["姓名", "身份证号码", "增减员类型", "参保城市", "户籍性质", "缴费基数", "生效日期"],
        ["王芳", valid_id(1), "增员", "上海", "城镇本地", "8,000", f"{month:%Y年%m月%d日}"],
        ["李娜", valid_id(2), "增员", "北京", "农村外地", "最低", f"{month:%Y/%m/%d}"],
    ])

    log_in(page, live_server, user, "/portal/")
    page.click("text=增减员派单")
    page.click("[data-testid=upload-order]")
    page.set_input_files("input[name=file]", files=[
        {"name": "增减员名单.xlsx", "mimeType": XLSX, "buffer": workbook}])
    page.click("[data-testid=upload-submit]")

    order = RosterOrder.objects.get()
    page.wait_for_url(f"{live_server.url}/portal/orders/{order.pk}/")
    assert page.inner_text("[data-testid=line-1] td:nth-child(3)") == "王芳"
    assert page.inner_text("[data-testid=line-2] td:nth-child(3)") == "李娜"
    assert page.inner_text("[data-testid=line-1] [data-testid=line-status]") == "材料不全"
    assert page.inner_text("[data-testid=line-2] td:nth-child(5)") == "北京市"
    assert order.channel == "excel"


def test_add_a_row_keeps_what_was_typed(live_server, page, company):
    user = UserFactory(role=Role.CLIENT_ADMIN, client=company)
    log_in(page, live_server, user, "/portal/orders/new/")
    page.fill("#id_form-0-name", "王芳")

    page.click("button[name=add_row]")

    page.wait_for_selector("[data-testid=row-4]")
    assert page.input_value("#id_form-0-name") == "王芳"
    assert page.url == f"{live_server.url}/portal/orders/new/"
