"""Billing in the back-office: the agency's tax details are kept there; bills, payments,
invoices and the number series are shown, never changed (the services write them)."""

import datetime

import pytest

from agency.roles import Role
from billing.models import AgencyEntity, Bill, BillStatus, Invoice, InvoiceSequence
from billing.services import bill_generate, bill_issue, invoice_issue, payment_record
from tests.billing.conftest import NOV, enrol
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def invoiced(two_city_client, seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None),
                      actor=None)
    payment_record(bill=bill, amount=bill.total, paid_on=datetime.date(2026, 11, 25),
                   method="bank_transfer", actor=None)
    invoice_issue(bill=bill, actor=None)
    return Bill.objects.get(pk=bill.pk)


def test_the_agencys_tax_details_are_entered_in_the_back_office_with_history(admin_client):
    response = admin_client.post("/admin/billing/agencyentity/add/", {
        "name": "上海安信人力资源服务有限公司", "uscc": "91310000MA1FL8XQ30",
        "address": "", "phone": "", "bank": "", "bank_account": "",
        "vat_method": "general"})

    assert response.status_code == 302
    entity = AgencyEntity.objects.get()
    assert list(entity.history.values_list("history_type", "history_user")) == [
        ("+", admin_client.user.pk)]


def test_an_issued_bill_is_shown_with_its_lines_and_payments_and_cannot_be_changed(
        admin_client, invoiced):
    url = f"/admin/billing/bill/{invoiced.pk}/change/"

    page = admin_client.get(url)
    post = admin_client.post(url, {"status": "draft", "total": "0.00"})

    assert page.status_code == 200
    html = page.content.decode()
    assert invoiced.number in html
    assert "甲" in html  # the line's person
    assert "3796.00" in html
    assert 'name="_save"' not in html
    assert post.status_code == 403
    assert admin_client.get("/admin/billing/bill/add/").status_code == 403
    assert admin_client.post(f"/admin/billing/bill/{invoiced.pk}/delete/",
                             {"post": "yes"}).status_code == 403
    bill = Bill.objects.get()
    assert (bill.status, str(bill.total)) == (BillStatus.PAID, "3796.00")
    assert admin_client.get("/admin/billing/bill/").status_code == 200


def test_an_invoice_and_the_number_series_are_shown_never_changed(admin_client, invoiced):
    invoice = Invoice.objects.get()
    url = f"/admin/billing/invoice/{invoice.pk}/change/"

    page = admin_client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "代缴社会保险费" in html and "服务费" in html
    assert 'name="_save"' not in html
    assert admin_client.post(url, {"amount": "1.00"}).status_code == 403
    assert admin_client.get("/admin/billing/invoice/").status_code == 200
    sequence = InvoiceSequence.objects.get()
    assert admin_client.get("/admin/billing/invoicesequence/").status_code == 200
    assert admin_client.post(f"/admin/billing/invoicesequence/{sequence.pk}/change/",
                             {"year": sequence.year, "last": 0}).status_code == 403
    assert admin_client.get("/admin/billing/invoicesequence/add/").status_code == 403
    assert InvoiceSequence.objects.get().last == 1


def test_a_clients_invoicing_details_are_kept_in_the_back_office(admin_client,
                                                                 two_city_client):
    response = admin_client.post("/admin/billing/invoicetitle/add/", {
        "client": two_city_client.pk, "buyer_name": two_city_client.name,
        "buyer_uscc": two_city_client.uscc, "address": "", "phone": "", "bank": "",
        "bank_account": "", "kind": "special", "email": "finance@example.com"})

    assert response.status_code == 302
    assert two_city_client.invoice_title.kind == "special"
