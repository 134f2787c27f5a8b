"""The staff endpoints of the API contract and the client-facing reads."""

import datetime

import pytest

from agency.models import AuditEvent
from agency.roles import Role
from clients.models import ApiKey, Client, Contract
from tests.clients.factories import (
    ContractFactory,
    ContractPriceFactory,
    ScannedClientFactory,
    VerifiedClientFactory,
)
from tests.factories import CityFactory, ClientFactory, UserFactory, make_uscc

pytestmark = pytest.mark.django_db

NEW_CLIENT = {"name": "上海新客户有限公司", "uscc": "91350100M000100Y43",
              "ownership_type": "private", "industry": "I",
              "office_address": "上海市浦东新区世纪大道1号", "city": "310000"}


@pytest.fixture
def manager_api(api_client):
    api_client.force_authenticate(UserFactory(role=Role.MANAGER))
    return api_client


def test_manager_creates_a_client(manager_api):
    CityFactory(code="310000")

    response = manager_api.post("/api/v1/clients/", NEW_CLIENT, format="json")

    assert response.status_code == 201
    body = response.json()
    client = Client.objects.get()
    assert body["id"] == client.pk
    assert (body["uscc"], body["city"], body["headcount"], body["size_tier"],
            body["licence_verified"]) == ("91350100M000100Y43", "310000", 0, "small", False)


def test_bad_uscc_is_400_with_a_detail_for_uscc(manager_api):
    response = manager_api.post("/api/v1/clients/", {**NEW_CLIENT, "uscc": "91350100M000100Y44"},
                                format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert response.json()["error"]["details"] == [{
        "field": "uscc", "code": "invalid_checksum",
        "message": "统一社会信用代码校验位错误 / USCC check character is wrong"}]


def test_bad_choices_and_unknown_city_name_the_field(manager_api):
    bad = manager_api.post("/api/v1/clients/", {**NEW_CLIENT, "ownership_type": "x",
                                                "industry": "Z"}, format="json")
    city = manager_api.post("/api/v1/clients/", {**NEW_CLIENT, "city": "999999"}, format="json")

    assert sorted(d["field"] for d in bad.json()["error"]["details"]) == [
        "industry", "ownership_type"]
    assert city.status_code == 400
    assert city.json()["error"]["details"][0]["field"] == "city"


def test_verify_licence_records_who_and_when(api_client):
    manager = UserFactory(role=Role.MANAGER)
    api_client.force_authenticate(manager)
    client = ScannedClientFactory()

    response = api_client.post(f"/api/v1/clients/{client.pk}/verify-licence/")

    assert response.status_code == 200
    client.refresh_from_db()
    assert client.licence_verified_by == manager
    assert client.licence_verified_at is not None
    assert response.json()["licence_verified"] is True


def test_a_licence_without_a_scan_on_file_cannot_be_marked_verified(manager_api):
    client = ClientFactory()

    response = manager_api.post(f"/api/v1/clients/{client.pk}/verify-licence/")

    assert response.status_code == 400
    assert [(d["field"], d["code"]) for d in response.json()["error"]["details"]] == [
        ("licence_scan", "scan_missing")]
    client.refresh_from_db()
    assert client.licence_verified_at is None


def test_a_client_without_a_representative_has_service_rep_null(manager_api):
    without = ClientFactory(name="甲公司")
    with_rep = ClientFactory(name="乙公司", service_rep=UserFactory(display_name="客服专员 张伟",
                                                                   role=Role.SERVICE_REP))

    listed = {c["id"]: c["service_rep"]
              for c in manager_api.get("/api/v1/clients/").json()["results"]}

    assert listed == {without.pk: None, with_rep.pk: "客服专员 张伟"}
    assert manager_api.get(f"/api/v1/clients/{without.pk}/").json()["service_rep"] is None


def test_a_uscc_typed_with_full_width_characters_is_folded_before_the_check(manager_api):
    CityFactory(code="310000")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in make_uscc(7))  # ９１３１… in full width

    response = manager_api.post("/api/v1/clients/", {**NEW_CLIENT, "uscc": full_width},
                                format="json")

    assert response.status_code == 201
    assert response.json()["uscc"] == make_uscc(7)


def _contract_body(client, price="80.00", **extra):
    return {"client": client.pk, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "prices": [{"city": "310000", "price_per_head": price}], "housing_fund_rate": "0.07",
            **extra}


def test_contract_create_is_draft_and_activation_needs_a_verified_licence(manager_api):
    CityFactory(code="310000")
    client = ScannedClientFactory()

    created = manager_api.post("/api/v1/contracts/", _contract_body(client), format="json")
    refused = manager_api.post(f"/api/v1/contracts/{created.json()['id']}/activate/")
    manager_api.post(f"/api/v1/clients/{client.pk}/verify-licence/")
    activated = manager_api.post(f"/api/v1/contracts/{created.json()['id']}/activate/")

    assert created.status_code == 201
    assert created.json()["status"] == "draft"
    assert created.json()["prices"] == [{"city": "310000", "city_name": "上海市",
                                         "price_per_head": "80.00", "price_override_reason": "",
                                         "work_injury_rate": None}]
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "licence_unverified"
    assert activated.status_code == 200
    assert activated.json()["status"] == "active"


@pytest.mark.parametrize("price", ["49.00", "121.00"])
def test_contract_price_out_of_range_is_400_without_reason_201_with(manager_api, price):
    CityFactory(code="310000")
    client = ClientFactory()

    refused = manager_api.post("/api/v1/contracts/", _contract_body(client, price), format="json")
    accepted = manager_api.post(
        "/api/v1/contracts/", _contract_body(client, price, price_override_reason="大客户协议价"),
        format="json")

    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "price_override_reason"
    assert refused.json()["error"]["details"][0]["line"] == 1
    assert accepted.status_code == 201
    assert accepted.json()["prices"][0]["price_override_reason"] == "大客户协议价"


def test_contract_with_bad_dates_or_client_names_the_field(manager_api):
    CityFactory(code="310000")
    client = ClientFactory()

    bad_dates = manager_api.post("/api/v1/contracts/", _contract_body(
        client, starts_on="2026-12-31", ends_on="2026-01-01"), format="json")
    no_client = manager_api.post("/api/v1/contracts/", {**_contract_body(client), "client": 0},
                                 format="json")
    garbage = manager_api.post("/api/v1/contracts/", {"prices": "x"}, format="json")

    assert bad_dates.json()["error"]["details"][0]["field"] == "ends_on"
    assert no_client.json()["error"]["details"][0]["field"] == "client"
    assert garbage.status_code == 400


def test_api_key_is_shown_once_and_authenticates_as_the_client(api_client):
    manager = UserFactory(role=Role.MANAGER)
    api_client.force_authenticate(manager)
    client = ClientFactory()

    issued = api_client.post(f"/api/v1/clients/{client.pk}/api-keys/", {"name": "HR系统"},
                             format="json")
    api_client.force_authenticate(None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['key']}")
    me = api_client.get("/api/v1/me/")

    assert issued.status_code == 201
    assert set(issued.json()) == {"id", "key", "name", "prefix"}
    assert issued.json()["id"] == ApiKey.objects.get().pk
    assert me.status_code == 200
    assert (me.json()["role"], me.json()["username"], me.json()["client"]["id"]) == (
        "api_key", None, client.pk)
    assert AuditEvent.objects.filter(action="api_key_issued", client_id_ref=client.pk).count() == 1


def test_a_revoked_api_key_is_401(api_client):
    from clients.services import api_key_issue, api_key_revoke

    api_key, key = api_key_issue(client=ClientFactory(), name="k",
                                 actor=UserFactory(role=Role.MANAGER))
    api_key_revoke(api_key=api_key, actor=UserFactory(role=Role.MANAGER))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_me_of_a_portal_user_has_profile_and_contract(api_client, portal_user, client_company):
    contract = ContractFactory(client=client_company, status=Contract.Status.ACTIVE)
    ContractPriceFactory(contract=contract)
    api_client.force_authenticate(portal_user)

    body = api_client.get("/api/v1/me/").json()["client"]

    assert (body["name"], body["ownership_type"], body["headcount"], body["size_tier"]) == (
        client_company.name, "private", 0, "small")
    assert (body["contract"]["number"], body["contract"]["status"]) == (contract.number, "active")


@pytest.mark.parametrize("role", [Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST])
def test_other_staff_roles_read_but_cannot_create(api_client, role):
    api_client.force_authenticate(UserFactory(role=role))
    ClientFactory()

    listed = api_client.get("/api/v1/clients/")
    created = api_client.post("/api/v1/clients/", NEW_CLIENT, format="json")

    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert created.status_code == 403
    assert created.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("path", [
    "/api/v1/clients/", "/api/v1/contracts/",
])
def test_client_callers_cannot_call_staff_only_endpoints(api_client, portal_user, path):
    api_client.force_authenticate(portal_user)

    response = api_client.post(path, {}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_client_list_endpoint_query_count_is_bounded(manager_api, django_assert_max_num_queries):
    rep = UserFactory(role=Role.SERVICE_REP)
    CityFactory(code="310000")
    for _ in range(15):
        ClientFactory(service_rep=rep, city=CityFactory(code="310000"))

    with django_assert_max_num_queries(3):
        response = manager_api.get("/api/v1/clients/")

    assert response.json()["count"] == 15


def test_contract_list_endpoint_query_count_is_bounded(manager_api,
                                                       django_assert_max_num_queries):
    for _ in range(10):
        ContractPriceFactory(contract=ContractFactory(client=VerifiedClientFactory()))

    with django_assert_max_num_queries(4):
        response = manager_api.get("/api/v1/contracts/")

    assert response.json()["count"] == 10


def test_contract_ends_before_today_cannot_be_activated(manager_api):
    contract = ContractFactory(client=VerifiedClientFactory(),
                               ends_on=datetime.date(2020, 1, 31),
                               starts_on=datetime.date(2020, 1, 1))

    response = manager_api.post(f"/api/v1/contracts/{contract.pk}/activate/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "contract_ended"


@pytest.mark.parametrize("path", [
    "/api/v1/clients/99999999999999999999999/", "/api/v1/contracts/99999999999999999999999/",
    "/api/v1/clients/?page=abc",
])
def test_odd_ids_and_parameters_never_answer_500(manager_api, path):
    response = manager_api.get(path)

    assert response.status_code in (200, 404)
    assert response.status_code == 200 or response.json()["error"]["code"] == "not_found"


def test_an_unknown_contract_status_filter_is_a_400_naming_it(manager_api):
    response = manager_api.get("/api/v1/contracts/?status=nonsense")

    assert response.status_code == 400
    assert [(d["field"], d["code"]) for d in response.json()["error"]["details"]] == [
        ("status", "invalid_choice")]


def test_odd_filter_values_on_the_client_list_page_never_answer_500(client):
    client.force_login(UserFactory(role=Role.MANAGER))

    response = client.get("/staff/clients/", {"rep": "9" * 30, "tier": "x", "industry": "ZZ"})

    assert response.status_code == 200
