"""Staff pages of city policies and the quote page of both faces."""

import datetime
import re
from decimal import Decimal

import pytest

from agency.roles import Role
from policies.models import PolicyItem, PolicyVersion
from policies.services import policy_version_lock
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def shanghai_2025() -> PolicyVersion:
    return PolicyVersion.objects.get(city__code="310000", effective_from=D(2025, 7, 1))


@pytest.fixture
def manager(client):
    user = UserFactory(role=Role.MANAGER)
    client.force_login(user)
    return user


def test_the_city_list_shows_each_city_in_chinese(client, policies, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    with django_assert_max_num_queries(6):
        response = client.get("/staff/cities/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>城市与缴费政策</h1>" in html
    assert '<a href="/staff/cities/310000/">上海市</a>' in html


def test_the_city_page_lists_its_versions(client, policies):
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    html = client.get("/staff/cities/330100/").content.decode()

    assert html.count('href="/staff/policies/') == 5
    assert html.count('<span class="badge warn">暂行</span>') == 2


def test_figures_not_from_the_official_text_carry_a_mark(client, policies):
    client.force_login(UserFactory(role=Role.SERVICE_REP))
    beijing_2024 = PolicyVersion.objects.get(city__code="110000", effective_from=D(2024, 7, 1))

    html = client.get(f"/staff/policies/{beijing_2024.pk}/").content.decode()

    # pension … work injury were read from the notice; the housing fund was not
    assert html.count('data-testid="unverified"') == 1
    assert html.count("⚠ 未经官方原文核实") == 1
    assert html.count('<span class="badge ok">官方原文</span>') == 4
    assert "编辑" not in html  # a service representative may not edit


def test_a_manager_creates_a_new_version_from_an_old_one(client, manager, policies):
    source = PolicyVersion.objects.get(city__code="110000", effective_from=D(2026, 7, 1))

    response = client.post(f"/staff/policies/{source.pk}/copy/", {
        "effective_from": "2027-07-01", "effective_to": "2028-06-30",
        "notice": "京人社发〔2027〕1号",
    })

    new = PolicyVersion.objects.get(city__code="110000", effective_from=D(2027, 7, 1))
    assert response.status_code == 302
    assert response["Location"] == f"/staff/policies/{new.pk}/"
    assert new.items.count() == 5
    assert new.history.first().history_user == manager


def test_an_overlapping_new_version_shows_the_error_by_the_field(client, manager, policies):
    source = shanghai_2025()

    response = client.post(f"/staff/policies/{source.pk}/copy/", {
        "effective_from": "2026-01-01", "effective_to": "2026-12-31", "notice": "x",
    })

    html = response.content.decode()
    assert response.status_code == 200
    assert "Overlaps the version 310000/2025-07-01" in html
    assert PolicyVersion.objects.filter(city__code="310000").count() == 3


def test_a_manager_edits_an_item(client, manager, policies):
    item = shanghai_2025().items.get(kind="medical")

    response = client.post(f"/staff/policy-items/{item.pk}/edit/", {
        "kind": "medical", "label": "", "base_floor": "7460.00", "base_ceiling": "37302.00",
        "employer_rate": "0.095", "employee_rate": "0.02", "employer_fixed": "0",
        "employee_fixed": "0", "rounding": "cent_half_up", "rate_choice": "",
        "confidence": "official_text", "note": "checked against the notice",
    })

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.employer_rate, item.confidence) == (Decimal("0.095"), "official_text")
    assert item.history.count() == 2
    page = client.get(f"/staff/policies/{item.version_id}/").content.decode()
    changes = page.split('data-testid="history"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert changes.count("<tr>") == 7  # six items created, one changed
    latest = changes.split("</tr>")[0]
    assert f"<td>{manager}</td><td>已修改</td><td>医疗保险</td>" in latest
    assert '<td class="num">0.095</td>' in latest


def test_a_locked_version_refuses_an_item_edit_with_a_clear_error(client, manager, policies):
    version = policy_version_lock(version=shanghai_2025(), actor=None)
    item = version.items.get(kind="medical")

    response = client.post(f"/staff/policy-items/{item.pk}/edit/", {
        "kind": "medical", "base_floor": "1.00", "base_ceiling": "37302.00",
        "employer_rate": "0.095", "employee_rate": "0.02", "employer_fixed": "0",
        "employee_fixed": "0", "rounding": "cent_half_up", "rate_choice": "",
        "confidence": "official_text",
    })

    assert response.status_code == 200
    assert "该政策版本已用于已出具的账单，不能再修改" in response.content.decode()
    item.refresh_from_db()
    assert item.base_floor == Decimal("7460.00")


@pytest.mark.parametrize("role", [Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST])
def test_other_staff_roles_cannot_edit_policies(client, policies, role):
    client.force_login(UserFactory(role=role))
    version = shanghai_2025()
    item = version.items.first()

    assert client.get(f"/staff/policies/{version.pk}/copy/").status_code == 404
    assert client.get(f"/staff/policies/{version.pk}/edit/").status_code == 404
    assert client.get(f"/staff/policy-items/{item.pk}/edit/").status_code == 404


def test_a_portal_user_quotes_in_the_portal(client, portal_user, policies):
    client.force_login(portal_user)

    response = client.get("/portal/quote/", {"city": "310000", "month": "2025-08",
                                             "base": "8000.00", "housing_fund_base": "2690"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<header class="topbar portal">' in html
    assert ('<tr data-kind="housing_fund"><td>住房公积金</td><td class="num">2690.00</td>'
            '<td class="num">188.00</td><td class="num">188.00</td>'
            '<td class="num">376.00</td></tr>') in html
    assert ('<th class="num">2320.80</th><th class="num">1028.00</th>'
            '<th class="num">3348.80</th>') in html


def test_the_staff_quote_page_shows_no_policy_as_a_form_error(client, policies):
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    response = client.get("/staff/quote/", {"city": "440300", "month": "2025-06", "base": "8000"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<header class="topbar">' in html
    assert "No contribution policy of 440300 is in force in 2025-06" in html
    assert 'data-testid="quote-table"' not in html


def test_the_quote_form_swaps_form_and_result_in_place_with_htmx(client, portal_user, policies):
    client.force_login(portal_user)

    response = client.get("/portal/quote/", {"city": "110000", "month": "2025-08",
                                             "base": "10000"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert ('<form method="get" class="stacked card" hx-get="/portal/quote/" hx-target="#quote" '
            'hx-select="#quote" hx-swap="outerHTML" hx-push-url="true">') in html
    quote = html.split('<div id="quote">', 1)[1]
    assert '<div id="quote-result">' in quote
    assert '<span data-testid="quote-policy">110000/2025-07-01</span></h2>' in quote


def test_staff_pages_answer_404_to_a_portal_user(client, portal_user, policies):
    client.force_login(portal_user)

    assert client.get("/staff/cities/").status_code == 404
    assert client.get(f"/staff/policies/{shanghai_2025().pk}/").status_code == 404
    assert client.get("/staff/quote/").status_code == 404


def test_an_unknown_city_page_answers_404(client, policies):
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    assert client.get("/staff/cities/999999/").status_code == 404
    assert client.get("/staff/policies/999999/").status_code == 404
    assert PolicyItem.objects.count() == 113


def test_a_manager_adds_a_city_extra_item_that_quotes_show(client, manager, policies, api_client):
    version = PolicyVersion.objects.get(city__code="110000", effective_from=D(2026, 7, 1))

    response = client.post(f"/staff/policies/{version.pk}/items/add/", {
        "kind": "serious_illness", "label": "大额医疗互助", "base_floor": "0",
        "base_ceiling": "0", "employer_rate": "0", "employee_rate": "0",
        "employer_fixed": "0", "employee_fixed": "10.00", "rounding": "cent_half_up",
        "rate_choice": "", "confidence": "unverified",
    })
    api_client.force_authenticate(manager)
    quote = api_client.get("/api/v1/cities/110000/quote/?base=10000&month=2026-08").json()
    page = client.get(f"/staff/policies/{version.pk}/").content.decode()

    assert response.status_code == 302
    assert quote["items"][-1] == {"kind": "serious_illness", "base": "0.00",
                                  "employer": "0.00", "employee": "10.00"}
    assert quote["totals"]["employee"] == "2263.00"
    assert "<td>大额医疗互助</td>" in page


def test_an_item_cannot_be_added_to_a_locked_version(client, manager, policies):
    version = policy_version_lock(version=shanghai_2025(), actor=manager)

    response = client.post(f"/staff/policies/{version.pk}/items/add/", {
        "kind": "extra", "base_floor": "0", "base_ceiling": "0", "employer_rate": "0",
        "employee_rate": "0", "employer_fixed": "1", "employee_fixed": "0",
        "rounding": "cent_half_up", "rate_choice": "", "confidence": "unverified",
    })

    assert response.status_code == 200
    assert "This policy version is used by an issued bill" in response.content.decode()
    assert version.items.count() == 6


@pytest.mark.parametrize(("query", "field"), [
    ({"city": "310000", "month": "0000-01", "base": "8000"}, "month"),
    ({"city": "310000", "month": "2025-08", "base": "abc"}, "base"),
    ({"city": "999999", "month": "2025-08", "base": "8000"}, "city"),
    ({"city": "310000", "month": "2025-08", "base": "8000", "housing_fund_rate": "0.09"},
     "housing_fund_rate"),
])
def test_bad_quote_input_shows_by_its_field(client, portal_user, policies, query, field):
    client.force_login(portal_user)

    response = client.get("/portal/quote/", query)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<ul class="errorlist" id="id_(\w+)_error">', html) == [field]
    assert 'data-testid="quote-table"' not in html
