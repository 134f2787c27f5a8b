"""The demo money (`billing.money_demo.seed`, called after the demo bills) and the money
models in the back-office."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from agency.roles import Role
from billing.models import (
    Allocation,
    BankStatement,
    Bill,
    BillStatus,
    PayerAccount,
    Receipt,
    Refund,
)
from billing.money_demo import seed
from billing.money_services import receipt_confirm
from tests.billing.test_money_services import make_nov_bill, receipt_from
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_statement_fills_the_money_pages_once():
    call_command("seed_demo")
    today = timezone.localdate()

    seed(today)
    seed(today)

    statement = BankStatement.objects.get()
    assert (statement.rows, statement.receipts_added, statement.duplicates) == (5, 4, 0)
    receipts = {r.payer_name: r for r in Receipt.objects.select_related("client")}
    assert {name: (r.status, r.proposal.get("rule")) for name, r in receipts.items()} == {
        "北京华泰精密制造有限公司": ("matched", "bill_number"),
        "前海云帆供应链管理有限公司": ("proposed", "payer_account"),
        "上海启明信息技术有限公司": ("matched", "payer_name"),
        "王建国": ("unmatched", None),
    }
    huatai = Bill.objects.get(client__name="北京华泰精密制造有限公司")
    assert (huatai.status, huatai.outstanding) == (BillStatus.PAID, Decimal("0.00"))
    assert list(Allocation.objects.filter(bill__isnull=True).values_list("amount", flat=True)) \
        == [Decimal("20000.00")]
    assert list(Refund.objects.values_list("amount", "status")) == [
        (Decimal("5000.00"), "requested")]
    assert PayerAccount.objects.filter(client__name="深圳前海云帆物流有限公司").count() == 1


@pytest.fixture
def admin_client(client):
    user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_receipts_are_shown_in_the_back_office_and_payer_accounts_kept_there(
        admin_client, two_city_client):
    bill = make_nov_bill(two_city_client)
    receipt = receipt_confirm(receipt=receipt_from("5000.00", payer="张三",
                                                   reference=bill.number, serial="S1"),
                              actor=None)

    pages = [admin_client.get(url).status_code for url in (
        "/admin/billing/bankstatement/", "/admin/billing/receipt/",
        f"/admin/billing/receipt/{receipt.pk}/change/", "/admin/billing/allocation/",
        "/admin/billing/refund/", "/admin/billing/payeraccount/",
        f"/admin/billing/receipt/{receipt.pk}/history/")]
    change = admin_client.get(f"/admin/billing/receipt/{receipt.pk}/change/").content.decode()
    added = admin_client.post("/admin/billing/payeraccount/add/", {
        "client": two_city_client.pk, "name": "启明集团财务有限公司",
        "account": "6222000011112222"})

    assert pages == [200] * 7
    assert 'name="_save"' not in change
    assert "1204.00" in change  # the credit kept, in the allocations shown
    assert added.status_code == 302
    payer = PayerAccount.objects.get(account="6222000011112222")
    assert list(payer.history.values_list("history_type", flat=True)) == ["+"]
