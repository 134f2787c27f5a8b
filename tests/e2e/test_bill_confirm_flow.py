"""A client sees this month's bill on the portal's dashboard, checks and confirms it and,
once it is paid and invoiced, downloads its invoice (issue 16). The bill, the payment and
the invoice are made through the billing services, as the agency's staff would; the
client's steps are the browser's."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.roles import Role
from billing.models import AgencyEntity, Bill, BillStatus, VatMethod
from billing.services import bill_generate, bill_issue, invoice_issue, payment_record
from enrollment.models import Scheme
from enrollment.persons.enrollment_services import enrollment_open
from policies.models import City
from tests.e2e.steps import PdfCatcher, log_in
from tests.factories import InsuredPersonFactory, UserFactory
from tests.pdf_utils import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_client_confirms_this_months_bill_and_downloads_its_invoice(
        live_server, page, shots, company, policies):
    AgencyEntity.objects.create(
        name="上海安信人力资源服务有限公司", uscc="91310000MA1FL8XQ30",
        address="上海市黄浦区中山东一路1号", phone="021-63210000", bank="招商银行上海分行",
        bank_account="121900000010101", vat_method=VatMethod.GENERAL)
    month = timezone.localdate().replace(day=1)
    enrollment_open(person=InsuredPersonFactory(name="张伟"), client=company,
                    city=City.objects.get(code="310000"), scheme=Scheme.SOCIAL_INSURANCE,
                    starts_on=month, actor=None, base=Decimal("10000.00"))
    bill = bill_issue(bill=bill_generate(client=company, month=month, actor=None), actor=None)
    hr = UserFactory(role=Role.CLIENT_ADMIN, client=company)

    log_in(page, live_server, hr, face="portal")
    card = page.get_by_test_id("card-this-month-bill")  # the dashboard's "this month's bill"
    expect(card).to_contain_text(f"{month:%Y-%m}")
    expect(card.get_by_test_id("this-month-bill-status")).to_have_text("已出具")
    shots("dashboard-this-months-bill")

    card.get_by_test_id("this-month-bill-link").click()
    page.wait_for_url(f"{live_server.url}/portal/billing/bills/{bill.pk}/")
    expect(page.get_by_test_id("bill-status")).to_have_text("已出具")
    expect(page.get_by_test_id("bill-lines")).to_contain_text("张伟")
    shots("bill-issued")
    page.get_by_role("button", name="确认账单").click()
    expect(page.get_by_test_id("bill-status")).to_have_text("已确认")
    shots("bill-confirmed")
    bill.refresh_from_db()
    assert (bill.status, bill.confirmed_at is not None) == (BillStatus.CONFIRMED, True)

    # the agency receives the money and invoices the bill
    payment_record(bill=bill, amount=bill.total, paid_on=timezone.localdate(),
                   method="bank_transfer", actor=None)
    [invoice] = invoice_issue(bill=Bill.objects.get(pk=bill.pk), actor=None)

    page.reload()
    expect(page.get_by_test_id("bill-status")).to_have_text("已付清")
    invoice_row = page.get_by_test_id("invoice-row").filter(has_text=invoice.number)
    expect(invoice_row).to_contain_text(f"{invoice.amount}")
    shots("bill-paid-invoiced")
    invoices = PdfCatcher(page, "**/invoices/*/pdf/")
    invoice_row.get_by_role("link", name="PDF").click()
    page.wait_for_url(f"{live_server.url}/portal/billing/invoices/{invoice.pk}/pdf/")
    [pdf] = invoices.pdfs

    assert pdf[:5] == b"%PDF-"
    text = pdf_text(pdf)
    assert invoice.number in text
    assert company.name in text
    assert "上海安信人力资源服务有限公司" in text
    page.wait_for_timeout(500)  # the viewer draws the page
    shots("invoice-pdf")
