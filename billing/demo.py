"""Demo billing: the agency's tax details, each demo client's invoicing details, and last
month's bill of every demo client, issued, so a new user sees real billing pages at once:
one paid and invoiced, one confirmed and paid in part, one disputed, one confirmed.
Idempotent: a client whose bill of that month is already issued is left as it is."""

import datetime
from decimal import Decimal

from django.utils import timezone

from agency.deadlines import add_months, month_start
from billing import money_demo, reconciliation_demo
from billing.generation import month_end
from billing.models import AgencyEntity, Bill, BillStatus, InvoiceTitle, VatMethod
from billing.services import (
    bill_confirm,
    bill_dispute,
    bill_generate,
    bill_issue,
    billable_clients,
    invoice_issue,
    payment_record,
)
from clients.demo import CLIENTS
from clients.models import Client
from enrollment.persons.enrollment_services import enrollments_mark_billed
from enrollment.persons.selectors import billable_enrollments

SELLER = {
    "name": "上海安信人力资源服务有限公司", "uscc": "91310101MA1FPX1X3U",
    "address": "上海市黄浦区延安东路100号8楼", "phone": "021-63210000",
    "bank": "招商银行上海分行营业部", "bank_account": "121900000010101",
    "vat_method": VatMethod.DIFFERENCE,
}


def _earlier_months_billed(client: Client, month: datetime.date) -> None:
    """The months before `month` were billed before the portal (in the agency's earlier
    system): mark them so the demo bill holds the month itself, not two years of 补缴."""
    before = month_end(add_months(month, -1))
    through: dict[int, datetime.date | None] = {}
    for e in billable_enrollments(client_ids=[client.pk], month=month):
        first = e.first_billed_month or (month_start(e.starts_on) if e.starts_on else month)
        if e.billed_through is None and first < month:
            through[e.pk] = before
    enrollments_mark_billed(through=through)


def seed(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    month = add_months(month_start(today), -1)
    if not AgencyEntity.objects.exists():
        AgencyEntity.objects.create(**SELLER)
    clients = [Client.objects.get(name=entry.name) for entry in CLIENTS]
    for n, client in enumerate(clients):
        InvoiceTitle.objects.get_or_create(client=client, defaults={
            "buyer_name": client.name, "buyer_uscc": client.uscc,
            "address": client.office_address, "phone": f"021-5000{n + 1:04d}",
            "bank": "中国工商银行", "bank_account": f"100120000{n + 1:07d}",
            "kind": InvoiceTitle.Kind.SPECIAL if n == 1 else InvoiceTitle.Kind.ORDINARY,
        })
    paid_on = today  # the bills are issued today too: paid on the day
    billable = set(billable_clients(month=month))
    for n, client in enumerate(c for c in clients if c in billable):  # in the demo's order
        if Bill.objects.filter(client=client, month=month).exclude(
                status__in=[BillStatus.DRAFT, BillStatus.VOID]).exists():
            continue
        _earlier_months_billed(client, month)
        bill = bill_issue(bill=bill_generate(client=client, month=month, actor=None),
                          actor=None)
        if n == 0:  # paid and invoiced
            payment_record(bill=bill, amount=bill.total, paid_on=paid_on,
                           method="bank_transfer", reference="DEMO-HX-0001", actor=None)
            bill.refresh_from_db()
            invoice_issue(bill=bill, actor=None, issued_on=today)
        elif n == 1:  # confirmed and paid in part
            bill_confirm(bill=bill, actor=None)
            part = (bill.total / 2).quantize(Decimal("0.01"))
            payment_record(bill=bill, amount=part, paid_on=paid_on, method="bank_transfer",
                           reference="DEMO-HX-0002", actor=None)
        elif n == 2:
            bill_dispute(bill=bill, reason="两名员工已于上月离职，请核对减员后重新出账",
                         actor=None)
        else:  # confirmed, not paid yet
            bill_confirm(bill=bill, actor=None)
    money_demo.seed(today)
    reconciliation_demo.seed(today)
