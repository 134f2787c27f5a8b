"""An order's files and the archive's order and client papers hold ID numbers: only the
roles that may reveal a full ID number (`REVEAL_ROLES`) may download them, and each
download leaves an audit row."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from agency.deadlines import add_months
from agency.errors import DomainError
from agency.models import AuditEvent
from agency.roles import Role
from archive.models import ItemKind
from archive.views import PAPER_FILE_ROLES
from enrollment.models import RosterOrder
from enrollment.orders.services import order_file_download, order_submit
from enrollment.persons.services import REVEAL_ROLES
from tests.archive.factories import store
from tests.enrollment.order_fixtures import add_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(company) -> RosterOrder:
    month = add_months(timezone.localdate().replace(day=1), 1)
    order = order_submit(client=company, lines=[add_line(1, effective_date=month.isoformat())],
                         channel="api", actor=None,
                         received_at=timezone.now() - datetime.timedelta(hours=1))
    order.sealed_scan.save("盖章名单.pdf", ContentFile(b"%PDF-1.4 sealed"), save=True)
    return order


def test_finance_gets_403_on_an_order_file_and_no_audit_row(client, staff_user, order):
    client.force_login(staff_user(Role.FINANCE))

    response = client.get(f"/staff/orders/{order.pk}/files/sealed_scan/")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="download").count() == 0


def test_the_service_refuses_an_archivist_for_every_route(staff_user, order):
    with pytest.raises(DomainError) as refused:
        order_file_download(order=order, field="sealed_scan", actor=staff_user(Role.ARCHIVIST))

    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)


def test_a_role_that_may_reveal_downloads_an_order_file_with_an_audit_row(
        client, staff_user, order):
    manager = staff_user(Role.MANAGER)
    client.force_login(manager)

    response = client.get(f"/staff/orders/{order.pk}/files/sealed_scan/")

    assert (response.status_code, response.content) == (200, b"%PDF-1.4 sealed")
    assert list(AuditEvent.objects.filter(action="download").values_list(
        "target_id", "detail__file", "actor")) == [(str(order.pk), "sealed_scan", manager.pk)]


def test_the_order_page_hides_file_links_from_roles_without_the_right(client, staff_user,
                                                                     order):
    client.force_login(staff_user(Role.FINANCE))
    hidden = client.get(f"/staff/orders/{order.pk}/").content.decode()
    client.force_login(staff_user(Role.SERVICE_REP))
    shown = client.get(f"/staff/orders/{order.pk}/").content.decode()

    link = f'href="/staff/orders/{order.pk}/files/sealed_scan/"'
    assert (link in hidden, link in shown) == (False, True)


def test_archive_paper_roles_are_the_reveal_roles():
    assert set(PAPER_FILE_ROLES) == set(REVEAL_ROLES)


@pytest.fixture
def papers(client_company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return {
            "client_papers": store(b"id card", client_id=client_company.pk,
                                   kind=ItemKind.CLIENT_PAPERS, name="张三-身份证.pdf"),
            "order_papers": store(b"roster", client_id=client_company.pk,
                                  kind=ItemKind.ORDER_PAPERS, name="名单.pdf"),
            "correspondence": store(b"letter", client_id=client_company.pk,
                                    kind=ItemKind.CORRESPONDENCE, name="往来邮件.eml"),
        }


def test_an_archivist_may_not_download_order_or_client_papers(client, staff_user, papers):
    client.force_login(staff_user(Role.ARCHIVIST))

    statuses = {kind: client.get(f"/staff/archive/items/{item.pk}/file/").status_code
                for kind, item in papers.items()}

    assert statuses == {"client_papers": 403, "order_papers": 403, "correspondence": 200}
    assert list(AuditEvent.objects.filter(action="download").values_list(
        "target_id", flat=True)) == [str(papers["correspondence"].pk)]


def test_each_archive_download_is_audited(client, staff_user, papers, client_company):
    manager = staff_user(Role.MANAGER)
    client.force_login(manager)

    response = client.get(f"/staff/archive/items/{papers['client_papers'].pk}/file/")

    assert (response.status_code, response.content) == (200, b"id card")
    assert list(AuditEvent.objects.filter(action="download").values_list(
        "target_type", "target_id", "client_id_ref", "actor", "detail__kind")) == [
        ("archive.archiveitem", str(papers["client_papers"].pk), client_company.pk,
         manager.pk, "client_papers")]
