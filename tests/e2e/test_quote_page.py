"""A portal user quotes contributions in the browser: htmx swaps the result in place."""

import pytest

from policies.policy_file import read_policy_file
from policies.services import policies_load
from tests.factories import PASSWORD
from tests.policies.factories import POLICY_FILE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_portal_user_quotes_shanghai_and_sees_a_bad_rate_by_its_field(
    live_server, page, portal_user
):
    policies_load(cities=read_policy_file(POLICY_FILE))
    page.goto(f"{live_server.url}/portal/login/?next=/portal/quote/")
    page.fill("#id_username", portal_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/quote/")

    page.evaluate("window.stillTheSamePage = true")
    page.select_option("#id_city", "310000")
    page.fill("#id_month", "2025-08")
    page.fill("#id_base", "8000")
    page.fill("#id_housing_fund_base", "2690")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=quote-table]")

    assert page.inner_text("tr[data-kind=housing_fund]").split("\t") == [
        "住房公积金", "2690.00", "188.00", "188.00", "376.00"
    ]
    assert "base=8000" in page.url
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in place, no reload

    page.fill("#id_housing_fund_rate", "0.09")
    page.click("button[type=submit]")
    page.wait_for_selector("#id_housing_fund_rate_error")

    assert page.inner_text("#id_housing_fund_rate_error") == (
        "费率须在 0.05 至 0.07 之间 / The rate must lie between 0.05 and 0.07"
    )
    assert page.locator("[data-testid=quote-table]").count() == 0
