"""GET /api/v1/persons/ and /api/v1/persons/{id}/ as the API contract fixes them."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.models import AuditEvent
from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from clients.services import api_key_issue
from enrollment.demo import DEMO_PNG
from enrollment.models import Paper
from enrollment.persons.paper_services import paper_upload
from tests.enrollment.factories_person import enrolled_person, png_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"


def _as_key(api_client, client_company):
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client_company.pk,
                                                       api_key_id=1))


def test_list_is_paginated_with_the_contract_fields(api_client, client_company):
    person = enrolled_person(client_company, name="张三", id_number=NUMBER)
    _as_key(api_client, client_company)

    response = api_client.get("/api/v1/persons/", {"status": "active", "search": "张三"})

    assert response.status_code == 200
    assert response.json() == {
        "count": 1, "next": None, "previous": None,
        "results": [{
            "id": person.pk, "name": "张三", "id_document_type": "resident_id",
            "id_number_masked": "**************002X", "sex": None, "birth_date": None,
            "birth_year": 1949,
            "hukou_type": "urban_local", "employment_type": "ordinary", "city": "310000",
            "scheme": "social_insurance", "status": "active", "base_kind": "declared",
            "base": "8000.00", "enrolled_from": "2026-01-01",
        }],
    }


def test_list_searches_by_last_four_and_filters_by_status(api_client, client_company):
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    enrolled_person(client_company, name="李四")
    enrolled_person(client_company, name="王五", status="ended")
    _as_key(api_client, client_company)

    by_last4 = api_client.get("/api/v1/persons/", {"search": "002X"}).json()
    active = api_client.get("/api/v1/persons/", {"status": "active"}).json()

    assert [r["name"] for r in by_last4["results"]] == ["张三"]
    assert sorted(r["name"] for r in active["results"]) == ["张三", "李四"]
    assert NUMBER not in str(active)


def test_list_query_count_does_not_grow_with_rows(api_client, client_company,
                                                  django_assert_max_num_queries):
    for _ in range(25):
        enrolled_person(client_company)
    _as_key(api_client, client_company)

    with django_assert_max_num_queries(4):
        response = api_client.get("/api/v1/persons/")

    assert response.json()["count"] == 25


def test_bad_status_filter_is_400_naming_the_field(api_client, client_company):
    _as_key(api_client, client_company)

    response = api_client.get("/api/v1/persons/", {"status": "nope", "city": "31"})

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_failed"
    assert sorted((d["field"], d["code"]) for d in body["details"]) == [
        ("city", "invalid"), ("status", "invalid_choice")]


def test_detail_has_enrolments_and_the_papers_checklist(api_client, client_company):
    person = enrolled_person(client_company, id_number=NUMBER)
    paper_upload(person=person, client=client_company, kind="photo", upload=png_upload(),
                 actor=None)
    api_client.force_authenticate(user=UserFactory(role=Role.CLIENT_VIEWER,
                                                   client=client_company))

    body = api_client.get(f"/api/v1/persons/{person.pk}/").json()

    assert body["id_number_masked"] == "**************002X"
    assert NUMBER not in str(body)
    assert [(e["city"], e["scheme"], e["status"], e["base"]) for e in body["enrollments"]] == [
        ("310000", "social_insurance", "active", "8000.00")]
    assert [(p["kind"], p["present"]) for p in body["papers"]][:5] == [
        ("id_card_front", False), ("id_card_back", False), ("household_register", False),
        ("education_certificate", False), ("photo", True)]
    assert body["papers_missing"] == ["id_card_front", "id_card_back", "household_register",
                                      "education_certificate", "labour_contract",
                                      "outsourcing_letter"]


def _page_and_queries(api_client, key):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/persons/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    body = response.json()
    return body["count"], len(body["results"]), len(queries)


def test_a_page_costs_the_same_queries_for_1_and_60_persons(api_client, client_company,
                                                           other_client_company):
    """An HR system's key pages through its persons (bench_api_load: 100,000): the token
    and key lookups, the count, the page's ids (along ClientPerson's index), the page and
    its enrolments, however many rows; the page's rows are read narrow (`LIST_FIELDS`) and
    no field of a row is fetched on its own."""
    _api_key, key = api_key_issue(client=client_company, name="HR",
                                  actor=UserFactory(role=Role.ADMIN))
    enrolled_person(client_company)
    enrolled_person(other_client_company)
    api_client.get("/api/v1/persons/", HTTP_AUTHORIZATION=f"Token {key}")  # key's last use

    one = _page_and_queries(api_client, key)
    for _ in range(59):
        enrolled_person(client_company)
    sixty = _page_and_queries(api_client, key)

    assert (one, sixty) == ((1, 1, 6), (60, 50, 6))


def test_staff_token_sees_every_person(api_client, client_company, other_client_company):
    enrolled_person(client_company)
    enrolled_person(other_client_company)
    api_client.force_authenticate(user=UserFactory(role=Role.FINANCE))

    assert api_client.get("/api/v1/persons/").json()["count"] == 2


def test_anonymous_is_401(api_client):
    assert api_client.get("/api/v1/persons/").status_code == 401


def test_api_key_uploads_a_paper_and_downloads_it_audited(api_client, client_company, committed):
    person = enrolled_person(client_company)
    _as_key(api_client, client_company)

    with committed():
        created = api_client.post(f"/api/v1/persons/{person.pk}/papers/",
                                  {"kind": "photo", "file": png_upload()}, format="multipart")
    paper_id = created.json()["id"]
    download = api_client.get(f"/api/v1/persons/{person.pk}/papers/{paper_id}/")

    assert created.status_code == 201
    assert created.json()["content_type"] == "image/png"
    assert created.json()["sha256"] == hashlib.sha256(DEMO_PNG).hexdigest()
    assert download.status_code == 200
    assert download.content == DEMO_PNG
    event = AuditEvent.objects.get(action="download")
    assert (event.actor, event.client_id_ref, event.detail["api_key"]) == (
        None, client_company.pk, 1)


def test_api_upload_refuses_a_renamed_exe_and_an_11_mb_file_naming_the_field(
        api_client, client_company):
    person = enrolled_person(client_company)
    _as_key(api_client, client_company)
    url = f"/api/v1/persons/{person.pk}/papers/"

    exe = api_client.post(url, {"kind": "labour_contract", "file": SimpleUploadedFile(
        "contract.pdf", b"MZ\x90\x00" + b"\x00" * 100)}, format="multipart")
    big = api_client.post(url, {"kind": "labour_contract", "file": SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024))}, format="multipart")
    no_kind = api_client.post(url, {"file": png_upload()}, format="multipart")

    assert exe.status_code == 400
    assert exe.json()["error"]["details"] == [{
        "field": "file", "code": "file_type",
        "message": "仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or PNG files are accepted"}]
    assert big.status_code == 400
    assert big.json()["error"]["details"] == [{
        "field": "file", "code": "file_too_large",
        "message": "文件超过 10 MB / The file is larger than 10 MB"}]
    assert [(d["field"], d["code"]) for d in no_kind.json()["error"]["details"]] == [
        ("kind", "required")]
    assert Paper.objects.count() == 0


def test_client_viewer_cannot_upload_through_the_api(api_client, client_company):
    person = enrolled_person(client_company)
    api_client.force_authenticate(user=UserFactory(role=Role.CLIENT_VIEWER,
                                                   client=client_company))

    response = api_client.post(f"/api/v1/persons/{person.pk}/papers/",
                               {"kind": "photo", "file": png_upload()}, format="multipart")

    assert response.status_code == 403
    assert Paper.objects.count() == 0
