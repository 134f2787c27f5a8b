"""Order replies as the contract promises (issue 18): lines inline up to 100, `line_counts`
on every order, lists without lines in a fixed number of queries, and the paged lines
endpoint with its filters and refusals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.roles import Role
from enrollment.models import RosterLine
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import line_transition
from tests.conftest import contracted_client
from tests.enrollment.order_fixtures import add_line, give_all_papers, next_month, valid_id
from tests.enrollment.order_fixtures import next_month_line as line

pytestmark = pytest.mark.django_db


def make_order(client, first: int, count: int):
    return order_submit(client=client, channel="api", actor=None,
                        lines=[line(n) for n in range(first, first + count)])


def test_a_small_order_carries_its_lines_and_its_counts(as_hr):
    response = as_hr.post("/api/v1/orders/", {"lines": [line(1), line(2)]}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["line_counts"] == {"total": 2, "papers_missing": 2}
    assert [ln["line"] for ln in body["lines"]] == [1, 2]
    assert (body["status"], body["import_job"], body["error"]) == ("received", None, None)


def test_an_order_of_101_lines_answers_counts_and_no_lines(as_hr):
    response = as_hr.post("/api/v1/orders/", {"lines": [line(n) for n in range(1, 102)]},
                          format="json")

    assert response.status_code == 201
    body = response.json()
    assert "lines" not in body
    assert body["line_counts"] == {"total": 101, "papers_missing": 101}
    detail = as_hr.get(f"/api/v1/orders/{body['id']}/").json()
    assert "lines" not in detail
    assert detail["line_counts"] == {"total": 101, "papers_missing": 101}


def test_an_order_of_100_lines_still_carries_them(as_hr, company):
    order = make_order(company, 1, 100)

    body = as_hr.get(f"/api/v1/orders/{order.pk}/").json()

    assert len(body["lines"]) == 100
    assert body["line_counts"] == {"total": 100, "papers_missing": 100}


def move(order, line_no: int, actor, *steps: str, reason: str = "") -> None:
    """Take a line through `steps` (its person given every paper first)."""
    line_obj = order.lines.get(line_no=line_no)
    give_all_papers(line_obj.person, order.client)
    for to in steps:
        line_transition(line=RosterLine.objects.get(pk=line_obj.pk), to=to, actor=actor,
                        reason=reason, scheme="")


def test_counts_follow_the_workflow_order_of_statuses(as_hr, company, staff_user):
    order = make_order(company, 1, 3)
    rep = staff_user(Role.MANAGER)
    move(order, 1, rep, "submitted")
    move(order, 2, rep)

    body = as_hr.get(f"/api/v1/orders/{order.pk}/").json()

    assert list(body["line_counts"].items()) == [
        ("total", 3), ("received", 1), ("papers_missing", 1), ("submitted", 1)]
    assert body["status"] == "processing"


def list_queries(api) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/orders/")
    assert response.status_code == 200
    return len(queries), response.json()


def test_the_order_list_nests_no_lines_and_costs_the_same_for_1_and_30_orders(as_hr, company):
    make_order(company, 1, 2)
    one, body = list_queries(as_hr)
    assert body["count"] == 1
    [only] = body["results"]
    assert "lines" not in only
    assert only["line_counts"] == {"total": 2, "papers_missing": 2}

    for n in range(29):
        make_order(company, 10 + 2 * n, 2)
    thirty, body = list_queries(as_hr)

    assert body["count"] == 30
    assert all("lines" not in o for o in body["results"])
    assert {o["line_counts"]["total"] for o in body["results"]} == {2}
    assert thirty == one


# --- GET /api/v1/orders/{id}/lines/ ------------------------------------------------------


def test_lines_are_paged_with_their_status_tasks_and_failure_reason(as_hr, company,
                                                                    staff_user):
    order = make_order(company, 1, 3)
    move(order, 3, staff_user(Role.MANAGER), "submitted")
    move(order, 3, staff_user(Role.MANAGER), "failed", reason="社保局退回")

    page1 = as_hr.get(f"/api/v1/orders/{order.pk}/lines/?page_size=2").json()
    page2 = as_hr.get(f"/api/v1/orders/{order.pk}/lines/?page_size=2&page=2").json()

    assert (page1["count"], page1["previous"], [ln["line"] for ln in page1["results"]]) == (
        3, None, [1, 2])
    assert page1["next"].endswith(f"/api/v1/orders/{order.pk}/lines/?page=2&page_size=2")
    assert (page2["next"], [ln["line"] for ln in page2["results"]]) == (None, [3])
    [failed] = page2["results"]
    assert (failed["status"], failed["failure_reason"]) == (
        "failed", "住房公积金: 社保局退回; 社会保险: 社保局退回")
    assert [(t["scheme"], t["status"], t["reason"]) for t in failed["tasks"]] == [
        ("housing_fund", "failed", "社保局退回"), ("social_insurance", "failed", "社保局退回")]


def test_lines_filter_by_status(as_hr, company, staff_user):
    order = make_order(company, 1, 3)
    move(order, 2, staff_user(Role.MANAGER))

    body = as_hr.get(f"/api/v1/orders/{order.pk}/lines/?status=received").json()

    assert (body["count"], [ln["line"] for ln in body["results"]]) == (1, [2])


def test_lines_default_to_pages_of_100_and_allow_1000(as_hr, company):
    order = make_order(company, 1, 101)

    default = as_hr.get(f"/api/v1/orders/{order.pk}/lines/").json()
    big = as_hr.get(f"/api/v1/orders/{order.pk}/lines/?page_size=1000").json()

    assert (default["count"], len(default["results"]), default["next"] is not None) == (
        101, 100, True)
    assert (len(big["results"]), big["next"]) == (101, None)


@pytest.mark.parametrize(("query", "field", "code"), [
    ("status=done", "status", "invalid_choice"),
    ("page_size=1001", "page_size", "max_value"),
    ("page_size=0", "page_size", "min_value"),
    ("page_size=abc", "page_size", "invalid"),
    ("page=0", "page", "min_value"),
])
def test_a_bad_filter_or_page_size_is_400_naming_the_field(as_hr, company, query, field, code):
    order = make_order(company, 1, 1)

    response = as_hr.get(f"/api/v1/orders/{order.pk}/lines/?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert [(d["field"], d["code"]) for d in error["details"]] == [(field, code)]


def test_another_clients_order_lines_are_404(as_hr, shanghai):
    rival = contracted_client("别家公司", shanghai)
    order = order_submit(client=rival, channel="api", actor=None,
                         lines=[add_line(1, effective_date=next_month(),
                                         id_number=valid_id(90))])

    response = as_hr.get(f"/api/v1/orders/{order.pk}/lines/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
