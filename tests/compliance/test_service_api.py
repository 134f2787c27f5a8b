"""The service desk's API as the contract ("Service") fixes it: inquiries and complaints
with their threads; another client's answers 404; bad input answers 400 naming the field."""

import datetime

import pytest

from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from compliance.models import Complaint, Feedback, Inquiry
from compliance.service_desk import (
    complaint_action_done,
    complaint_add_action,
    complaint_investigate,
    complaint_open,
    inquiry_open,
    inquiry_reply,
)
from enrollment.models import RosterLine
from enrollment.orders.services import order_submit
from tests.enrollment.order_fixtures import add_line
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SH = datetime.timezone(datetime.timedelta(hours=8))
T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=SH)


def _as_key(api_client, client):
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client.pk, api_key_id=1))


def _inquiry(client, **kwargs):
    return inquiry_open(client=client, subject="参保进度", body="何时生效？", channel="portal",
                        actor=None, now=T0, **kwargs)


def _complaint(client):
    return complaint_open(client=client, subject="账单有误", body="多收费用", channel="portal",
                          actor=None, now=T0)


def _details(response):
    return sorted((d["field"], d["code"]) for d in response.json()["error"]["details"])


def test_create_an_inquiry_answers_201_with_respond_by(api_client, client_company):
    _as_key(api_client, client_company)

    response = api_client.post("/api/v1/inquiries/", {"subject": "参保进度", "body": "何时生效？"},
                               format="json")

    assert response.status_code == 201
    body = response.json()
    inquiry = Inquiry.objects.get()
    assert body["id"] == inquiry.pk
    assert (body["subject"], body["status"], body["channel"], body["about"]) == (
        "参保进度", "open", "api", None)
    received = datetime.datetime.fromisoformat(body["received_at"])
    assert datetime.datetime.fromisoformat(body["respond_by"]) - received == datetime.timedelta(
        hours=12)
    assert body["received_at"].endswith("+08:00")
    assert [(m["body"], m["from_client"], m["author"]) for m in body["messages"]] == [
        ("何时生效？", True, "api-key:1")]
    assert inquiry.opened_by_label == "api-key:1"


def test_a_follow_up_carries_about(api_client, company):
    order = order_submit(client=company, lines=[add_line(1)], channel="api", actor=None,
                         received_at=T0)
    line = order.lines.get()
    RosterLine.objects.filter(pk=line.pk).update(status="succeeded")
    _as_key(api_client, company)

    ok = api_client.post("/api/v1/inquiries/", {
        "subject": "增员后续", "body": "社保卡怎么领？",
        "about": {"type": "order_line", "id": line.pk}}, format="json")
    case = api_client.post("/api/v1/inquiries/", {
        "subject": "工伤", "body": "进度？", "about": {"type": "case", "id": 5}}, format="json")

    assert ok.status_code == 201
    assert ok.json()["about"] == {"type": "order_line", "id": line.pk}
    assert case.status_code == 400
    assert _details(case) == [("about", "not_found")]


@pytest.mark.parametrize(("payload", "expected"), [
    ({}, [("body", "required"), ("subject", "required")]),
    ({"subject": "问" * 201, "body": "x"}, [("subject", "too_long")]),
    ({"subject": ["x"], "body": "x"}, [("subject", "invalid")]),
    ({"subject": "x", "body": "x", "about": {"type": "order_line", "id": "abc"}},
     [("about.id", "invalid")]),
    ({"subject": "x", "body": "x", "about": {"type": "order_line", "id": 999999}},
     [("about", "not_found")]),
])
def test_bad_input_is_400_naming_the_field(api_client, client_company, payload, expected):
    _as_key(api_client, client_company)

    response = api_client.post("/api/v1/inquiries/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert _details(response) == expected
    assert Inquiry.objects.count() == 0


def test_list_is_the_keys_client_only_and_paginated(api_client, client_company,
                                                    other_client_company,
                                                    django_assert_max_num_queries):
    mine = [_inquiry(client_company) for _ in range(3)]
    _inquiry(other_client_company)
    _as_key(api_client, client_company)

    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/inquiries/")

    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert sorted(r["id"] for r in body["results"]) == sorted(i.pk for i in mine)
    assert api_client.get("/api/v1/inquiries/", {"status": "answered"}).json()["count"] == 0
    bad = api_client.get("/api/v1/inquiries/", {"status": "nope"})
    assert (bad.status_code, _details(bad)) == (400, [("status", "invalid_choice")])


def test_detail_has_the_thread_and_another_clients_is_404(api_client, client_company,
                                                           other_client_company):
    mine = _inquiry(client_company)
    inquiry_reply(inquiry=mine, body="下月生效", actor=UserFactory(role=Role.SERVICE_REP),
                  from_client=False, now=T0)
    theirs = _inquiry(other_client_company)
    _as_key(api_client, client_company)

    detail = api_client.get(f"/api/v1/inquiries/{mine.pk}/")
    other = api_client.get(f"/api/v1/inquiries/{theirs.pk}/")
    other_message = api_client.post(f"/api/v1/inquiries/{theirs.pk}/messages/",
                                    {"body": "hi"}, format="json")

    assert detail.status_code == 200
    assert detail.json()["status"] == "answered"
    assert detail.json()["first_response_at"] == "2026-12-01T09:00:00+08:00"
    assert [(m["body"], m["from_client"]) for m in detail.json()["messages"]] == [
        ("何时生效？", True), ("下月生效", False)]
    assert (other.status_code, other.json()["error"]["code"]) == (404, "not_found")
    assert other_message.status_code == 404


def test_a_message_from_the_client_reopens_the_inquiry(api_client, client_company):
    inquiry = _inquiry(client_company)
    inquiry_reply(inquiry=inquiry, body="答复", actor=None, from_client=False, now=T0)
    _as_key(api_client, client_company)

    response = api_client.post(f"/api/v1/inquiries/{inquiry.pk}/messages/",
                               {"body": "还有问题"}, format="json")
    empty = api_client.post(f"/api/v1/inquiries/{inquiry.pk}/messages/", {}, format="json")

    assert response.status_code == 201
    assert (response.json()["body"], response.json()["from_client"]) == ("还有问题", True)
    inquiry.refresh_from_db()
    assert inquiry.status == "open"
    assert (empty.status_code, _details(empty)) == (400, [("body", "required")])


def test_staff_answer_through_the_api_and_name_the_client_to_open(api_client, client_company):
    manager = UserFactory(role=Role.MANAGER)
    inquiry = _inquiry(client_company)
    api_client.force_authenticate(user=manager)

    answer = api_client.post(f"/api/v1/inquiries/{inquiry.pk}/messages/", {"body": "已办"},
                             format="json")
    unnamed = api_client.post("/api/v1/inquiries/", {"subject": "x", "body": "y"},
                              format="json")
    named = api_client.post("/api/v1/complaints/", {"subject": "x", "body": "y",
                                                    "client": client_company.pk},
                            format="json")

    assert answer.status_code == 201
    assert answer.json()["from_client"] is False
    inquiry.refresh_from_db()
    assert inquiry.status == "answered"
    assert (unnamed.status_code, _details(unnamed)) == (400, [("client", "required")])
    assert named.status_code == 201
    assert Complaint.objects.get().client == client_company


def test_complaints_create_list_detail_with_actions(api_client, client_company,
                                                    other_client_company):
    _as_key(api_client, client_company)
    created = api_client.post("/api/v1/complaints/", {"subject": "账单有误", "body": "多收"},
                              format="json")
    complaint = Complaint.objects.get()
    agent = UserFactory(role=Role.SERVICE_REP, display_name="王芳")
    complaint_investigate(complaint=complaint, findings="属实", actor=agent, now=T0)
    complaint_add_action(complaint=complaint, description="退费", owner=agent,
                         due_on=datetime.date(2026, 12, 10), actor=agent)
    theirs = _complaint(other_client_company)

    listed = api_client.get("/api/v1/complaints/").json()
    detail = api_client.get(f"/api/v1/complaints/{complaint.pk}/").json()
    other = api_client.get(f"/api/v1/complaints/{theirs.pk}/")
    message = api_client.post(f"/api/v1/complaints/{complaint.pk}/messages/",
                              {"body": "请尽快"}, format="json")

    assert created.status_code == 201
    received = datetime.datetime.fromisoformat(created.json()["received_at"])
    assert datetime.datetime.fromisoformat(created.json()["handle_by"]) - received == (
        datetime.timedelta(hours=48))
    assert [r["id"] for r in listed["results"]] == [complaint.pk]
    assert (detail["status"], detail["findings"], detail["first_action_at"]) == (
        "action", "属实", "2026-12-01T09:00:00+08:00")
    assert [(a["description"], a["owner"], a["due_on"], a["done_at"])
            for a in detail["actions"]] == [("退费", "王芳", "2026-12-10", None)]
    assert other.status_code == 404
    assert message.status_code == 201


def test_the_key_confirms_a_resolved_complaint_and_gives_feedback_once(api_client,
                                                                       client_company):
    complaint = _complaint(client_company)
    agent = UserFactory(role=Role.SERVICE_REP)
    complaint_investigate(complaint=complaint, findings="属实", actor=agent, now=T0)
    action = complaint_add_action(complaint=complaint, description="退费", owner=agent,
                                  due_on=datetime.date(2026, 12, 10), actor=agent)
    _as_key(api_client, client_company)

    early = api_client.post(f"/api/v1/complaints/{complaint.pk}/confirm/")
    complaint_action_done(action=action, actor=agent, now=T0)
    confirmed = api_client.post(f"/api/v1/complaints/{complaint.pk}/confirm/")
    bad_score = api_client.post(f"/api/v1/complaints/{complaint.pk}/feedback/",
                                {"score": 6}, format="json")
    given = api_client.post(f"/api/v1/complaints/{complaint.pk}/feedback/",
                            {"score": 5, "comment": "满意"}, format="json")
    again = api_client.post(f"/api/v1/complaints/{complaint.pk}/feedback/",
                            {"score": 4}, format="json")

    assert (early.status_code, early.json()["error"]["code"]) == (409, "actions_open")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "closed"
    assert (bad_score.status_code, _details(bad_score)) == (400, [("score", "out_of_range")])
    assert given.status_code == 201
    assert (given.json()["score"], given.json()["comment"]) == (5, "满意")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "feedback_given")
    assert Feedback.objects.count() == 1


def test_no_token_is_401(api_client):
    assert api_client.get("/api/v1/inquiries/").status_code == 401
