"""Every file download follows the reveal rule when the file holds ID numbers (a person's
papers, an order's e-mail filed in the archive) and writes one audit row ("download"),
whatever the route: staff page, portal page, API."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.deadlines import add_months
from agency.errors import DomainError
from agency.models import AuditEvent
from agency.roles import Role
from archive.models import ItemKind
from archive.services import archive_store
from clients.services import PriceInput, client_save, contract_create
from enrollment.demo import DEMO_PDF
from enrollment.orders.services import order_submit
from enrollment.persons.paper_services import paper_download, paper_upload
from tests.archive.factories import store
from tests.enrollment.factories_person import enrolled_person, pdf_upload
from tests.enrollment.order_fixtures import add_line
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def _downloads():
    return list(AuditEvent.objects.filter(action="download").order_by("pk").values_list(
        "target_type", "target_id", "actor"))


@pytest.fixture
def paper(client_company, committed):
    person = enrolled_person(client_company)
    with committed():
        return paper_upload(person=person, client=client_company, kind="id_card_front",
                            upload=pdf_upload("身份证.pdf"), actor=None)


# --- a person's papers (ID-card scans) ------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ARCHIVIST])
def test_staff_without_the_reveal_right_get_403_on_an_id_card_scan_and_no_audit_row(
        client, staff_user, paper, role):
    client.force_login(staff_user(role))

    response = client.get(f"/staff/persons/{paper.person_id}/papers/{paper.pk}/")

    assert response.status_code == 403
    assert _downloads() == []


def test_the_api_refuses_a_finance_user_the_scan_too(api_client, staff_user, paper):
    api_client.force_authenticate(user=staff_user(Role.FINANCE))

    response = api_client.get(f"/api/v1/persons/{paper.person_id}/papers/{paper.pk}/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert _downloads() == []


def test_the_service_refuses_an_archivist_on_every_route(staff_user, paper):
    with pytest.raises(DomainError) as refused:
        paper_download(paper=paper, actor=staff_user(Role.ARCHIVIST))

    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)


def test_a_manager_downloads_the_scan_with_an_audit_row(client, staff_user, paper):
    rep = staff_user(Role.MANAGER)
    client.force_login(rep)

    response = client.get(f"/staff/persons/{paper.person_id}/papers/{paper.pk}/")

    assert (response.status_code, response.content) == (200, DEMO_PDF)
    assert _downloads() == [("enrollment.paper", str(paper.pk), rep.pk)]


def test_the_clients_own_user_downloads_its_persons_scan_with_an_audit_row(
        client, portal_user, paper):
    client.force_login(portal_user)

    response = client.get(f"/portal/persons/{paper.person_id}/papers/{paper.pk}/")

    assert (response.status_code, response.content) == (200, DEMO_PDF)
    assert _downloads() == [("enrollment.paper", str(paper.pk), portal_user.pk)]


# --- the archive ----------------------------------------------------------------------


@pytest.fixture
def order_email(company, committed):
    """An order's e-mail, filed as correspondence: it carries the roster's ID numbers."""
    month = add_months(timezone.localdate().replace(day=1), 1)
    order = order_submit(client=company, lines=[add_line(1, effective_date=month.isoformat())],
                         channel="api", actor=None,
                         received_at=timezone.now() - datetime.timedelta(hours=1))
    with committed():
        return archive_store(content=b"From: hr@example.com\r\n\r\n11010519491231002X",
                             original_name="派单.eml", kind=ItemKind.CORRESPONDENCE,
                             client_id=company.pk, month=month, actor=None, subject=order)


def test_an_archivist_may_not_download_an_orders_e_mail_from_the_archive(
        client, staff_user, order_email):
    client.force_login(staff_user(Role.ARCHIVIST))

    response = client.get(f"/staff/archive/items/{order_email.pk}/file/")

    assert response.status_code == 403
    assert _downloads() == []


def test_a_manager_downloads_the_orders_e_mail_with_an_audit_row(client, staff_user,
                                                                order_email):
    manager = staff_user(Role.MANAGER)
    client.force_login(manager)

    response = client.get(f"/staff/archive/items/{order_email.pk}/file/")

    assert response.status_code == 200
    assert _downloads() == [("archive.archiveitem", str(order_email.pk), manager.pk)]


@pytest.mark.urls("tests.archive.urls")
def test_a_portal_archive_download_writes_an_audit_row(client, portal_user, client_company,
                                                       committed):
    with committed():
        contract = store(b"%PDF-1.4 contract", client_id=client_company.pk,
                         kind=ItemKind.AGREEMENT, name="服务协议.pdf")
    client.force_login(portal_user)

    response = client.get(f"/portal/archive/items/{contract.pk}/file/")

    assert (response.status_code, response.content) == (200, b"%PDF-1.4 contract")
    assert _downloads() == [("archive.archiveitem", str(contract.pk), portal_user.pk)]


# --- client documents -----------------------------------------------------------------


def test_a_clients_licence_scan_download_writes_an_audit_row(client, staff_user, committed):
    finance = staff_user(Role.FINANCE)
    with committed():
        company = client_save(name="好公司", uscc="91350100M000100Y43", ownership_type="private",
                              industry="C", actor=staff_user(Role.MANAGER),
                              licence_scan=SimpleUploadedFile("执照.pdf", b"%PDF-1.4 licence"))
    client.force_login(finance)

    response = client.get(f"/staff/clients/{company.pk}/licence-scan/")

    assert (response.status_code, response.content) == (200, b"%PDF-1.4 licence")
    assert _downloads() == [("clients.client", str(company.pk), finance.pk)]


def test_contract_scan_downloads_write_audit_rows_on_both_faces(client, staff_user,
                                                                client_company, portal_user,
                                                                committed):
    CityFactory(code="310000")
    with committed():
        contract = contract_create(
            client=client_company, starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            prices=[PriceInput(city_code="310000", price_per_head=Decimal("80.00"))],
            housing_fund_rate=Decimal("0.07"), actor=None,
            signed_scan=SimpleUploadedFile("合同.pdf", b"%PDF-1.4 signed"))
    manager = staff_user(Role.MANAGER)

    client.force_login(manager)
    staff = client.get(f"/staff/contracts/{contract.pk}/scan/")
    client.force_login(portal_user)
    portal = client.get(f"/portal/contracts/{contract.pk}/scan/")

    assert [(r.status_code, r.content) for r in (staff, portal)] == [
        (200, b"%PDF-1.4 signed"), (200, b"%PDF-1.4 signed")]
    assert _downloads() == [("clients.contract", str(contract.pk), manager.pk),
                            ("clients.contract", str(contract.pk), portal_user.pk)]
