"""Issue 17, "staff scope": a service representative sees, reveals and exports only the
persons of the clients they serve (`Client.service_rep`); another client's person is 404
on every route. Managers and administrators see all; finance and archivists read every
person, masked, and never reveal."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from agency.roles import Role
from enrollment.models import RosterLine, RosterOrder
from enrollment.persons.paper_services import paper_upload
from tests.enrollment.factories_person import enrolled_person, png_upload
from tests.factories import (
    CityFactory,
    EnrollmentFactory,
    InsuredPersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _names(html: str) -> list[str]:
    return [n for n in ("自家员工", "别家员工", "两家员工") if n in html]


def test_rep_lists_only_the_persons_of_clients_they_serve(client, rep, served, unserved):
    enrolled_person(served, name="自家员工")
    enrolled_person(unserved, name="别家员工")
    client.force_login(rep)

    assert _names(client.get("/staff/persons/").content.decode()) == ["自家员工"]
    assert _names(client.get("/staff/persons/", {"client": unserved.pk}).content.decode()) == []


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN, Role.FINANCE, Role.ARCHIVIST])
def test_other_staff_roles_list_every_person(client, served, unserved, role):
    enrolled_person(served, name="自家员工")
    enrolled_person(unserved, name="别家员工")
    client.force_login(UserFactory(role=role))

    assert _names(client.get("/staff/persons/").content.decode()) == ["自家员工", "别家员工"]


def test_another_clients_person_is_404_for_a_rep_on_every_route(client, rep, served,
                                                                 unserved):
    theirs = enrolled_person(unserved, name="别家员工")
    paper = paper_upload(person=theirs, client=unserved, kind="photo", upload=png_upload(),
                         actor=None)
    enrollment = theirs.enrollments.get()
    client.force_login(rep)

    statuses = {
        "detail": client.get(f"/staff/persons/{theirs.pk}/").status_code,
        "reveal": client.post(f"/staff/persons/{theirs.pk}/reveal/").status_code,
        "edit": client.get(f"/staff/persons/{theirs.pk}/edit/").status_code,
        "letter": client.get(f"/staff/persons/{theirs.pk}/letter.pdf").status_code,
        "paper": client.get(f"/staff/persons/{theirs.pk}/papers/{paper.pk}/").status_code,
        "upload": client.post(f"/staff/persons/{theirs.pk}/papers/").status_code,
        "seal": client.post(
            f"/staff/persons/{theirs.pk}/enrollments/{enrollment.pk}/seal/").status_code,
        "api": client.get(f"/api/v1/persons/{theirs.pk}/").status_code,
    }

    assert statuses == dict.fromkeys(statuses, 404)


def test_rep_sees_only_their_clients_enrolments_and_papers_of_a_shared_person(
        client, rep, served, unserved):
    person = enrolled_person(served, name="两家员工")
    EnrollmentFactory(person=person, client=unserved,
                      city=CityFactory(code="110000", name="别家城市"))
    paper_upload(person=person, client=unserved, kind="photo", upload=png_upload("theirs.png"),
                 actor=None)
    client.force_login(rep)

    html = client.get(f"/staff/persons/{person.pk}/").content.decode()
    api = client.get(f"/api/v1/persons/{person.pk}/").json()

    assert ("自家客户" in html, "别人客户" in html, "别家城市" in html, "theirs.png" in html) == (
        True, False, False, False)
    assert [e["city_name"] for e in api["enrollments"]] == [person.enrollments.get(
        client=served).city.name]


def test_rep_sees_a_new_hire_named_in_their_clients_order(client, rep, served, unserved):

    hire = InsuredPersonFactory(name="自家员工")
    stranger = InsuredPersonFactory(name="别家员工")
    received = timezone.now()
    for who, owner in ((hire, served), (stranger, unserved)):
        order = RosterOrder.objects.create(client=owner, channel="portal", received_at=received)
        RosterLine.objects.create(
            order=order, line_no=1, action="add", person=who, name=who.name,
            city=CityFactory(), effective_date=datetime.date(2026, 12, 1),
            effective_month=datetime.date(2026, 12, 1), handle_by=received)
    client.force_login(rep)

    assert _names(client.get("/staff/persons/").content.decode()) == ["自家员工"]


def test_rep_masked_export_holds_only_their_clients_persons(client, rep, served, unserved):
    enrolled_person(served, name="自家员工")
    enrolled_person(unserved, name="别家员工")
    client.force_login(rep)

    response = client.get("/staff/persons/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active

    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["自家员工"]


def test_api_list_for_a_rep_is_scoped_too(api_client, rep, served, unserved):
    enrolled_person(served, name="自家员工")
    enrolled_person(unserved, name="别家员工")
    api_client.force_authenticate(user=rep)

    rows = api_client.get("/api/v1/persons/").json()["results"]

    assert [r["name"] for r in rows] == ["自家员工"]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ARCHIVIST])
def test_finance_and_archivists_never_reveal(client, served, role):
    person = enrolled_person(served, name="自家员工")
    client.force_login(UserFactory(role=role))

    assert client.post(f"/staff/persons/{person.pk}/reveal/").status_code == 404
