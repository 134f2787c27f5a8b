"""The API's rate limit is per caller: one API key using up its rate does not slow
another client's key, nor a logged-in user."""

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle

from agency.roles import Role
from clients.services import api_key_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def low_rate(settings, monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/min", "anon": "3/min"}
    # SimpleRateThrottle reads its rates once, at import; point it at the low ones
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def manager(db):
    return UserFactory(role=Role.MANAGER)


def _key(client, manager, name):
    _, key = api_key_issue(client=client, name=name, actor=manager)
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return caller


def test_one_key_exhausting_its_rate_does_not_throttle_another(client_company,
                                                               other_client_company, manager):
    a = _key(client_company, manager, "a")
    b = _key(other_client_company, manager, "b")

    assert [a.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert b.get("/api/v1/me/").status_code == 200
    assert a.get("/api/v1/me/").status_code == 429


def test_two_keys_of_one_client_each_have_their_own_rate(client_company, manager):
    a = _key(client_company, manager, "a")
    b = _key(client_company, manager, "b")

    assert [a.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [b.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]


def test_a_session_user_is_throttled_by_user_not_by_a_key(client_company, manager,
                                                          api_client):
    a = _key(client_company, manager, "a")
    assert [a.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    api_client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=client_company))

    assert api_client.get("/api/v1/me/").status_code == 200


def test_anonymous_callers_are_keyed_by_address():
    from agency.throttling import ApiCallerRateThrottle

    request = APIRequestFactory().get("/api/v1/me/", REMOTE_ADDR="203.0.113.5")
    from rest_framework.request import Request

    drf_request = Request(request)
    drf_request._user = None
    drf_request._auth = None

    key = ApiCallerRateThrottle().get_cache_key(drf_request, view=None)

    assert key == "throttle_api_ip_203.0.113.5"
