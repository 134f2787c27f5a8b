"""A portal user or a client's API key never sees another client: every page and endpoint
this app adds answers 404 for another client's object (and for staff-only ones)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from clients.models import Contract
from clients.services import api_key_issue
from tests.clients.factories import ContractFactory, ContractPriceFactory, LicenceFactory
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

# (method, path template); {client}, {contract}, {key} are the other client's objects
API_URLS = [
    ("get", "/api/v1/clients/{client}/"),
    ("post", "/api/v1/clients/{client}/verify-licence/"),
    ("post", "/api/v1/clients/{client}/api-keys/"),
    ("get", "/api/v1/contracts/{contract}/"),
    ("post", "/api/v1/contracts/{contract}/activate/"),
    ("get", "/api/v1/contracts/{contract}/pdf/"),
    ("post", "/api/v1/clients/"),
    ("post", "/api/v1/contracts/"),
]
PORTAL_URLS = [
    "/portal/contracts/{contract}/",
    "/portal/contracts/{contract}/pdf/",
    "/portal/contracts/{contract}/scan/",
]
STAFF_URLS = [
    "/staff/clients/", "/staff/clients/new/", "/staff/clients/{client}/",
    "/staff/clients/{client}/edit/", "/staff/clients/{client}/portal-users/new/",
    "/staff/clients/{client}/licence-scan/", "/staff/contracts/{contract}/scan/",
    "/staff/contracts/", "/staff/contracts/new/", "/staff/contracts/{contract}/",
    "/staff/contracts/{contract}/pdf/", "/staff/rep-load/", "/staff/licences/",
    "/staff/licences/new/", "/staff/licences/{licence}/scan/", "/staff/staff-profiles/",
]
STAFF_POST_URLS = [
    "/staff/clients/{client}/verify-licence/", "/staff/clients/{client}/assign-rep/",
    "/staff/clients/{client}/api-keys/new/", "/staff/api-keys/{key}/revoke/",
    "/staff/contracts/{contract}/activate/", "/staff/contracts/{contract}/terminate/",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def world(client_company):
    other = ClientFactory()
    theirs = ContractFactory(client=other, status=Contract.Status.ACTIVE,
                             signed_scan=SimpleUploadedFile("their-scan.pdf", b"%PDF-1.4 x"))
    ContractPriceFactory(contract=theirs)
    mine = ContractFactory(client=client_company, status=Contract.Status.ACTIVE)
    ContractPriceFactory(contract=mine)
    their_key, _ = api_key_issue(client=other, name="their", actor=UserFactory(role=Role.ADMIN))
    licence = LicenceFactory(scan=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 l"))
    return {"client": other.pk, "contract": theirs.pk, "key": their_key.pk, "mine": mine,
            "licence": licence.pk,
            "own": client_company}


@pytest.fixture(params=["portal_user", "api_key"])
def client_caller(request, api_client, portal_user, client_company):
    if request.param == "portal_user":
        api_client.force_authenticate(portal_user)
    else:
        _key, key = api_key_issue(client=client_company, name="own",
                                  actor=UserFactory(role=Role.ADMIN))
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


@pytest.mark.parametrize(("method", "path"), API_URLS)
def test_client_callers_get_404_for_another_clients_objects(client_caller, world, method, path):
    response = getattr(client_caller, method)(path.format(**world), {}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_client_lists_hold_only_their_own_client(client_caller, world):
    clients = client_caller.get("/api/v1/clients/").json()
    contracts = client_caller.get("/api/v1/contracts/").json()

    assert [c["id"] for c in clients["results"]] == [world["own"].pk]
    assert [c["id"] for c in contracts["results"]] == [world["mine"].pk]
    assert client_caller.get(f"/api/v1/contracts/{world['mine'].pk}/").status_code == 200


@pytest.mark.parametrize("path", PORTAL_URLS)
def test_portal_pages_answer_404_for_another_clients_contract(client, portal_user, world, path):
    client.force_login(portal_user)

    assert client.get(path.format(**world)).status_code == 404


def test_portal_pages_show_only_the_own_client(client, portal_user, world):
    client.force_login(portal_user)

    profile = client.get("/portal/profile/").content.decode()
    contracts = client.get("/portal/contracts/").content.decode()

    assert world["own"].name in profile
    assert world["mine"].number in contracts
    assert Contract.objects.get(pk=world["contract"]).number not in contracts
    assert client.get(f"/portal/contracts/{world['mine'].pk}/").status_code == 200


@pytest.mark.parametrize("path", STAFF_URLS)
def test_portal_users_get_404_on_every_staff_page(client, portal_user, world, path):
    client.force_login(portal_user)

    assert client.get(path.format(**world)).status_code == 404


@pytest.mark.parametrize("path", STAFF_POST_URLS)
def test_portal_users_get_404_on_every_staff_action(client, portal_user, world, path):
    client.force_login(portal_user)

    assert client.post(path.format(**world), {"reason": "x", "name": "x"}).status_code == 404
