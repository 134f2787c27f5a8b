"""A client learns nothing about persons it does not employ from an order's errors
(STD-6.1): another client's enrolments and the agency's name for a number never reach its
validation; staff see them on the order; the bureau's one-enrolment rule still holds at
success; and a client can have only so many lines checked per hour."""

import datetime

import pytest
from django.core.cache import cache

from agency.errors import DomainError, RateLimited
from agency.roles import Role
from clients.services import api_key_issue
from enrollment.models import RosterOrder
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import line_transition
from tests.conftest import contracted_client
from tests.enrollment.order_fixtures import RECEIVED, add_line, enrolled, valid_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rival(shanghai, beijing):
    """Another client of the agency, with a contract in the same cities."""
    return contracted_client("北京竞争对手科技有限公司", shanghai, beijing)


def key_of(client) -> str:
    _, key = api_key_issue(client=client, name="HR system", actor=UserFactory(role=Role.MANAGER))
    return f"Token {key}"


def submit(client, lines):
    return order_submit(client=client, lines=lines, channel="api", actor=None,
                        received_at=RECEIVED)


def test_another_clients_enrolment_and_name_give_the_client_no_error(company, rival, shanghai):
    enrolled(rival, shanghai, 5, name="王伟")

    order = submit(company, [add_line(5, name="王为", schemes=["social_insurance"]),
                             add_line(6, city="110000", schemes=["social_insurance"])])

    assert [(ln.line_no, ln.name, ln.status) for ln in order.lines.order_by("line_no")] == [
        (1, "王为", "papers_missing"), (2, add_line(6)["name"], "papers_missing")]


def test_the_answer_for_a_known_number_is_the_answer_for_an_unknown_one(api_client, company,
                                                                       rival, shanghai):
    enrolled(rival, shanghai, 5, name="王伟")
    api_client.credentials(HTTP_AUTHORIZATION=key_of(company))

    known = api_client.post("/api/v1/orders/", {"lines": [add_line(5, name="王为")]},
                            format="json")
    unknown = api_client.post("/api/v1/orders/", {"lines": [add_line(7)]}, format="json")

    assert (known.status_code, unknown.status_code) == (201, 201)
    shape = {k for k in known.json() if k not in ("id",)}
    assert shape == {k for k in unknown.json() if k not in ("id",)}
    assert [ln["status"] for ln in known.json()["lines"]] == ["papers_missing"]


def test_staff_see_the_conflicts_the_client_was_not_told(client, company, rival, shanghai,
                                                       staff_user):
    enrolled(rival, shanghai, 5, name="王伟")
    order = submit(company, [add_line(5, name="王为", schemes=["social_insurance"])])
    client.force_login(staff_user(Role.MANAGER))

    html = client.get(f"/staff/orders/{order.pk}/").content.decode()

    assert 'data-testid="conflicts-1"' in html
    assert "本机构档案中该证件号码的姓名为王伟。" in html
    assert "已通过北京竞争对手科技有限公司在上海市参保：社保局将拒绝重复参保。" in html


def test_the_portal_shows_the_client_none_of_it(client, company, rival, shanghai):
    enrolled(rival, shanghai, 5, name="王伟")
    order = submit(company, [add_line(5, name="王为", schemes=["social_insurance"])])
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    html = client.get(f"/portal/orders/{order.pk}/").content.decode()

    assert "conflicts-1" not in html
    assert "王伟" not in html
    assert "北京竞争对手" not in html


def test_the_bureau_rule_still_refuses_the_second_enrolment_at_success(company, rival,
                                                                       shanghai):
    enrolled(rival, shanghai, 5)
    order = submit(company, [add_line(5, schemes=["social_insurance"])])
    line = order.lines.get()
    line.tasks.update(status="submitted")

    with pytest.raises(DomainError) as refused:
        line_transition(line=line, to="succeeded", actor=None)

    assert (refused.value.code, refused.value.status) == ("already_enrolled", 409)


def test_the_clients_own_records_still_answer_precisely(company, shanghai):
    enrolled(company, shanghai, 5)
    enrolled(company, shanghai, 6, name="王伟")

    with pytest.raises(DomainError) as own:
        submit(company, [add_line(5, schemes=["social_insurance"]),
                         {"action": "adjust_base", "name": "王为", "id_number": valid_id(6),
                          "city": "310000", "base": "9000", "effective_date": "2026-12-01"}])

    assert [(d.line, d.field, d.code) for d in own.value.details] == [
        (1, "id_number", "already_enrolled"), (2, "name", "name_mismatch")]


def test_validation_is_rate_limited_per_client_across_its_keys(api_client, company, settings):
    settings.ORDER_VALIDATION_LINES_PER_HOUR = 3
    cache.clear()
    first, second = key_of(company), key_of(company)

    api_client.credentials(HTTP_AUTHORIZATION=first)
    within = api_client.post("/api/v1/orders/", {"lines": [add_line(1), add_line(2)]},
                             format="json")
    api_client.credentials(HTTP_AUTHORIZATION=second)
    over = api_client.post("/api/v1/orders/", {"lines": [add_line(3), add_line(4)]},
                           format="json")

    assert within.status_code == 201
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "throttled"
    assert int(over["Retry-After"]) > 0
    assert RosterOrder.objects.filter(client=company).count() == 1


def test_the_budget_refuses_past_the_limit_and_says_when_to_retry(company, settings):
    from enrollment.orders.validation import validation_budget_spend

    settings.ORDER_VALIDATION_LINES_PER_HOUR = 10
    cache.clear()
    now = datetime.datetime(2026, 11, 27, 2, 45, tzinfo=datetime.UTC)

    used = validation_budget_spend(client_id=company.pk, lines=10, now=now)
    with pytest.raises(RateLimited) as refused:
        validation_budget_spend(client_id=company.pk, lines=1, now=now)

    assert used == 10
    assert refused.value.retry_after == 15 * 60 + 1
