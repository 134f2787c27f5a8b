"""A manager opens the dashboard, sees an inquiry breaching its 12 hours among what
breaches now, and follows the row to the inquiry (STD-6.2, issue 16)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.roles import Role
from compliance.service_desk import inquiry_open
from tests.e2e.steps import log_in
from tests.factories import ClientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_sees_a_breaching_inquiry_and_opens_it(live_server, page, shots):
    manager = UserFactory(role=Role.MANAGER)
    rep = UserFactory(role=Role.SERVICE_REP, display_name="客服专员 测试")
    company = ClientFactory(name="上海仪表盘测试有限公司", service_rep=rep)
    late = inquiry_open(client=company, subject="社保基数何时调整", body="请告知调整时间。",
                        channel="phone", actor=rep,
                        now=timezone.now() - datetime.timedelta(hours=13))
    inquiry_open(client=company, subject="公积金比例能否调整", body="想了解一下。",
                 channel="phone", actor=rep, now=timezone.now())  # within its 12 hours

    log_in(page, live_server, manager, face="staff")
    breaching = page.get_by_test_id("watch-breaching")
    row = breaching.get_by_role("link", name="社保基数何时调整")
    expect(row).to_be_visible()
    expect(breaching).not_to_contain_text("公积金比例能否调整")
    breaching.scroll_into_view_if_needed()
    shots("dashboard-breaching")

    row.click()
    page.wait_for_url(f"{live_server.url}/staff/inquiries/{late.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("社保基数何时调整")
    shots("inquiry")
