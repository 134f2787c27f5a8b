"""A manager records a client through the real browser: a bad USCC is shown next to the
field, the corrected one lands on the client's page."""

import pytest

from agency.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_creates_a_client_and_sees_a_bad_uscc_inline(live_server, page):
    user = UserFactory(role=Role.MANAGER)
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")

    page.click('nav >> text="客户"')  # exactly: the nav also has 客户回访
    page.click("text=新增客户")
    page.fill("#id_name", "浏览器测试有限公司")
    page.fill("#id_uscc", "91350100M000100Y44")
    page.select_option("#id_industry", "I")
    page.click("button[type=submit]")

    assert page.inner_text("#id_uscc ~ .errorlist") == (
        "统一社会信用代码校验位错误 / USCC check character is wrong")
    page.fill("#id_uscc", "91350100M000100Y43")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:text('浏览器测试有限公司')")
    assert page.inner_text("[data-testid=headcount]") == "0 · 小微型（1–100人）"
