"""/api/v1/cases/ as the API contract fixes it: create (201 with the clocks), list
(paginated), detail (steps and papers), messages; 404 isolation, 400 naming the field."""

import datetime

import pytest
from django.utils import timezone

from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from enrollment.cases.services import case_paper_upload, case_step_done
from enrollment.models import Case, CaseMessage
from tests.enrollment.case_fixtures import OPENED, open_case, served
from tests.enrollment.factories_person import enrolled_person, pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _as_key(api_client, client):
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client.pk, api_key_id=1))


def _errors(response) -> list[tuple[str, str]]:
    return [(d.get("field"), d["code"]) for d in response.json()["error"]["details"]]


def test_create_a_work_injury_answers_201_with_the_clocks(api_client, client_company):
    rep = served(client_company)
    person = enrolled_person(client_company)
    _as_key(api_client, client_company)
    before = timezone.now()

    response = api_client.post("/api/v1/cases/", {
        "person": person.pk, "type": "work_injury", "description": "工地摔伤",
        "incident_date": "2026-11-02"}, format="json")

    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert body["id"] == case.pk
    assert (body["type"], body["status"], body["statutory_due"]) == (
        "work_injury", "open", "2026-12-02")
    assert body["handle_by"] == timezone.localtime(case.handle_by).isoformat()
    assert case.handle_by - case.opened_at == datetime.timedelta(hours=48)
    assert case.opened_at >= before
    assert (case.channel, case.opened_by, case.opened_by_label, case.assignee) == (
        "api", None, "api-key:1", rep)
    assert [s["key"] for s in body["steps"]] == [
        "accident_report", "medical_records", "injury_recognition", "capacity_assessment",
        "benefits_paid"]
    assert body["steps"][0] == {"key": "accident_report", "label": "事故报告", "is_paper": True,
                                "done_at": None}


def test_create_other_type_has_no_statutory_date(api_client, client_company):
    person = enrolled_person(client_company)
    _as_key(api_client, client_company)

    body = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "maternity",
                                              "description": ""}, format="json").json()

    assert (body["type"], body["statutory_due"]) == ("maternity", None)


def test_create_refusals_name_their_fields(api_client, client_company):
    person = enrolled_person(client_company)
    _as_key(api_client, client_company)

    no_date = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "work_injury"},
                              format="json")
    bad_type = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "holiday"},
                               format="json")
    bad_date = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "work_injury",
                                                  "incident_date": "2026-13-40"},
                               format="json")
    period = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "back_payment",
                                                "period_from": "2026-05",
                                                "period_to": "2026-03"}, format="json")
    garbage = api_client.post("/api/v1/cases/", {"person": "x", "type": ["a"]}, format="json")

    assert [r.status_code for r in (no_date, bad_type, bad_date, period, garbage)] == [400] * 5
    assert _errors(no_date) == [("incident_date", "required")]
    assert _errors(bad_type) == [("type", "invalid_choice")]
    assert _errors(bad_date) == [("incident_date", "invalid")]
    assert _errors(period) == [("period_to", "period_invalid")]
    assert sorted(f for f, _ in _errors(garbage)) == ["person", "type"]
    assert Case.objects.count() == 0


def test_another_clients_person_reads_like_a_missing_one(api_client, client_company,
                                                         other_client_company):
    theirs = enrolled_person(other_client_company)
    _as_key(api_client, client_company)

    other = api_client.post("/api/v1/cases/", {"person": theirs.pk, "type": "other"},
                            format="json")
    missing = api_client.post("/api/v1/cases/", {"person": 999999, "type": "other"},
                              format="json")

    assert (other.status_code, missing.status_code) == (400, 400)
    assert other.json() == missing.json()
    assert _errors(other) == [("person", "not_found")]


def test_staff_must_name_a_client_they_serve(api_client, client_company, other_client_company):
    rep = served(client_company)
    person = enrolled_person(client_company)
    api_client.force_authenticate(user=rep)

    unnamed = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "other"},
                              format="json")
    not_theirs = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "other",
                                                    "client": other_client_company.pk},
                                 format="json")
    created = api_client.post("/api/v1/cases/", {"person": person.pk, "type": "other",
                                                 "client": client_company.pk}, format="json")

    assert _errors(unnamed) == [("client", "required")]
    assert _errors(not_theirs) == [("client", "not_found")]
    assert created.status_code == 201
    assert Case.objects.get().opened_by == rep


def test_list_is_paginated_scoped_and_filtered(api_client, client_company, other_client_company,
                                               django_assert_max_num_queries):
    for _ in range(3):
        open_case(client_company, type="retirement")
    open_case(client_company, type="other")
    open_case(other_client_company)
    _as_key(api_client, client_company)

    with django_assert_max_num_queries(3):
        everything = api_client.get("/api/v1/cases/").json()
    retirement = api_client.get("/api/v1/cases/", {"type": "retirement"}).json()
    bad = api_client.get("/api/v1/cases/", {"status": "sleeping"})

    assert (everything["count"], everything["next"], everything["previous"]) == (4, None, None)
    assert retirement["count"] == 3
    assert {r["client"] for r in everything["results"]} == {client_company.pk}
    assert bad.status_code == 400
    assert _errors(bad) == [("status", "invalid_choice")]


def test_list_query_count_does_not_grow_with_cases(api_client, client_company,
                                                   django_assert_max_num_queries):
    for _ in range(20):
        open_case(client_company)
    _as_key(api_client, client_company)

    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/cases/")

    assert response.json()["count"] == 20


def test_detail_shows_steps_done_and_papers(api_client, client_company, committed):
    staff = UserFactory(role=Role.SERVICE_REP)
    case = open_case(client_company, type="retirement")
    with committed():
        paper = case_paper_upload(case=case, step_key="id_card", upload=pdf_upload("身份证.pdf"),
                                  actor=staff, now=OPENED)
    case_step_done(case=case, key="file_review", actor=staff, now=OPENED)
    _as_key(api_client, client_company)

    body = api_client.get(f"/api/v1/cases/{case.pk}/").json()

    done = timezone.localtime(OPENED).isoformat()
    assert [(s["key"], s["label"], s["is_paper"], s["done_at"]) for s in body["steps"]] == [
        ("id_card", "身份证", True, done), ("file_review", "档案审核", False, done),
        ("pension_assessed", "养老金核定", False, None),
        ("retirement_completed", "退休手续办结", False, None)]
    assert body["papers"] == [{"id": paper.pk, "step_key": "id_card",
                               "original_name": "身份证.pdf", "size": paper.size,
                               "sha256": paper.sha256, "uploaded_at": done}]
    assert (body["status"], body["first_action_at"]) == ("in_progress", done)


def test_another_clients_case_is_404_on_detail_and_messages(api_client, client_company,
                                                            other_client_company):
    theirs = open_case(other_client_company)
    _as_key(api_client, client_company)

    detail = api_client.get(f"/api/v1/cases/{theirs.pk}/")
    message = api_client.post(f"/api/v1/cases/{theirs.pk}/messages/", {"body": "hi"},
                              format="json")

    assert (detail.status_code, message.status_code) == (404, 404)
    assert detail.json()["error"]["code"] == "not_found"
    assert CaseMessage.objects.count() == 0


def test_messages_from_the_client_and_from_staff(api_client, client_company):
    rep = served(client_company)
    case = open_case(client_company)
    _as_key(api_client, client_company)

    from_client = api_client.post(f"/api/v1/cases/{case.pk}/messages/", {"body": "进度如何？"},
                                  format="json")
    empty = api_client.post(f"/api/v1/cases/{case.pk}/messages/", {"body": " "},
                            format="json")
    api_client.force_authenticate(user=rep)
    from_staff = api_client.post(f"/api/v1/cases/{case.pk}/messages/", {"body": "已提交"},
                                 format="json")
    case.refresh_from_db()

    assert (from_client.status_code, from_staff.status_code) == (201, 201)
    assert (from_client.json()["from_client"], from_client.json()["author"]) == (
        True, "api-key:1")
    assert from_staff.json()["from_client"] is False
    assert _errors(empty) == [("body", "required")]
    assert case.status == "in_progress"
    assert case.first_action_at is not None


def test_unauthenticated_is_401(api_client):
    assert api_client.get("/api/v1/cases/").status_code == 401


def test_out_of_range_ids_are_refused_not_500(api_client, client_company):
    _as_key(api_client, client_company)

    create = api_client.post("/api/v1/cases/", {"person": 10**20, "type": "other"},
                             format="json")
    detail = api_client.get(f"/api/v1/cases/{10**20}/")

    assert create.status_code == 400
    assert _errors(create) == [("person", "not_found")]
    assert detail.status_code == 404
