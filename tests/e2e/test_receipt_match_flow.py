"""Finance confirms a proposed receipt match: a bank receipt whose reference names last
month's bill is proposed for it (imported and matched through the services); finance
ticks the proposal in the match queue, confirms, and the bill shows paid (issue 16)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.deadlines import add_months
from agency.roles import Role
from billing.models import BillStatus, Receipt, ReceiptStatus
from billing.money_services import statement_import
from billing.services import bill_generate, bill_issue
from enrollment.models import Scheme
from enrollment.persons.enrollment_services import enrollment_open
from policies.models import City
from tests.billing.test_money_services import icbc
from tests.e2e.steps import go, log_in
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_finance_confirms_a_proposed_match_and_the_bill_is_paid(live_server, page, shots,
                                                                company, policies):
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    enrollment_open(person=InsuredPersonFactory(name="张伟"), client=company,
                    city=City.objects.get(code="310000"), scheme=Scheme.SOCIAL_INSURANCE,
                    starts_on=last_month, actor=None, base=Decimal("10000.00"))
    bill = bill_issue(bill=bill_generate(client=company, month=last_month, actor=None),
                      actor=None)
    statement_import(data=icbc([timezone.localdate() - datetime.timedelta(days=1),
                                company.name, "6222020200112233", f"{bill.total}", None,
                                f"社保费 {bill.number}", "S0001"]),
                     file_name="工行流水.xlsx", actor=None)
    receipt = Receipt.objects.get()
    assert receipt.status == ReceiptStatus.PROPOSED
    finance = UserFactory(role=Role.FINANCE)

    log_in(page, live_server, finance, face="staff")
    go(page, "账单")
    page.get_by_role("navigation", name="账单").get_by_role("link", name="认款与往来").click()
    expect(page.get_by_test_id("proposed-count")).to_have_text("1")
    row = page.get_by_test_id("receipt-row").filter(has_text=bill.number)
    expect(row).to_contain_text("建议匹配")
    expect(row.get_by_test_id("proposed-client")).to_have_text(company.name)
    shots("match-queue")

    row.get_by_role("checkbox", name="确认").check()
    page.get_by_role("button", name="确认勾选的建议").click()
    expect(page.get_by_text("已确认 1 笔到账。")).to_be_visible()
    expect(page.get_by_test_id("proposed-count")).to_have_text("0")
    shots("match-confirmed")

    go(page, "账单")
    bill_row = page.get_by_test_id("bill-row").filter(has_text=bill.number)
    expect(bill_row).to_contain_text("已付清")
    bill_row.get_by_role("link", name=bill.number).click()
    page.wait_for_url(f"{live_server.url}/staff/billing/bills/{bill.pk}/")
    expect(page.get_by_test_id("bill-status")).to_have_text("已付清")
    shots("bill-paid")
    bill.refresh_from_db()
    receipt.refresh_from_db()
    assert (bill.status, bill.paid, receipt.status, receipt.client_id) == (
        BillStatus.PAID, bill.total, ReceiptStatus.MATCHED, company.pk)
