"""Logins lock after five failures of one username from one address (django-axes), on
every door: the staff and portal pages, the admin and the API token. The address is the
one `agency.http.client_ip` trusts: a forged X-Forwarded-For does not dodge the lock."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from agency.http import client_ip
from agency.models import AuditEvent
from agency.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED_ZH = "此账户从您的地址登录失败次数过多。请在 30 分钟后再试，或联系代理机构的管理员。"
WRONG_ZH = "请输入一个正确的用户名和密码。注意，两者都区分大小写。"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # the API login's own rate limit must not answer before axes does
    yield
    cache.clear()


@pytest.fixture
def finance(db):
    # finance needs no second factor: the lockout is tested on its own
    return UserFactory(role=Role.FINANCE, is_staff=True)


def _page_login(client, url, username, password, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize("url", ["/staff/login/", "/admin/login/"])
def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, finance, url):
    for _ in range(4):
        response = _page_login(client, url, finance.username, "wrong-password")
        assert response.status_code == 200  # the form again, with its error

    fifth = _page_login(client, url, finance.username, "wrong-password")
    sixth = _page_login(client, url, finance.username, PASSWORD)

    assert fifth.status_code == 429
    assert sixth.status_code == 429
    assert LOCKED_ZH in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login").count() == 0
    assert AuditEvent.objects.filter(action="login_failed").count() == 6


def test_portal_login_locks_too(client, portal_user):
    for _ in range(5):
        _page_login(client, "/portal/login/", portal_user.username, "wrong-password")

    response = _page_login(client, "/portal/login/", portal_user.username, PASSWORD)

    assert response.status_code == 429
    assert LOCKED_ZH in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_the_right_password_logs_in_and_starts_the_count_again(client,
                                                                                 finance):
    for _ in range(4):
        _page_login(client, "/staff/login/", finance.username, "wrong-password")

    response = _page_login(client, "/staff/login/", finance.username, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert AccessAttempt.objects.filter(username=finance.username).count() == 0


def test_a_forged_forwarded_for_does_not_change_the_locked_address(client, finance):
    # no proxy is trusted (TRUSTED_PROXY_COUNT=0): every attempt claims another address
    for n in range(5):
        _page_login(client, "/staff/login/", finance.username, "wrong-password",
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = _page_login(client, "/staff/login/", finance.username, PASSWORD,
                           HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]
    assert set(AuditEvent.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_the_lock_is_per_username_and_address(client, finance):
    for _ in range(5):
        _page_login(client, "/staff/login/", finance.username, "wrong-password")

    elsewhere = _page_login(client, "/staff/login/", finance.username, PASSWORD,
                            REMOTE_ADDR="203.0.113.7")

    assert elsewhere.status_code == 302  # the real user, from their own address, gets in


def test_behind_one_proxy_the_right_most_hop_is_the_caller(client, finance, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(5):
        _page_login(client, "/staff/login/", finance.username, "wrong-password",
                    HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5", REMOTE_ADDR="10.0.0.2")

    same = _page_login(client, "/staff/login/", finance.username, PASSWORD,
                       HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    other = _page_login(client, "/staff/login/", finance.username, PASSWORD,
                        HTTP_X_FORWARDED_FOR="203.0.113.6", REMOTE_ADDR="10.0.0.2")

    assert same.status_code == 429
    assert other.status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "203.0.113.5"
    ]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "127.0.0.1"),
        (0, "", "127.0.0.1"),
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),
        (2, "198.51.100.1, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
        (1, "", "127.0.0.1"),
        (1, "not-an-address", "127.0.0.1"),
    ],
)
def test_one_address_for_the_audit_log_axes_and_drf(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="127.0.0.1", **extra)

    assert client_ip(request) == expected
    if forwarded != "not-an-address":  # DRF passes a non-address through as it is
        assert ScopedRateThrottle().get_ident(Request(request)) == expected


def test_the_api_token_login_locks_with_the_contract_error(finance):
    api = APIClient()
    for _ in range(4):
        response = api.post("/api/v1/auth/token/",
                            {"username": finance.username, "password": "wrong-password"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_credentials"
    api.post("/api/v1/auth/token/",
             {"username": finance.username, "password": "wrong-password"},
             HTTP_X_FORWARDED_FOR="198.51.100.20")

    response = api.post("/api/v1/auth/token/",
                        {"username": finance.username, "password": PASSWORD},
                        HTTP_X_FORWARDED_FOR="198.51.100.21")

    assert response.status_code == 429
    assert response["Retry-After"] == "1800"
    assert response.json() == {"error": {
        "code": "locked_out",
        "message": "登录失败次数过多，请 30 分钟后再试 / Too many failed logins: "
                   "try again in 30 minutes",
        "details": [],
    }}


def test_each_login_and_failed_login_is_audited_without_the_password(client, finance):
    _page_login(client, "/staff/login/", finance.username, "wrong-password")
    _page_login(client, "/staff/login/", finance.username, PASSWORD)

    failed = AuditEvent.objects.get(action="login_failed")
    ok = AuditEvent.objects.get(action="login")
    assert failed.actor is None
    assert failed.detail == {"face": "staff", "username": finance.username}
    assert failed.ip_address == "127.0.0.1"
    assert ok.actor == finance
    assert ok.detail == {"face": "staff", "username": finance.username}
    assert "wrong-password" not in str(list(AccessAttempt.objects.values_list("post_data")))


def test_the_api_login_is_audited(finance):
    api = APIClient()
    api.post("/api/v1/auth/token/", {"username": finance.username, "password": "nope"})
    api.post("/api/v1/auth/token/", {"username": finance.username, "password": PASSWORD})

    assert AuditEvent.objects.get(action="login_failed").detail == {
        "face": "api", "username": finance.username}
    assert AuditEvent.objects.get(action="login").detail == {
        "face": "api", "username": finance.username}


def test_a_user_of_the_other_face_with_the_right_password_counts_as_a_failure(client,
                                                                              portal_user):
    response = _page_login(client, "/staff/login/", portal_user.username, PASSWORD)

    assert response.status_code == 200
    assert WRONG_ZH in response.content.decode()
    assert AuditEvent.objects.get(action="login_failed").detail == {
        "face": "staff", "username": portal_user.username}
