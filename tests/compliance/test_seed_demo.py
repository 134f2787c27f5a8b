"""seed_demo is deterministic and idempotent."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from agency.deadlines import add_months, month_start
from agency.models import User
from archive.models import ArchiveItem, FilingBatch
from archive.selectors import loans_overdue, overdue_unfiled
from clients.models import Client
from compliance.models import Complaint, Inquiry, Reminder
from compliance.watch import watch_findings
from enrollment.models import Case, Enrollment
from enrollment.persons.id_numbers import id_check_char

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo")
    first = (User.objects.count(), Client.objects.count(), Enrollment.objects.count(),
             ArchiveItem.objects.count(), Inquiry.objects.count(), Reminder.objects.count())

    call_command("seed_demo")

    assert (User.objects.count(), Client.objects.count(), Enrollment.objects.count(),
            ArchiveItem.objects.count(), Inquiry.objects.count(),
            Reminder.objects.count()) == first
    assert first[:3] == (15, 4, 726)  # 542 social insurance + 181 housing fund + 3 from orders
    # the archive to work in: a month closed, an older call unfiled, a lent original overdue
    today = timezone.localdate()
    assert [i.title for i in overdue_unfiled(today=today)] == [
        f"{add_months(month_start(today), -2):%Y-%m}-20 电话（来） · 询问外地员工参保"]
    assert [(b.month, b.is_closed) for b in FilingBatch.objects.order_by("month")][:2] == [
        (add_months(month_start(today), -3), True), (add_months(month_start(today), -2), False)]
    assert [loan.borrower for loan in loans_overdue(today=today)] == ["财务部 王会计"]
    assert ArchiveItem.objects.filter(kind="agreement", file="").count() == 1  # the paper one
    # the service side, so the dashboard a new user opens is full (STD-6.2, 7.3, 7.4, 3.5.1)
    found = {(f.rule, f.stage, f.subject_key.split(":")[0])
             for f in watch_findings(now=timezone.now())}
    assert {("inquiry_response", "breached", "inquiry"), ("inquiry_response", "due_soon",
            "inquiry"), ("revisit", "overdue", "client"), ("training_gap", "gap", "training"),
            ("archive_filing", "overdue", "archive"), ("case_handling", "breached", "case")
            } <= found
    # insurance cases of several types, the work injury past its 48 hours (STD-4.1, 6.3)
    assert sorted(Case.objects.values_list("type", flat=True)) == [
        "maternity", "medical_reimbursement", "transfer_in", "work_injury"]
    assert sorted(Inquiry.objects.values_list("status", flat=True)) == [
        "closed", "open", "open", "open"]
    assert [(c.status, c.actions.count()) for c in Complaint.objects.all()] == [("action", 1)]
    assert Reminder.objects.filter(rule="inquiry_response", stage="breached").exists()


def test_seed_demo_has_last_months_issued_bill_for_every_contracted_client_one_invoiced():
    from decimal import Decimal

    from django.utils import timezone

    from agency.deadlines import add_months, month_start
    from billing.models import Bill, BillLine, Invoice

    call_command("seed_demo")
    call_command("seed_demo")
    last_month = add_months(month_start(timezone.localdate()), -1)
    bills = Bill.objects.filter(month=last_month).select_related("client").order_by("pk")
    assert [(b.client.name, b.status, b.line_count) for b in bills] == [
        # 华泰 paid half on the bill page, the rest by the demo bank statement's receipt
        ("上海启明信息技术有限公司", "paid", 320), ("北京华泰精密制造有限公司", "paid", 150),
        ("深圳前海云帆物流有限公司", "disputed", 60), ("杭州西溪餐饮管理有限公司", "confirmed", 12)]
    assert Bill.objects.count() == 4
    for bill in bills:  # totals are the sum of the lines, to the cent
        lines = BillLine.objects.filter(bill=bill)
        assert bill.total == sum(line.total for line in lines)
        assert {line.line_type for line in lines} == {"regular"}
    paid = bills[0]
    assert paid.paid == paid.total and paid.invoice_due_by > paid.paid_on
    invoice = Invoice.objects.get()
    assert (invoice.bill_id, invoice.amount) == (paid.pk, paid.total)
    assert [i.name for i in invoice.items.all()] == ["代缴社会保险费", "代缴住房公积金费", "服务费"]
    from billing.models import Receipt, ReconciliationRun

    assert Receipt.objects.filter(status="unmatched").count() >= 1
    [run] = ReconciliationRun.objects.all()
    assert (run.city.code, run.month, run.differences_found) == ("310000", last_month, 4)
    assert sorted(run.differences.values_list("kind", flat=True)) == [
        "base", "not_billed", "not_charged", "rounding"]
    assert [p.amount for p in bills[1].payments.order_by("pk")] == [
        (bills[1].total / 2).quantize(Decimal("0.01")),
        bills[1].total - (bills[1].total / 2).quantize(Decimal("0.01"))]


def test_seed_demo_covers_tiers_contracts_reps_and_qualifications():
    import datetime

    from django.utils import timezone

    from agency.models import Licence
    from agency.qualifications import unqualified_reasons
    from agency.viewer import Viewer
    from clients.models import Contract, size_tier
    from clients.selectors import client_with_headcount_list, rep_load_list

    call_command("seed_demo")
    call_command("seed_demo")
    viewer = Viewer.of(User.objects.get(username="manager"))
    today = timezone.localdate()

    clients = client_with_headcount_list(viewer=viewer)
    assert sorted((c.headcount, size_tier(c.headcount).value) for c in clients) == [
        (12, "small"), (60, "small"), (150, "medium"), (320, "large")]
    assert all(c.contracts.filter(prices__isnull=False).exists() for c in clients)
    assert all(unqualified_reasons(c.service_rep.staff_profile, today=today) == []
               for c in clients)
    assert max(r.load for r in rep_load_list(viewer=viewer)) <= 500
    assert Contract.objects.filter(
        status="active", ends_on__lte=today + datetime.timedelta(days=30)).count() == 1
    unqualified = [u.username for u in User.objects.filter(staff_profile__isnull=False)
                   if unqualified_reasons(u.staff_profile, today=today)]
    assert unqualified == ["rep3"]
    assert set(Licence.objects.values_list("kind", flat=True)) == {
        "hr_service", "labour_dispatch"}


def test_demo_id_numbers_carry_a_valid_check_digit():
    from enrollment.demo import demo_person

    people = [demo_person(n, "310115") for n in range(200)]

    assert all(p.id_number[17] == id_check_char(p.id_number[:17]) for p in people)
    assert len({p.id_number for p in people}) == 200
    assert demo_person(0, "310115").id_number == "310115197001011006"


def test_seed_demo_has_roster_lines_in_every_status_and_keeps_headcounts():
    from agency.viewer import Viewer
    from clients.selectors import client_with_headcount_list
    from enrollment.models import LineStatus, RosterLine

    call_command("seed_demo")
    call_command("seed_demo")

    statuses = set(RosterLine.objects.values_list("status", flat=True))
    assert statuses == set(LineStatus.values)
    assert RosterLine.objects.count() == 10
    viewer = Viewer.of(User.objects.get(username="manager"))
    assert sorted(c.headcount for c in client_with_headcount_list(viewer=viewer)) == [
        12, 60, 150, 320]
