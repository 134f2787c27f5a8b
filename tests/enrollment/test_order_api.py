"""POST /api/v1/orders/ exactly as the contract says: shape, errors, idempotency."""

import datetime
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from enrollment.models import RosterOrder
from tests.enrollment.order_fixtures import (
    enrolled,
    next_month,
    valid_id,
)
from tests.enrollment.order_fixtures import (
    next_month_line as line,
)
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_order_is_created_with_its_lines(as_hr, company):
    response = as_hr.post("/api/v1/orders/", {"lines": [line(1), line(2, housing_fund=False)]},
                          format="json")

    assert response.status_code == 201
    body = response.json()
    order = RosterOrder.objects.get()
    assert (body["id"], body["status"], body["channel"], body["client"]) == (
        order.pk, "received", "api", company.pk)
    first, second = body["lines"]
    assert (first["line"], first["action"], first["status"]) == (1, "add", "papers_missing")
    assert first["effective_month"] == next_month()[:7]
    handle_by = datetime.datetime.fromisoformat(first["handle_by"])
    assert handle_by.utcoffset() == datetime.timedelta(hours=8)
    assert handle_by == order.received_at + datetime.timedelta(hours=48)
    assert [t["scheme"] for t in first["tasks"]] == ["housing_fund", "social_insurance"]
    assert [t["scheme"] for t in second["tasks"]] == ["social_insurance"]
    assert first["id_number_masked"] == f"**************{valid_id(1)[-4:]}"
    assert valid_id(1) not in response.content.decode()


def test_bad_lines_answer_400_with_every_line_and_field(as_hr):
    response = as_hr.post("/api/v1/orders/", {"lines": [
        line(1), line(2, id_number="110105194912310021"), line(3, base="max", city="999999")]},
        format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert [(d["line"], d["field"], d["code"]) for d in error["details"]] == [
        (2, "id_number", "invalid_checksum"), (3, "city", "city_unknown")]
    assert error["details"][0]["message"] == "身份证号校验位错误 / ID number check digit is wrong"
    assert RosterOrder.objects.count() == 0


def test_no_active_contract_is_400(api_client):
    other = ClientFactory()
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=other))

    response = api_client.post("/api/v1/orders/", {"lines": [line(1)]}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_active_contract"


def test_malformed_bodies_never_answer_500(as_hr):
    for body in ({}, {"lines": "x"}, {"lines": [1, None]}, {"lines": [{"base": {"a": 1}}]}):
        response = as_hr.post("/api/v1/orders/", body, format="json")
        assert response.status_code == 400, body
    response = as_hr.post("/api/v1/orders/", "not json", content_type="application/json")
    assert response.status_code == 400


def test_same_idempotency_key_and_body_returns_the_first_response(as_hr):
    body = {"lines": [line(1)]}

    first = as_hr.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = as_hr.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert RosterOrder.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_409(as_hr):
    as_hr.post("/api/v1/orders/", {"lines": [line(1)]}, format="json",
               HTTP_IDEMPOTENCY_KEY="abc-2")

    response = as_hr.post("/api/v1/orders/", {"lines": [line(2)]}, format="json",
                          HTTP_IDEMPOTENCY_KEY="abc-2")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert RosterOrder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_key_create_one_order(company, hr):
    body = {"lines": [line(n) for n in range(1, 41)]}  # big enough to overlap
    start = threading.Barrier(2)
    answers: list = []

    def post():
        api = APIClient()
        api.force_authenticate(hr)
        try:
            start.wait(timeout=10)
            r = api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="race-1")
            answers.append((r.status_code, r.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    order = RosterOrder.objects.get()
    assert answers == [(201, order.pk), (201, order.pk)]
    assert order.lines.count() == 40


def test_order_detail_shows_line_and_task_status(as_hr, company, shanghai):
    enrolled(company, shanghai, 5)
    created = as_hr.post("/api/v1/orders/", {"lines": [
        {"action": "remove", "id_number": valid_id(5), "city": "310000",
         "effective_date": next_month(), "reason": "resignation"}]}, format="json").json()

    detail = as_hr.get(f"/api/v1/orders/{created['id']}/").json()

    [row] = detail["lines"]
    assert (row["action"], row["status"], row["reason"]) == ("remove", "received", "resignation")
    assert row["tasks"] == [{"scheme": "social_insurance", "status": "received", "reason": ""}]
    assert row["failure_reason"] == ""


def test_another_clients_order_and_line_answer_404(api_client, company, hr):
    api_client.force_authenticate(hr)
    order_id = api_client.post("/api/v1/orders/", {"lines": [line(1)]}, format="json").json()["id"]
    line_id = RosterOrder.objects.get().lines.get().pk
    stranger = ClientFactory()

    for principal in (UserFactory(role=Role.CLIENT_ADMIN, client=stranger),
                      ApiKeyPrincipal(client_id=stranger.pk, api_key_id=99)):
        api_client.force_authenticate(principal)
        assert api_client.get(f"/api/v1/orders/{order_id}/").status_code == 404
        assert api_client.post(f"/api/v1/order-lines/{line_id}/transition/",
                               {"to": "submitted"}, format="json").status_code == 404
        assert api_client.get("/api/v1/orders/").json()["count"] == 0


def test_an_api_key_submits_for_its_own_client(api_client, company):
    api_client.force_authenticate(ApiKeyPrincipal(client_id=company.pk, api_key_id=3))

    response = api_client.post("/api/v1/orders/", {"lines": [line(1)]}, format="json")

    assert response.status_code == 201
    assert RosterOrder.objects.get().submitted_by_label == "api-key:3"


def test_a_read_only_portal_user_cannot_submit(api_client, company):
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_VIEWER, client=company))

    response = api_client.post("/api/v1/orders/", {"lines": [line(1)]}, format="json")

    assert response.status_code == 403


def test_staff_transition_endpoint(api_client, company, shanghai):
    enrolled(company, shanghai, 5)
    api_client.force_authenticate(UserFactory(role=Role.SERVICE_REP))
    created = api_client.post("/api/v1/orders/", {"client": company.pk, "lines": [
        {"action": "remove", "id_number": valid_id(5), "city": "310000",
         "effective_date": next_month(), "reason": "retirement"}]}, format="json")
    line_id = created.json()["lines"][0]["id"]
    url = f"/api/v1/order-lines/{line_id}/transition/"

    illegal = api_client.post(url, {"to": "succeeded"}, format="json")
    submitted = api_client.post(url, {"to": "submitted"}, format="json")
    failed = api_client.post(url, {"to": "failed", "reason": "人员信息不符",
                                   "scheme": "social_insurance"}, format="json")

    assert (illegal.status_code, illegal.json()["error"]["code"]) == (409, "invalid_transition")
    assert submitted.json()["status"] == "submitted"
    assert (failed.json()["status"], failed.json()["failure_reason"]) == (
        "failed", "社会保险: 人员信息不符")


def test_portal_users_cannot_use_the_transition_endpoint(as_hr):
    as_hr.post("/api/v1/orders/", {"lines": [line(1)]}, format="json")
    line_id = RosterOrder.objects.get().lines.get().pk

    response = as_hr.post(f"/api/v1/order-lines/{line_id}/transition/", {"to": "cancelled"},
                          format="json")

    assert response.status_code == 403
