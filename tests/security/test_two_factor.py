"""Staff whose role reveals ID numbers (admin, manager, service_rep) confirm each login
with a TOTP code (django-otp): the first time they set up an authenticator app from a QR
code drawn on the page; until the code is entered no staff page, admin page or API call
of their session answers. Finance and archivists log in with their password only."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agency.models import AuditEvent
from agency.roles import OTP_ROLES, REVEAL_ROLES, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "/staff/two-factor/setup/?next=%2Fstaff%2F"
VERIFY = "/staff/two-factor/?next=%2Fstaff%2F"


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.STAFF_OTP_REQUIRED = True  # the default, whatever a local .env says
    cache.clear()
    yield
    cache.clear()


def _code(device: TOTPDevice) -> str:
    """The code the user's app shows now."""
    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def _password_login(client, user):
    return client.post("/staff/login/", {"username": user.username, "password": PASSWORD})


def _wait_out_throttle(device: TOTPDevice) -> None:
    # django-otp refuses any code for a moment after a wrong one; let that moment pass
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=5))


def test_the_otp_roles_are_the_reveal_roles():
    assert frozenset(REVEAL_ROLES) == OTP_ROLES
    assert {Role.ADMIN, Role.MANAGER, Role.SERVICE_REP} == OTP_ROLES


def test_finance_logs_in_without_a_code(client):
    user = UserFactory(role=Role.FINANCE)

    response = client.post("/staff/login/", {"username": user.username, "password": PASSWORD},
                           follow=True)

    assert response.redirect_chain == [("/staff/", 302)]
    assert "员工工作台" in response.content.decode()


def test_a_service_rep_sets_up_an_app_and_only_then_reaches_the_staff_pages(client):
    rep = UserFactory(role=Role.SERVICE_REP)

    response = _password_login(client, rep)
    assert response["Location"] == "/staff/"
    assert client.get("/staff/")["Location"] == "/staff/two-factor/?next=/staff/"
    assert client.get("/staff/persons/")["Location"] == (
        "/staff/two-factor/?next=/staff/persons/")
    assert client.get("/staff/two-factor/?next=/staff/")["Location"] == SETUP

    page = client.get(SETUP)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=rep)
    assert device.confirmed is False
    assert "<svg" in html  # the QR code, drawn here
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert device.config_url.startswith(f"otpauth://totp/%E7%A4%BE%E4%BF%9D%E4%BB%A3%E7%90%86"
                                        f"%E6%9C%8D%E5%8A%A1%E5%B9%B3%E5%8F%B0%3A{rep.username}?")
    assert f"secret={secret.replace(' ', '')}" in device.config_url

    wrong = client.post(SETUP, {"otp": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "验证码错误或已过期" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302
    assert TOTPDevice.objects.get(user=rep).confirmed is False

    _wait_out_throttle(device)
    right = client.post(SETUP, {"otp": _code(device), "next": "/staff/"})

    assert right.status_code == 302
    assert right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert TOTPDevice.objects.get(user=rep).confirmed is True
    assert AuditEvent.objects.filter(actor=rep, detail__event="two_factor.confirmed").count() == 1


def test_a_user_with_a_device_enters_its_code_at_each_login(client):
    manager = UserFactory(role=Role.MANAGER)
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)

    _password_login(client, manager)
    assert client.get("/staff/")["Location"] == "/staff/two-factor/?next=/staff/"
    assert client.get(VERIFY).status_code == 200

    wrong = client.post(VERIFY, {"otp": "12345"})
    assert wrong.status_code == 200
    assert client.get("/staff/").status_code == 302

    _wait_out_throttle(device)
    wrong = client.post(VERIFY, {"otp": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert client.get("/staff/").status_code == 302

    _wait_out_throttle(device)
    right = client.post(VERIFY, {"otp": _code(device), "next": "/staff/"})
    assert right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_second_wrong_code_at_once_is_refused_even_if_right(client):
    manager = UserFactory(role=Role.MANAGER)
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    _password_login(client, manager)
    client.post(VERIFY, {"otp": "000000" if _code(device) != "000000" else "111111"})

    response = client.post(VERIFY, {"otp": _code(device)})

    assert response.status_code == 200
    assert client.get("/staff/").status_code == 302


def test_the_admin_site_waits_for_the_code_too(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)

    response = client.post("/admin/login/?next=/admin/",
                           {"username": admin.username, "password": PASSWORD,
                            "next": "/admin/"})
    assert response["Location"] == "/admin/"

    assert client.get("/admin/")["Location"] == "/staff/two-factor/?next=/admin/"
    assert client.get("/admin/agency/user/")["Location"] == (
        "/staff/two-factor/?next=/admin/agency/user/")


def test_the_api_refuses_an_unverified_staff_session(client):
    rep = UserFactory(role=Role.SERVICE_REP)
    _password_login(client, rep)

    response = client.get("/api/v1/cities/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "otp_required"


def test_the_api_token_login_asks_such_staff_for_the_code():
    rep = UserFactory(role=Role.SERVICE_REP)
    api = APIClient()

    no_device = api.post("/api/v1/auth/token/", {"username": rep.username, "password": PASSWORD})
    assert no_device.status_code == 403
    assert no_device.json()["error"]["code"] == "otp_setup_required"

    device = TOTPDevice.objects.create(user=rep, name="phone", confirmed=True)
    no_code = api.post("/api/v1/auth/token/", {"username": rep.username, "password": PASSWORD})
    assert no_code.status_code == 400
    assert no_code.json()["error"]["code"] == "otp_invalid"

    _wait_out_throttle(device)
    ok = api.post("/api/v1/auth/token/",
                  {"username": rep.username, "password": PASSWORD, "otp": _code(device)})
    assert ok.status_code == 200
    assert set(ok.json()) == {"token"}


def test_finance_gets_a_token_without_a_code():
    finance = UserFactory(role=Role.FINANCE)

    response = APIClient().post("/api/v1/auth/token/",
                                {"username": finance.username, "password": PASSWORD})

    assert response.status_code == 200


def test_the_setting_turns_the_step_off(client, settings):
    settings.STAFF_OTP_REQUIRED = False
    rep = UserFactory(role=Role.SERVICE_REP)

    _password_login(client, rep)

    assert client.get("/staff/").status_code == 200
