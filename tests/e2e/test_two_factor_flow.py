"""A service representative's first login in the real browser: the password, then the
authenticator set-up page (QR code drawn on the page, the key as text), then the code."""

import base64

import pytest
from django_otp.oath import totp

from agency.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_service_rep_sets_up_two_factor_and_reaches_the_dashboard(live_server, page,
                                                                   settings):
    settings.STAFF_OTP_REQUIRED = True
    user = UserFactory(role=Role.SERVICE_REP)

    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/two-factor/setup/?next=%2Fstaff%2F")

    assert page.locator("[data-testid=otp-qr] svg").count() == 1
    secret = page.inner_text("[data-testid=otp-secret]").replace(" ", "")
    code = totp(base64.b32decode(secret), step=30, t0=0, digits=6)
    page.fill("#id_otp", f"{code:06d}")
    page.click("form.card button[type=submit]")

    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.inner_text("h1") == "员工工作台"
