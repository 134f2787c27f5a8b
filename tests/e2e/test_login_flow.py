"""A person logs in through the real browser and lands on the dashboard."""

import pytest

from agency.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_member_logs_in_with_the_browser(live_server, page):
    user = UserFactory(role=Role.SERVICE_REP)

    page.goto(f"{live_server.url}/staff/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.inner_text("h1") == "员工工作台"
    assert page.inner_text("[data-testid=dashboard-role]") == "当前身份：客服专员。"


def test_portal_user_switches_to_english(live_server, page, client_company):
    user = UserFactory(role=Role.CLIENT_VIEWER, client=client_company)

    page.goto(f"{live_server.url}/portal/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/")
    page.click("button[value=en]")

    page.wait_for_selector("text=Client dashboard")
    assert page.inner_text("h1") == "Client dashboard"
