"""A manager opens the dashboard, sees an inquiry breaching its 12 hours and follows the
row to the inquiry (STD-6.2)."""

import datetime

import pytest
from django.utils import timezone

from agency.roles import Role
from compliance.service_desk import inquiry_open
from tests.factories import PASSWORD, ClientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_sees_a_breaching_inquiry_and_opens_it(live_server, page):
    manager = UserFactory(role=Role.MANAGER)
    rep = UserFactory(role=Role.SERVICE_REP, display_name="客服专员 测试")
    company = ClientFactory(name="上海仪表盘测试有限公司", service_rep=rep)
    late = inquiry_open(client=company, subject="社保基数何时调整", body="请告知调整时间。",
                        channel="phone", actor=rep,
                        now=timezone.now() - datetime.timedelta(hours=13))

    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")
    row = page.locator("[data-testid=watch-breaching] a", has_text="社保基数何时调整")
    row.click()

    page.wait_for_url(f"{live_server.url}/staff/inquiries/{late.pk}/")
    assert "社保基数何时调整" in page.inner_text("h1")
