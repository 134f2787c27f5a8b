"""STD-6.1: another client's person or paper answers 404 on every page and endpoint, to a
portal user and to an API key."""

import pytest

from agency.models import AuditEvent
from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from enrollment.models import Paper
from enrollment.persons.paper_services import paper_upload
from tests.enrollment.factories_person import enrolled_person, png_upload
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_client_company):
    """A person of the other client, with a paper."""
    person = enrolled_person(other_client_company, name="别家员工")
    paper = paper_upload(person=person, client=other_client_company, kind="photo",
                         upload=png_upload(), actor=None)
    return person, paper


def _portal_urls(person, paper):
    return [
        ("get", f"/portal/persons/{person.pk}/"),
        ("get", f"/portal/persons/{person.pk}/letter.pdf"),
        ("get", f"/portal/persons/{person.pk}/papers/{paper.pk}/"),
        ("post", f"/portal/persons/{person.pk}/papers/"),
    ]


@pytest.mark.parametrize("role", [Role.CLIENT_ADMIN, Role.CLIENT_VIEWER])
def test_portal_user_gets_404_for_another_clients_person(client, client_company, theirs, role):
    person, paper = theirs
    client.force_login(UserFactory(role=role, client=client_company))

    statuses = [getattr(client, method)(url).status_code
                for method, url in _portal_urls(person, paper)]

    assert statuses == [404, 404, 404, 404]
    assert "别家员工" not in client.get("/portal/persons/").content.decode()
    assert AuditEvent.objects.filter(action="download").count() == 0


def test_portal_user_gets_404_on_the_staff_person_pages(client, portal_user, theirs):
    person, paper = theirs
    client.force_login(portal_user)

    statuses = [client.get("/staff/persons/").status_code,
                client.get(f"/staff/persons/{person.pk}/").status_code,
                client.get(f"/staff/persons/{person.pk}/papers/{paper.pk}/").status_code,
                client.get("/staff/persons/export.xlsx").status_code,
                client.post(f"/staff/persons/{person.pk}/reveal/").status_code]

    assert statuses == [404, 404, 404, 404, 404]


def test_api_key_gets_404_for_another_clients_person(api_client, client_company, theirs):
    person, paper = theirs
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client_company.pk,
                                                       api_key_id=1))

    detail = api_client.get(f"/api/v1/persons/{person.pk}/")
    listing = api_client.get("/api/v1/persons/")
    download = api_client.get(f"/api/v1/persons/{person.pk}/papers/{paper.pk}/")
    upload = api_client.post(f"/api/v1/persons/{person.pk}/papers/",
                             {"kind": "photo", "file": png_upload()}, format="multipart")

    assert detail.status_code == 404
    assert detail.json()["error"]["code"] == "not_found"
    assert listing.json()["count"] == 0
    assert (download.status_code, upload.status_code) == (404, 404)
    assert Paper.objects.count() == 1
    assert AuditEvent.objects.filter(action="download").count() == 0


def test_portal_user_token_gets_404_for_another_clients_person(api_client, portal_user,
                                                               theirs):
    person, _paper = theirs
    api_client.force_authenticate(user=portal_user)

    assert api_client.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert api_client.get("/api/v1/persons/").json()["count"] == 0


def test_a_shared_person_shows_each_client_only_its_own_papers_and_enrolments(
        client, api_client, client_company, theirs, committed):
    person, their_paper = theirs
    EnrollmentFactory(person=person, client=client_company, status="ended")  # worked for us too
    with committed():
        ours = paper_upload(person=person, client=client_company, kind="labour_contract",
                            upload=png_upload(), actor=None)
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=client_company))
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client_company.pk,
                                                       api_key_id=1))

    their_download = client.get(f"/portal/persons/{person.pk}/papers/{their_paper.pk}/")
    their_api_download = api_client.get(f"/api/v1/persons/{person.pk}/papers/{their_paper.pk}/")
    our_download = client.get(f"/portal/persons/{person.pk}/papers/{ours.pk}/")
    body = api_client.get(f"/api/v1/persons/{person.pk}/").json()

    assert their_download.status_code == 404
    assert their_api_download.status_code == 404
    assert our_download.status_code == 200
    assert [e["status"] for e in body["enrollments"]] == ["ended"]
    assert [p["kind"] for p in body["papers"] if p["present"]] == ["labour_contract"]
    assert Paper.objects.count() == 2
