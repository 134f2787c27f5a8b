"""A line waiting for papers is released (→ received) by the paper-upload service, so every
route a paper comes by releases it alike: the staff person page, the portal person page,
a line of a portal order and the API."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.deadlines import add_months
from agency.roles import Role
from clients.models import Contract
from enrollment.demo import DEMO_PDF, DEMO_PNG
from enrollment.models import Paper, RosterLine
from enrollment.orders.services import order_submit
from enrollment.persons.paper_services import paper_upload
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.enrollment.order_fixtures import add_line
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LAST = "outsourcing_letter"


def waiting_line(company) -> RosterLine:
    """A new hire's add line with every paper but the signed letter: papers_missing."""
    month = add_months(timezone.localdate().replace(day=1), 1)
    order = order_submit(client=company, channel="api", actor=None,
                         lines=[add_line(1, effective_date=month.isoformat())])
    line = order.lines.get()
    for kind in Paper.Kind.values:
        if kind != LAST:
            paper_upload(person=line.person, client=company, kind=kind, actor=None,
                         upload=SimpleUploadedFile("p.png", DEMO_PNG))
    line.refresh_from_db()
    assert line.status == "papers_missing"
    return line


def statuses(line: RosterLine) -> tuple[str, list[str]]:
    line.refresh_from_db()
    return line.status, [t.status for t in line.tasks.order_by("scheme")]


def letter() -> SimpleUploadedFile:
    return SimpleUploadedFile("letter.pdf", DEMO_PDF)


def test_the_staff_person_page_releases_the_line(client, company):
    line = waiting_line(company)
    client.force_login(UserFactory(role=Role.MANAGER))

    response = client.post(f"/staff/persons/{line.person_id}/papers/",
                           {"kind": LAST, "file": letter(), "client": company.pk})

    assert response.status_code == 302
    assert statuses(line) == ("received", ["received", "received"])


def test_the_portal_person_page_releases_the_line(client, company):
    line = waiting_line(company)
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    response = client.post(f"/portal/persons/{line.person_id}/papers/",
                           {"kind": LAST, "file": letter()})

    assert response.status_code == 302
    assert statuses(line) == ("received", ["received", "received"])


def test_the_portal_order_line_releases_the_line(client, company):
    line = waiting_line(company)
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    response = client.post(f"/portal/orders/{line.order_id}/lines/{line.pk}/papers/",
                           {"kind": LAST, "file": letter()})

    assert response.status_code == 302
    assert statuses(line) == ("received", ["received", "received"])


def test_the_api_releases_the_line(api_client, company):
    line = waiting_line(company)
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    response = api_client.post(f"/api/v1/persons/{line.person_id}/papers/",
                               {"kind": LAST, "file": letter()}, format="multipart")

    assert response.status_code == 201
    assert statuses(line) == ("received", ["received", "received"])


def test_a_paper_that_leaves_the_set_incomplete_releases_nothing(company):
    month = add_months(timezone.localdate().replace(day=1), 1)
    order = order_submit(client=company, channel="api", actor=None,
                         lines=[add_line(1, effective_date=month.isoformat())])
    line = order.lines.get()

    paper_upload(person=line.person, client=company, kind="photo", actor=None,
                 upload=SimpleUploadedFile("p.png", DEMO_PNG))

    assert statuses(line) == ("papers_missing", ["papers_missing", "papers_missing"])


def test_the_release_is_recorded_with_the_uploader(company):
    line = waiting_line(company)
    rep = UserFactory(role=Role.SERVICE_REP)

    paper_upload(person=line.person, client=company, kind=LAST, upload=letter(), actor=rep)

    latest = line.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.history_user) == ("received", rep)


def test_a_new_hire_of_the_clients_own_order_is_listed_another_clients_is_not(
    api_client, company
):
    ours = waiting_line(company)
    other = VerifiedClientFactory()
    contract = ContractFactory(client=other, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2030, 12, 31))
    ContractPriceFactory(contract=contract, city=ours.city)
    month = add_months(timezone.localdate().replace(day=1), 1)
    theirs = order_submit(client=other, channel="api", actor=None, lines=[
        add_line(2, effective_date=month.isoformat())]).lines.get()
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_VIEWER, client=company))

    listed = api_client.get("/api/v1/persons/").json()["results"]
    hidden = api_client.get(f"/api/v1/persons/{theirs.person_id}/")

    assert [row["id"] for row in listed] == [ours.person_id]
    assert listed[0]["status"] is None  # no enrolment until the bureau accepts the add
    assert hidden.status_code == 404
