"""GET /api/v1/cities/ and /api/v1/cities/{code}/quote/ as the API contract fixes them."""

import pytest
from rest_framework.authtoken.models import Token

from agency.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(api_client, portal_user):
    token, _ = Token.objects.get_or_create(user=portal_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_the_city_list_names_each_city_by_its_code(caller, policies):
    response = caller.get("/api/v1/cities/")

    assert response.status_code == 200
    assert [(c["code"], c["name"]) for c in response.json()] == [
        ("110000", "北京市"), ("310000", "上海市"), ("330100", "杭州市"),
        ("340100", "合肥市"), ("440100", "广州市"), ("440300", "深圳市"),
    ]
    assert response.json()[1] == {"code": "310000", "name": "上海市", "order_cutoff_day": 15}


def test_a_quote_gives_each_item_and_the_totals(caller, policies):
    response = caller.get("/api/v1/cities/310000/quote/?base=8000.00&month=2025-08")

    assert response.status_code == 200
    assert response.json() == {
        "city": "310000",
        "month": "2025-08",
        "policy": "310000/2025-07-01",
        "provisional": False,
        "items": [
            {"kind": "pension", "base": "8000.00", "employer": "1280.00", "employee": "640.00"},
            {"kind": "medical", "base": "8000.00", "employer": "720.00", "employee": "160.00"},
            {"kind": "maternity", "base": "8000.00", "employer": "80.00", "employee": "0.00"},
            {"kind": "unemployment", "base": "8000.00", "employer": "40.00",
             "employee": "40.00"},
            {"kind": "work_injury", "base": "8000.00", "employer": "12.80", "employee": "0.00"},
            {"kind": "housing_fund", "base": "8000.00", "employer": "560.00",
             "employee": "560.00"},
        ],
        "totals": {"employer": "2692.80", "employee": "1400.00", "total": "4092.80"},
    }


def test_a_quote_with_the_housing_fund_at_its_floor_and_the_lowest_rate(caller, policies):
    response = caller.get(
        "/api/v1/cities/310000/quote/?base=8000&month=2025-08&housing_fund_base=2690"
        "&housing_fund_rate=0.05&work_injury_rate=0.0152"
    )

    items = {i["kind"]: i for i in response.json()["items"]}
    assert items["housing_fund"] == {"kind": "housing_fund", "base": "2690.00",
                                     "employer": "135.00", "employee": "135.00"}
    assert items["work_injury"] == {"kind": "work_injury", "base": "8000.00",
                                    "employer": "121.60", "employee": "0.00"}


def test_a_staff_token_may_quote_too(api_client, policies):
    token = Token.objects.create(user=UserFactory(role=Role.FINANCE))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api_client.get("/api/v1/cities/110000/quote/?base=10000&month=2025-07")

    assert response.status_code == 200
    assert response.json()["totals"] == {"employer": "3850.00", "employee": "2253.00",
                                         "total": "6103.00"}


def test_an_unknown_city_answers_404(caller, policies):
    response = caller.get("/api/v1/cities/999999/quote/?base=8000.00&month=2025-08")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_month_with_no_policy_answers_400_no_policy(caller, policies):
    response = caller.get("/api/v1/cities/440300/quote/?base=8000.00&month=2025-06")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_policy"


@pytest.mark.parametrize(("query", "field"), [
    ("base=abc&month=2025-08", "base"),
    ("base=-1&month=2025-08", "base"),
    ("base=1.234&month=2025-08", "base"),
    ("base=NaN&month=2025-08", "base"),
    ("base=1e30&month=2025-08", "base"),
    ("month=2025-08", "base"),
    ("base=8000&month=2025-13", "month"),
    ("base=8000&month=202508", "month"),
    ("base=8000&month=0000-01", "month"),
    ("base=8000", "month"),
    ("base=8000&month=2025-08&housing_fund_rate=abc", "housing_fund_rate"),
    ("base=8000&month=2025-08&housing_fund_base=-5", "housing_fund_base"),
    ("base=8000&month=2025-08&work_injury_rate=2", "work_injury_rate"),
])
def test_bad_input_answers_400_naming_the_field(caller, policies, query, field):
    response = caller.get(f"/api/v1/cities/310000/quote/?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert [d["field"] for d in error["details"]] == [field]


def test_a_housing_fund_rate_outside_the_city_range_answers_400(caller, policies):
    response = caller.get(
        "/api/v1/cities/310000/quote/?base=8000&month=2025-08&housing_fund_rate=0.12"
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [{
        "field": "housing_fund_rate", "code": "rate_out_of_range",
        "message": "费率须在 0.05 至 0.07 之间 / The rate must lie between 0.05 and 0.07",
    }]


def test_an_anonymous_caller_gets_401(api_client, policies):
    response = api_client.get("/api/v1/cities/310000/quote/?base=8000&month=2025-08")

    assert response.status_code == 401


def test_a_quote_under_a_provisional_policy_says_so(caller, policies):
    # Hangzhou's 2026 version continues 2025's figures until the bureau announces the new
    provisional = caller.get("/api/v1/cities/330100/quote/?base=8000&month=2026-02")
    final = caller.get("/api/v1/cities/330100/quote/?base=8000&month=2025-08")

    assert (provisional.json()["policy"], provisional.json()["provisional"]) == (
        "330100/2026-01-01", True)
    assert (final.json()["policy"], final.json()["provisional"]) == ("330100/2025-07-01", False)
