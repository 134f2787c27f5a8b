"""A user's API token stops working `API_TOKEN_TTL_HOURS` (12) after it was issued: 401
in the contract's shape. Logging in again issues a new one; a live one is handed back."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agency.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def finance(db):
    return UserFactory(role=Role.FINANCE)


def _aged(user, hours: float) -> Token:
    token = Token.objects.create(user=user)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - datetime.timedelta(hours=hours))
    return token


def _caller(token: Token) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def test_a_token_older_than_twelve_hours_answers_401(finance):
    response = _caller(_aged(finance, 12.01)).get("/api/v1/cities/")

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "令牌已过期，请重新登录获取新令牌 / The token has expired: log in again "
                   "for a new one",
        "details": [],
    }


def test_a_younger_token_still_works(finance):
    assert _caller(_aged(finance, 11.9)).get("/api/v1/cities/").status_code == 200


def test_the_lifetime_comes_from_the_setting(finance, settings):
    settings.API_TOKEN_TTL_HOURS = 1

    assert _caller(_aged(finance, 1.5)).get("/api/v1/cities/").status_code == 401


def test_logging_in_again_issues_a_new_token(finance):
    old = _aged(finance, 13)

    response = APIClient().post("/api/v1/auth/token/",
                                {"username": finance.username, "password": PASSWORD})

    new_key = response.json()["token"]
    assert new_key != old.key
    assert Token.objects.filter(user=finance).count() == 1
    assert _caller(Token.objects.get(key=new_key)).get("/api/v1/cities/").status_code == 200


def test_logging_in_with_a_live_token_hands_it_back(finance):
    live = _aged(finance, 2)

    response = APIClient().post("/api/v1/auth/token/",
                                {"username": finance.username, "password": PASSWORD})

    assert response.json() == {"token": live.key}
