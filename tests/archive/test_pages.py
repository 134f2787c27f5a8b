"""Staff archive pages: search, the month's batch (check, close), loans."""

import datetime

import pytest
from django.utils import timezone

from agency.roles import Role
from archive.models import FilingBatch, ItemKind, ItemStatus, Loan
from tests.archive.factories import store
from tests.factories import ClientFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.archive.urls")]

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def archivist(client):
    user = UserFactory(role=Role.ARCHIVIST)
    client.force_login(user)
    return user


def test_the_search_finds_a_clients_items_of_a_kind_and_month(
    client, archivist, django_assert_max_num_queries
):
    ours, theirs = ClientFactory(name="上海档案甲公司"), ClientFactory(name="上海档案乙公司")
    store(client_id=ours.pk, kind=ItemKind.AGREEMENT, name="合同扫描件.pdf", month=MARCH)
    store(client_id=ours.pk, kind=ItemKind.ORDER_PAPERS, name="花名册.xlsx", month=MARCH)
    store(client_id=theirs.pk, kind=ItemKind.AGREEMENT, name="他人合同.pdf", month=MARCH)

    with django_assert_max_num_queries(10):
        response = client.get("/staff/archive/", {"client_id": ours.pk, "kind": "agreement",
                                                  "month": "2026-03"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>档案</h1>" in html
    assert "合同扫描件.pdf</a></td>\n    <td>服务协议</td>\n    <td>上海档案甲公司</td>" in html
    assert f'<option value="{theirs.pk}">上海档案乙公司</option>' in html
    assert "花名册.xlsx" not in html
    assert "他人合同.pdf" not in html


@pytest.mark.parametrize("role", [Role.SERVICE_REP, Role.FINANCE])
def test_other_staff_roles_do_not_see_the_archive(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get("/staff/archive/").status_code == 404


def test_a_portal_user_does_not_see_the_staff_archive(client, portal_user):
    client.force_login(portal_user)

    assert client.get("/staff/archive/").status_code == 404


def test_the_batch_page_files_items_and_closes_the_month(client, archivist):
    item = store(month=MARCH, name="回执.pdf")
    batch = FilingBatch.objects.get(month=MARCH)

    refused = client.post(f"/staff/archive/batches/{batch.pk}/close/", follow=True)
    assert f"{item.pk}: 回执.pdf" in refused.content.decode()
    batch.refresh_from_db()
    assert batch.closed_at is None

    client.post(f"/staff/archive/items/{item.pk}/check/")
    closed = client.post(f"/staff/archive/batches/{batch.pk}/close/", follow=True)

    assert "本月已归档。" in closed.content.decode()
    batch.refresh_from_db()
    assert batch.closed_by == archivist


def test_an_item_is_lent_and_returned_from_the_pages(client, archivist):
    item = store()
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()

    response = client.post(f"/staff/archive/items/{item.pk}/lend/",
                           {"borrower": "李四", "purpose": "稽核", "due_on": due}, follow=True)

    assert "李四" in response.content.decode()
    loan = Loan.objects.get(item=item)
    client.post(f"/staff/archive/loans/{loan.pk}/return/")
    item.refresh_from_db()
    assert item.status == ItemStatus.ACTIVE


def test_the_staff_navigation_links_the_archive_for_archivists(client, archivist):
    html = client.get("/staff/archive/batches/").content.decode()

    assert '<a href="/staff/archive/">档案</a>' in html


def test_a_manager_appraises_and_destroys_an_item_past_its_retention(
    client, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    with django_capture_on_commit_callbacks(execute=True):
        item = store(b"old", month=datetime.date(2000, 1, 1), retention_years=5)
    client.force_login(UserFactory(role=Role.MANAGER))

    client.post(f"/staff/archive/items/{item.pk}/appraise/", {"decision": "destroy"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/archive/items/{item.pk}/destroy/",
                               {"reason": "保管期满"}, follow=True)

    assert "档案已销毁，销毁记录已保存。" in response.content.decode()
    assert not default_storage.exists(item.file.name)
    item.refresh_from_db()
    assert item.status == ItemStatus.DESTROYED


def test_an_archivist_cannot_destroy_and_a_refusal_shows_on_the_page(client, archivist):
    item = store(month=MARCH)

    assert client.post(f"/staff/archive/items/{item.pk}/destroy/",
                       {"reason": "x"}).status_code == 404
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.post(f"/staff/archive/items/{item.pk}/destroy/", {"reason": "x"})

    assert "保管期限未满" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.ACTIVE
