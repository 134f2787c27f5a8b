"""Clients read their own contract and papers in the portal; another client's answer 404."""

import pytest

from agency.roles import Role
from archive.models import ItemKind
from tests.archive.factories import store
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.archive.urls")]


@pytest.fixture
def own_items(client_company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return {
            "contract": store(b"contract", client_id=client_company.pk,
                              kind=ItemKind.AGREEMENT, name="服务协议.pdf"),
            "letter": store(b"letter", client_id=client_company.pk,
                            kind=ItemKind.CORRESPONDENCE, name="往来邮件.eml"),
        }


def test_a_client_sees_its_contract_but_not_the_correspondence(client, portal_user, own_items):
    client.force_login(portal_user)

    html = client.get("/portal/archive/").content.decode()
    download = client.get(f"/portal/archive/items/{own_items['contract'].pk}/file/")

    assert "服务协议.pdf" in html
    assert "往来邮件.eml" not in html
    assert download.status_code == 200
    assert download.content == b"contract"
    assert client.get(f"/portal/archive/items/{own_items['letter'].pk}/file/").status_code == 404


def test_another_clients_item_answers_404(client, portal_user, other_client_company,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        theirs = store(b"theirs", client_id=other_client_company.pk, kind=ItemKind.AGREEMENT,
                       name="别家合同.pdf")
    client.force_login(portal_user)

    assert "别家合同.pdf" not in client.get("/portal/archive/").content.decode()
    assert client.get(f"/portal/archive/items/{theirs.pk}/file/").status_code == 404


def test_staff_download_an_items_file(client, own_items):
    client.force_login(UserFactory(role=Role.ARCHIVIST))

    response = client.get(f"/staff/archive/items/{own_items['letter'].pk}/file/")

    assert response.content == b"letter"
