"""`GET /api/v1/ledger/`: the caller's client ledger, paged; staff name the client.

One person (甲) in Shanghai at base 10000 in November 2026: a 3796.00 bill, paid with
5000.00 (1204.00 kept as credit)."""

import pytest
from rest_framework.test import APIClient

from agency.roles import Role
from billing.money_services import receipt_confirm
from clients.services import api_key_issue
from tests.billing.test_money_services import make_nov_bill, other_client_owing, receipt_from
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def as_user(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def as_key(client):
    _api_key, key = api_key_issue(client=client, name="HR system",
                                  actor=UserFactory(role=Role.ADMIN))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def overpaid(two_city_client):
    bill = make_nov_bill(two_city_client)
    receipt = receipt_from("5000.00", payer="张三", reference=bill.number, serial="S1")
    receipt_confirm(receipt=receipt, actor=None)
    return bill


ENTRIES = [
    {"date": "2026-11-20", "kind": "bill", "reference": "", "amount": "3796.00",
     "balance": "3796.00"},
    {"date": "2026-11-28", "kind": "receipt", "reference": "S1", "amount": "-3796.00",
     "balance": "0.00"},
    {"date": "2026-11-28", "kind": "credit", "reference": "S1", "amount": "-1204.00",
     "balance": "-1204.00"},
]


def entries_of(bill):
    return [{**e, "reference": e["reference"] or bill.number} for e in ENTRIES]


def test_an_api_key_reads_its_clients_ledger(overpaid):
    response = as_key(overpaid.client).get("/api/v1/ledger/")

    assert response.status_code == 200
    assert response.json() == {"balance": "-1204.00", "count": 3, "next": None,
                               "previous": None, "entries": entries_of(overpaid)}


def test_the_ledger_comes_in_pages(overpaid):
    response = as_key(overpaid.client).get("/api/v1/ledger/", {"page_size": 2, "page": 2})

    body = response.json()
    assert (body["balance"], body["count"], body["next"]) == ("-1204.00", 3, None)
    assert body["previous"] == "http://testserver/api/v1/ledger/?page_size=2"
    assert body["entries"] == entries_of(overpaid)[2:]


def test_another_clients_ledger_is_never_visible(overpaid):
    other = other_client_owing()
    stranger = receipt_from("4000.00", payer="李四", reference=other.number, serial="S9")
    receipt_confirm(receipt=stranger, actor=None)
    key = as_key(overpaid.client)
    portal = as_user(UserFactory(role=Role.CLIENT_VIEWER, client=overpaid.client))

    by_key = key.get("/api/v1/ledger/", {"client": other.client_id})
    by_portal = portal.get("/api/v1/ledger/", {"client": other.client_id})
    own = key.get("/api/v1/ledger/", {"client": overpaid.client_id})
    portal_own = portal.get("/api/v1/ledger/")

    assert (by_key.status_code, by_portal.status_code) == (404, 404)
    assert by_key.json()["error"]["code"] == "not_found"
    assert own.json()["entries"] == portal_own.json()["entries"] == entries_of(overpaid)


def test_staff_name_the_client(overpaid):
    staff = as_user(UserFactory(role=Role.SERVICE_REP))

    named = staff.get("/api/v1/ledger/", {"client": overpaid.client_id})
    unnamed = staff.get("/api/v1/ledger/")

    assert named.json()["entries"] == entries_of(overpaid)
    assert unnamed.status_code == 400
    assert [(d["field"], d["code"]) for d in unnamed.json()["error"]["details"]] == [
        ("client", "required")]


def test_an_anonymous_caller_is_refused(overpaid):
    assert APIClient().get("/api/v1/ledger/").status_code == 401


def test_the_ledger_reads_a_fixed_number_of_queries(overpaid, django_assert_max_num_queries):
    key = as_key(overpaid.client)
    with django_assert_max_num_queries(8):
        few = key.get("/api/v1/ledger/")
    for n in range(2, 12):
        receipt = receipt_from(f"{n}.00", payer="张三", serial=f"S{n}")
        receipt_confirm(receipt=receipt, client=overpaid.client, actor=None)

    with django_assert_max_num_queries(8):
        many = key.get("/api/v1/ledger/")

    assert (few.json()["count"], many.json()["count"]) == (3, 13)
