"""The billing endpoints: staff generate, issue, record payments and invoice; a client
reads its own issued bills, their lines and invoices, and confirms or disputes them.

The figures are those of `test_bills.py`: one person in Shanghai at base 10000 in
November 2026 costs 3716.00 of social insurance and an 80.00 service fee."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from agency.models import AuditEvent
from agency.roles import Role
from billing.models import Bill, BillStatus, InvoiceTitle
from billing.services import bill_generate, bill_issue, invoice_issue, payment_record
from clients.models import Contract
from clients.services import api_key_issue
from policies.models import City
from tests.billing.conftest import NOV, enrol
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.factories import UserFactory
from tests.pdf_utils import pdf_text

pytestmark = pytest.mark.django_db
DEC = datetime.date(2026, 12, 1)
PAID_ON = datetime.date(2026, 11, 25)


def as_user(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def as_staff(role=Role.FINANCE):
    return as_user(UserFactory(role=role))


def as_key(client):
    _api_key, key = api_key_issue(client=client, name="HR system",
                                  actor=UserFactory(role=Role.ADMIN))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def as_portal(client, role=Role.CLIENT_ADMIN):
    return as_user(UserFactory(role=role, client=client))


def error(response):
    body = response.json()["error"]
    return body["code"], [(d.get("field"), d["code"]) for d in body["details"]]


@pytest.fixture
def other_client(policies):
    """Another client with a Shanghai contract at 80.00 a head."""
    client = VerifiedClientFactory(name="北京远航科技有限公司")
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2027, 12, 31))
    ContractPriceFactory(contract=contract, city=City.objects.get(code="310000"),
                         price_per_head=Decimal("80.00"))
    return client


def issued_bill(client, month=NOV):
    return bill_issue(bill=bill_generate(client=client, month=month, actor=None), actor=None)


def paid_bill(client):
    bill = issued_bill(client)
    payment_record(bill=bill, amount=bill.total, paid_on=PAID_ON, method="bank_transfer",
                   actor=None)
    return Bill.objects.get(pk=bill.pk)


# --- generate and issue -------------------------------------------------------------------

def test_finance_generates_the_draft_with_exact_totals_and_regenerating_keeps_its_id(
        two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    finance = as_staff(Role.FINANCE)

    response = finance.post("/api/v1/bills/generate/",
                            {"client": two_city_client.pk, "month": "2026-11"})

    assert response.status_code == 201
    body = response.json()
    bill = Bill.objects.get()
    assert {k: body[k] for k in ("id", "number", "client", "month", "status",
                                 "social_insurance", "housing_fund", "service_fee", "total",
                                 "paid", "outstanding", "line_count", "issued_at",
                                 "invoice_due_by", "payments", "invoices")} == {
        "id": bill.pk, "number": f"B202611-{bill.pk:06d}", "client": two_city_client.pk,
        "month": "2026-11", "status": "draft", "social_insurance": "3716.00",
        "housing_fund": "0.00", "service_fee": "80.00", "total": "3796.00", "paid": "0.00",
        "outstanding": "3796.00", "line_count": 1, "issued_at": None,
        "invoice_due_by": None, "payments": [], "invoices": []}

    again = finance.post("/api/v1/bills/generate/",
                         {"client": two_city_client.pk, "month": "2026-11"})

    assert again.status_code == 201
    assert (again.json()["id"], again.json()["total"]) == (bill.pk, "3796.00")
    assert Bill.objects.count() == 1


def test_issue_freezes_the_bill_and_generating_it_again_is_409_bill_issued(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    manager = as_staff(Role.MANAGER)
    bill_id = manager.post("/api/v1/bills/generate/",
                           {"client": two_city_client.pk, "month": "2026-11"}).json()["id"]

    issued = manager.post(f"/api/v1/bills/{bill_id}/issue/")

    assert issued.status_code == 200
    assert issued.json()["status"] == "issued"
    assert issued.json()["issued_at"] is not None
    again = manager.post("/api/v1/bills/generate/",
                         {"client": two_city_client.pk, "month": "2026-11"})
    assert again.status_code == 409
    assert again.json() == {"error": {
        "code": "bill_issued", "details": [],
        "message": "2026-11 的账单已出具，不能再改；更正请记入下月账单 / The bill of 2026-11 "
                   "is issued and frozen; corrections go on the next bill"}}
    assert error(manager.post(f"/api/v1/bills/{bill_id}/issue/")) == ("bill_issued", [])


def test_generate_names_the_bad_field_and_never_answers_500(two_city_client):
    admin = as_staff(Role.ADMIN)
    url = "/api/v1/bills/generate/"

    bad_month = admin.post(url, {"client": two_city_client.pk, "month": "2026-13"})
    unknown_client = admin.post(url, {"client": 999999, "month": "2026-11"})
    text_client = admin.post(url, {"client": "abc", "month": "2026-11"})
    nothing = admin.post(url, {})

    assert bad_month.status_code == unknown_client.status_code == text_client.status_code == 400
    assert error(bad_month) == ("validation_failed", [("month", "invalid")])
    assert error(unknown_client) == ("validation_failed", [("client", "not_found")])
    assert error(text_client) == ("validation_failed", [("client", "invalid")])
    assert error(nothing) == ("validation_failed", [("client", "required"),
                                                    ("month", "required")])
    assert Bill.objects.count() == 0


def test_only_billing_staff_generate_and_issue(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    draft = bill_generate(client=two_city_client, month=NOV, actor=None)
    body = {"client": two_city_client.pk, "month": "2026-11"}

    rep = as_staff(Role.SERVICE_REP)
    key = as_key(two_city_client)

    assert error(rep.post("/api/v1/bills/generate/", body)) == ("permission_denied", [])
    assert rep.post(f"/api/v1/bills/{draft.pk}/issue/").status_code == 403
    # a staff endpoint does not exist for a client caller
    assert key.post("/api/v1/bills/generate/", body).status_code == 404
    assert key.post(f"/api/v1/bills/{draft.pk}/issue/").status_code == 404
    assert Bill.objects.get().status == BillStatus.DRAFT


# --- reading: lists, isolation, lines -----------------------------------------------------

def test_a_client_lists_only_its_own_issued_bills_and_staff_see_all(two_city_client,
                                                                     other_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    enrol(other_client, "310000", name="乙", base="10000.00")
    mine = issued_bill(two_city_client)
    draft = bill_generate(client=two_city_client, month=DEC, actor=None)
    theirs = issued_bill(other_client)

    for caller in (as_key(two_city_client), as_portal(two_city_client, Role.CLIENT_VIEWER)):
        listed = caller.get("/api/v1/bills/").json()
        assert listed["count"] == 1
        row = listed["results"][0]
        assert {k: row[k] for k in ("id", "month", "status", "social_insurance",
                                    "housing_fund", "service_fee", "total")} == {
            "id": mine.pk, "month": "2026-11", "status": "issued",
            "social_insurance": "3716.00", "housing_fund": "0.00", "service_fee": "80.00",
            "total": "3796.00"}
        assert caller.get(f"/api/v1/bills/{mine.pk}/").status_code == 200
        for hidden in (theirs, draft):
            response = caller.get(f"/api/v1/bills/{hidden.pk}/")
            assert response.status_code == 404
            assert error(response) == ("not_found", [])
            assert caller.get(f"/api/v1/bills/{hidden.pk}/lines/").status_code == 404

    staff = as_staff(Role.SERVICE_REP)
    listed = [b["id"] for b in staff.get("/api/v1/bills/").json()["results"]]
    assert (listed[0], set(listed[1:])) == (draft.pk, {mine.pk, theirs.pk})  # newest first
    assert [b["id"] for b in staff.get("/api/v1/bills/?month=2026-12").json()["results"]] == [
        draft.pk]
    assert [b["id"] for b in staff.get(
        f"/api/v1/bills/?status=issued&client={other_client.pk}").json()["results"]] == [
        theirs.pk]


def test_list_filters_refuse_a_bad_month_or_status_naming_the_field(two_city_client):
    key = as_key(two_city_client)

    month = key.get("/api/v1/bills/?month=2026-13")
    status = key.get("/api/v1/bills/?status=lost")

    assert (month.status_code, status.status_code) == (400, 400)
    assert error(month) == ("validation_failed", [("month", "invalid")])
    assert error(status) == ("validation_failed", [("status", "invalid_choice")])


def test_lines_carry_the_quotes_figures_in_pages_without_a_query_per_line(
        two_city_client, django_assert_max_num_queries):
    person = enrol(two_city_client, "310000", name="甲", base="10000.00")
    for n in range(9):
        enrol(two_city_client, "310000", name=f"员工{n}", base="10000.00")
    bill = issued_bill(two_city_client)
    key = as_key(two_city_client)

    with django_assert_max_num_queries(6):
        page = key.get(f"/api/v1/bills/{bill.pk}/lines/?page_size=1000").json()

    assert page["count"] == 10
    by_person = {line["person"]: line for line in page["results"]}
    assert by_person[person.pk] == {
        "id": bill.lines.get(person=person).pk, "person": person.pk, "person_name": "甲",
        "id_number_masked": person.id_number_masked, "city": "310000",
        "line_type": "regular", "months": ["2026-11"],
        "items": [
            {"kind": "pension", "base": "10000.00", "employer": "1600.00", "employee": "800.00"},
            {"kind": "medical", "base": "10000.00", "employer": "900.00", "employee": "200.00"},
            {"kind": "maternity", "base": "10000.00", "employer": "100.00", "employee": "0.00"},
            {"kind": "unemployment", "base": "10000.00", "employer": "50.00",
             "employee": "50.00"},
            {"kind": "work_injury", "base": "10000.00", "employer": "16.00", "employee": "0.00"},
        ],
        "social_insurance": "3716.00", "housing_fund": "0.00", "service_fee": "80.00",
        "total": "3796.00", "description": ""}
    assert "*" in person.id_number_masked

    paged = key.get(f"/api/v1/bills/{bill.pk}/lines/?page_size=4&page=3").json()
    assert (paged["count"], len(paged["results"]), paged["next"]) == (10, 2, None)


# --- the client confirms or disputes ------------------------------------------------------

def test_the_clients_administrator_confirms_and_a_viewer_may_not(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = issued_bill(two_city_client)

    viewer = as_portal(two_city_client, Role.CLIENT_VIEWER).post(
        f"/api/v1/bills/{bill.pk}/confirm/")
    staff = as_staff(Role.MANAGER).post(f"/api/v1/bills/{bill.pk}/confirm/")
    confirmed = as_portal(two_city_client).post(f"/api/v1/bills/{bill.pk}/confirm/")

    assert (viewer.status_code, staff.status_code) == (403, 403)
    assert error(viewer) == ("permission_denied", [])
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert Bill.objects.get().confirmed_at is not None


def test_a_client_key_disputes_with_a_reason_and_without_one_is_400(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = issued_bill(two_city_client)
    key = as_key(two_city_client)

    without = key.post(f"/api/v1/bills/{bill.pk}/dispute/", {})
    blank = key.post(f"/api/v1/bills/{bill.pk}/dispute/", {"reason": "  "})
    viewer = as_portal(two_city_client, Role.CLIENT_VIEWER).post(
        f"/api/v1/bills/{bill.pk}/dispute/", {"reason": "人数不对"})
    disputed = key.post(f"/api/v1/bills/{bill.pk}/dispute/", {"reason": "甲已于10月离职"})

    assert (without.status_code, blank.status_code, viewer.status_code) == (400, 400, 403)
    assert error(without) == ("validation_failed", [("reason", "required")])
    assert error(blank) == ("validation_failed", [("reason", "blank")])
    assert disputed.status_code == 200
    assert (disputed.json()["status"], disputed.json()["dispute_reason"],
            disputed.json()["dispute_answer"]) == ("disputed", "甲已于10月离职", "")
    # a bill is disputed once, until staff answer it
    assert error(key.post(f"/api/v1/bills/{bill.pk}/dispute/", {"reason": "再议"})) == (
        "invalid_transition", [])


# --- payments -----------------------------------------------------------------------------

def test_finance_records_payments_and_an_over_payment_is_400_naming_amount(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = issued_bill(two_city_client)
    finance = as_staff(Role.FINANCE)
    url = f"/api/v1/bills/{bill.pk}/payments/"

    part = finance.post(url, {"amount": "1000.00", "paid_on": "2026-11-20",
                              "method": "bank_transfer", "reference": "HX001"})
    over = finance.post(url, {"amount": "2796.01", "paid_on": "2026-11-25",
                              "method": "bank_transfer"})

    assert part.status_code == 201
    payment = bill.payments.get()
    assert part.json() == {
        "id": payment.pk, "bill": bill.pk, "amount": "1000.00", "paid_on": "2026-11-20",
        "method": "bank_transfer", "reference": "HX001",
        "recorded_at": timezone.localtime(payment.recorded_at).isoformat()}
    assert over.status_code == 400
    assert over.json()["error"]["details"] == [{
        "field": "amount", "code": "overpayment",
        "message": "超出未付金额 2796.00 / More than the 2796.00 still owed"}]

    rest = finance.post(url, {"amount": "2796.00", "paid_on": "2026-11-25",
                              "method": "online"})
    assert rest.status_code == 201
    detail = finance.get(f"/api/v1/bills/{bill.pk}/").json()
    assert (detail["status"], detail["paid"], detail["outstanding"],
            detail["invoice_due_by"]) == ("paid", "3796.00", "0.00", "2026-12-09")
    assert [(p["amount"], p["method"]) for p in detail["payments"]] == [
        ("1000.00", "bank_transfer"), ("2796.00", "online")]


def test_bad_payments_are_400_naming_the_field_never_500(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = issued_bill(two_city_client)
    finance = as_staff(Role.FINANCE)
    url = f"/api/v1/bills/{bill.pk}/payments/"
    good = {"amount": "100.00", "paid_on": "2026-11-20", "method": "bank_transfer"}

    cases = {
        "abc": {**good, "amount": "abc"},
        "negative": {**good, "amount": "-5.00"},
        "zero": {**good, "amount": "0"},
        "date": {**good, "paid_on": "2026-11-31"},
        "future": {**good, "paid_on": "2099-01-01"},
        "method": {**good, "method": "bitcoin"},
        "missing": {},
    }
    answers = {name: finance.post(url, body) for name, body in cases.items()}

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(cases, 400)
    assert {name: error(r)[1] for name, r in answers.items()} == {
        "abc": [("amount", "invalid")],
        "negative": [("amount", "amount_invalid")],
        "zero": [("amount", "amount_invalid")],
        "date": [("paid_on", "invalid")],
        "future": [("paid_on", "date_invalid")],
        "method": [("method", "invalid_choice")],
        "missing": [("amount", "required"), ("paid_on", "required"), ("method", "required")],
    }
    assert bill.payments.count() == 0


def test_a_payment_on_a_draft_is_409_and_clients_cannot_record_one(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    draft = bill_generate(client=two_city_client, month=NOV, actor=None)
    body = {"amount": "100.00", "paid_on": "2026-11-20", "method": "bank_transfer"}

    on_draft = as_staff(Role.FINANCE).post(f"/api/v1/bills/{draft.pk}/payments/", body)
    by_client = as_key(two_city_client).post(f"/api/v1/bills/{draft.pk}/payments/", body)

    assert (on_draft.status_code, error(on_draft)[0]) == (409, "invalid_transition")
    assert by_client.status_code == 404


# --- invoices -----------------------------------------------------------------------------

def test_an_invoice_of_a_paid_bill_taxes_only_the_service_fee(two_city_client, seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = paid_bill(two_city_client)
    today = timezone.localdate()

    response = as_staff(Role.FINANCE).post(f"/api/v1/bills/{bill.pk}/invoice/")

    assert response.status_code == 201
    body = response.json()
    invoice = bill.invoices.get()
    # 80.00 tax included at 6 %: 80 × 0.06 / 1.06 = 4.528… → 4.53
    assert body == {
        "id": invoice.pk, "number": f"{today.year}00000001", "bill": bill.pk,
        "bill_number": bill.number, "kind": "ordinary", "issued_on": today.isoformat(),
        "due_by": "2026-12-09", "amount": "3796.00", "tax": "4.53",
        "buyer_name": two_city_client.name, "buyer_uscc": two_city_client.uscc,
        "seller_name": "上海安信人力资源服务有限公司", "seller_uscc": "91310000MA1FL8XQ30",
        "tax_platform_number": "",
        "items": [
            {"name": "代缴社会保险费", "amount": "3716.00", "tax_rate": "0.0000",
             "tax": "0.00", "taxable": False},
            {"name": "服务费", "amount": "80.00", "tax_rate": "0.0600", "tax": "4.53",
             "taxable": True},
        ],
        "related": []}
    assert (Decimal("80.00") * Decimal("0.06") / Decimal("1.06")).quantize(
        Decimal("0.01")) == Decimal("4.53")

    key = as_key(two_city_client)
    assert [i["id"] for i in key.get("/api/v1/invoices/").json()["results"]] == [invoice.pk]
    listed = key.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert listed == {k: v for k, v in body.items() if k != "related"}
    assert key.get(f"/api/v1/bills/{bill.pk}/").json()["invoices"] == [
        {"id": invoice.pk, "number": invoice.number, "kind": "ordinary"}]
    again = as_staff(Role.FINANCE).post(f"/api/v1/bills/{bill.pk}/invoice/")
    assert (again.status_code, error(again)[0]) == (409, "invoice_issued")


def test_a_special_vat_invoice_comes_with_its_ordinary_one_in_related(two_city_client, seller):
    InvoiceTitle.objects.create(client=two_city_client, buyer_name=two_city_client.name,
                                buyer_uscc=two_city_client.uscc,
                                kind=InvoiceTitle.Kind.SPECIAL)
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = paid_bill(two_city_client)
    year = timezone.localdate().year

    body = as_staff(Role.FINANCE).post(f"/api/v1/bills/{bill.pk}/invoice/").json()

    assert (body["number"], body["kind"], body["amount"], body["tax"], body["related"]) == (
        f"{year}00000001", "special", "80.00", "4.53", [f"{year}00000002"])
    assert [i["name"] for i in body["items"]] == ["服务费"]


def test_invoicing_before_payment_is_409_bill_not_paid(two_city_client, seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = issued_bill(two_city_client)

    response = as_staff(Role.FINANCE).post(f"/api/v1/bills/{bill.pk}/invoice/")

    assert response.status_code == 409
    assert response.json() == {"error": {
        "code": "bill_not_paid", "details": [],
        "message": "账单付清后方可开票 / Invoice a bill once it is paid in full"}}


def test_clients_see_only_their_own_invoices(two_city_client, other_client, seller,
                                             django_assert_max_num_queries):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    enrol(other_client, "310000", name="乙", base="10000.00")
    finance = as_staff(Role.FINANCE)
    mine = finance.post(f"/api/v1/bills/{paid_bill(two_city_client).pk}/invoice/").json()
    theirs = finance.post(f"/api/v1/bills/{paid_bill(other_client).pk}/invoice/").json()

    for caller in (as_key(two_city_client), as_portal(two_city_client, Role.CLIENT_VIEWER)):
        assert [i["id"] for i in caller.get("/api/v1/invoices/").json()["results"]] == [
            mine["id"]]
        assert caller.get(f"/api/v1/invoices/{theirs['id']}/").status_code == 404
    with django_assert_max_num_queries(3):  # count, invoices with their bills, items
        listed = finance.get("/api/v1/invoices/").json()["results"]
    assert {i["id"] for i in listed} == {mine["id"], theirs["id"]}
    with django_assert_max_num_queries(2):  # count, bills with their clients
        assert len(finance.get("/api/v1/bills/").json()["results"]) == 2
    assert error(finance.get("/api/v1/invoices/?month=13")) == (
        "validation_failed", [("month", "invalid")])


# --- isolation ----------------------------------------------------------------------------

BILL_URLS = [
    ("get", "/api/v1/bills/{bill}/"),
    ("get", "/api/v1/bills/{bill}/lines/"),
    ("post", "/api/v1/bills/{bill}/confirm/"),
    ("post", "/api/v1/bills/{bill}/dispute/"),
    ("post", "/api/v1/bills/{bill}/issue/"),
    ("post", "/api/v1/bills/{bill}/payments/"),
    ("post", "/api/v1/bills/{bill}/invoice/"),
]


@pytest.mark.parametrize("caller", ["portal_user", "api_key"])
@pytest.mark.parametrize(("method", "path"), BILL_URLS)
def test_another_clients_bill_answers_404_to_a_client_caller(two_city_client, other_client,
                                                             caller, method, path):
    enrol(other_client, "310000", name="乙", base="10000.00")
    theirs = issued_bill(other_client)
    api = as_portal(two_city_client) if caller == "portal_user" else as_key(two_city_client)

    response = getattr(api, method)(path.format(bill=theirs.pk), {"reason": "x"})

    assert response.status_code == 404
    assert error(response) == ("not_found", [])
    assert Bill.objects.get().status == BillStatus.ISSUED


# --- files --------------------------------------------------------------------------------

def test_a_client_downloads_its_bill_as_pdf_and_workbook_and_each_download_is_audited(
        two_city_client):
    person = enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = issued_bill(two_city_client)
    api_key, key = api_key_issue(client=two_city_client, name="HR system",
                                 actor=UserFactory(role=Role.ADMIN))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    pdf = api.get(f"/api/v1/bills/{bill.pk}/pdf/")
    xlsx = api.get(f"/api/v1/bills/{bill.pk}/xlsx/")

    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf["Content-Disposition"] == f'inline; filename="{bill.number}.pdf"'
    assert pdf["Cache-Control"] == "private, no-store"
    text = pdf_text(pdf.content)
    assert person.id_number_masked in text and "3796.00" in text
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="{bill.number}.xlsx"'
    sheets = load_workbook(io.BytesIO(xlsx.content)).worksheets
    assert any(cell == person.id_number_masked for sheet in sheets
               for row in sheet.iter_rows(values_only=True) for cell in row)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).order_by("pk")
    assert [(e.target_type, e.target_id, e.client_id_ref, e.actor_id, e.detail)
            for e in events] == [
        ("billing.bill", str(bill.pk), two_city_client.pk, None,
         {"file": "bill_pdf", "name": f"{bill.number}.pdf", "api_key": api_key.pk}),
        ("billing.bill", str(bill.pk), two_city_client.pk, None,
         {"file": "bill_xlsx", "name": f"{bill.number}.xlsx", "api_key": api_key.pk}),
    ]


def test_the_invoice_pdf_is_the_clients_own_and_audited(two_city_client, other_client,
                                                        seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    enrol(other_client, "310000", name="乙", base="10000.00")
    [mine] = invoice_issue(bill=paid_bill(two_city_client), actor=None)
    [theirs] = invoice_issue(bill=paid_bill(other_client), actor=None)
    user = UserFactory(role=Role.CLIENT_VIEWER, client=two_city_client)
    portal = as_user(user)

    response = portal.get(f"/api/v1/invoices/{mine.pk}/pdf/")

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert mine.number in pdf_text(response.content)
    assert portal.get(f"/api/v1/invoices/{theirs.pk}/pdf/").status_code == 404
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.target_type, event.target_id, event.actor_id, event.detail) == (
        "billing.invoice", str(mine.pk), user.pk,
        {"file": "invoice_pdf", "name": f"invoice-{mine.number}.pdf", "api_key": None})


@pytest.mark.parametrize("path", ["/api/v1/bills/{bill}/pdf/", "/api/v1/bills/{bill}/xlsx/"])
def test_another_clients_bill_file_or_a_draft_answers_404_and_is_not_audited(
        two_city_client, other_client, path):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    enrol(other_client, "310000", name="乙", base="10000.00")
    draft = bill_generate(client=two_city_client, month=NOV, actor=None)
    theirs = issued_bill(other_client)

    for caller in (as_key(two_city_client), as_portal(two_city_client)):
        for hidden in (draft, theirs):
            response = caller.get(path.format(bill=hidden.pk))
            assert response.status_code == 404
            assert error(response) == ("not_found", [])
    assert as_staff(Role.SERVICE_REP).get(path.format(bill=draft.pk)).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count() == 1


def test_finance_adjusts_a_draft_and_the_lines_show_the_manual_line(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)
    finance = as_staff(Role.FINANCE)
    url = f"/api/v1/bills/{bill.pk}/adjustments/"

    bad = finance.post(url, {"part": "pension", "amount": "abc", "description": ""})
    assert bad.status_code == 400
    assert sorted(f for f, _c in error(bad)[1]) == ["amount", "description", "part"]
    made = finance.post(url, {"part": "service_fee", "amount": "-80.00",
                              "description": "首月服务费减免"})
    assert made.status_code == 201
    assert (made.json()["service_fee"], made.json()["total"]) == ("0.00", "3716.00")
    lines = finance.get(f"/api/v1/bills/{bill.pk}/lines/").json()["results"]
    manual = [line for line in lines if line["line_type"] == "manual"]
    assert [(m["person"], m["months"], m["service_fee"], m["total"]) for m in manual] == [
        (None, ["2026-11"], "-80.00", "-80.00")]
    assert as_portal(two_city_client).post(url, {"part": "service_fee", "amount": "1.00",
                                                  "description": "x"}).status_code == 404
