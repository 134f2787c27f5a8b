"""The watch's rules at their boundaries, each at an exact instant (Asia/Shanghai): what is
due soon, what is breached, which lead time of an expiry is reached."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agency.models import Licence, WorkdayOverride
from agency.roles import Role
from billing.models import Bill, BillStatus
from clients.models import Contract
from compliance.findings import Finding
from compliance.models import Complaint, CorrectiveAction, Inquiry
from compliance.watch import (
    RULES,
    archive_filing,
    complaint_handling,
    contract_expiry,
    corrective_action,
    inquiry_response,
    invoice_due,
    lead_stage,
    licence_expiry,
    line_handling,
    rep_overload,
    staff_certificate_expiry,
    watch_findings,
    workday_calendar,
)
from enrollment.models import InsuredPerson, LineStatus, RosterLine, RosterOrder
from tests.archive.factories import store
from tests.clients.factories import (
    ContractFactory,
    LicenceFactory,
    StaffProfileFactory,
    enrol_many,
)
from tests.factories import CityFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=SH)
SECOND = datetime.timedelta(seconds=1)
HOUR = datetime.timedelta(hours=1)


def at(y, m, d, h=10, mi=0, s=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, mi, s, tzinfo=SH)


def brief(findings):
    """(rule, subject, stage, owner, escalate) of each finding."""
    return [(f.rule, f.subject_key, f.stage, f.owner_id, f.escalate) for f in findings]


@pytest.fixture
def rep():
    return UserFactory(role=Role.SERVICE_REP)


@pytest.fixture
def client_of_rep(rep):
    return ClientFactory(name="上海启明信息技术有限公司", service_rep=rep)


def inquiry(client, **kw):
    fields = {"subject": "社保基数怎么调整", "body": "请问", "channel": "portal",
              "received_at": RECEIVED, "respond_by": RECEIVED + 12 * HOUR}
    fields.update(kw)
    return Inquiry.objects.create(client=client, **fields)


def complaint(client, **kw):
    fields = {"subject": "增员办理太慢", "body": "两天还没办好", "channel": "phone",
              "received_at": RECEIVED, "handle_by": RECEIVED + 48 * HOUR}
    fields.update(kw)
    return Complaint.objects.create(client=client, **fields)


def roster_line(client, *, status=LineStatus.RECEIVED, line_no=1):
    order = RosterOrder.objects.create(client=client, channel="portal", received_at=RECEIVED)
    person = InsuredPerson.objects.create(name="张三")
    return RosterLine.objects.create(
        order=order, line_no=line_no, action="add", person=person, name="张三",
        city=CityFactory(), effective_date=datetime.date(2026, 12, 1),
        effective_month=datetime.date(2026, 12, 1), handle_by=RECEIVED + 48 * HOUR,
        status=status)


# --- inquiries (STD-6.2) --------------------------------------------------------------

def test_an_inquiry_is_due_soon_two_hours_before_its_12_hours_and_breached_after(
        client_of_rep, rep):
    asked = inquiry(client_of_rep)
    due = asked.respond_by
    key = f"inquiry:{asked.pk}"

    assert inquiry_response(due - 2 * HOUR - SECOND) == []
    assert brief(inquiry_response(due - 2 * HOUR)) == [
        ("inquiry_response", key, "due_soon", rep.pk, False)]
    assert brief(inquiry_response(due - SECOND)) == [
        ("inquiry_response", key, "due_soon", rep.pk, False)]
    assert brief(inquiry_response(due + SECOND)) == [
        ("inquiry_response", key, "breached", rep.pk, True)]


def test_an_inquiry_finding_says_what_where_and_when(client_of_rep, rep):
    asked = inquiry(client_of_rep)

    [found] = inquiry_response(asked.respond_by + SECOND)

    assert found == Finding(
        rule="inquiry_response", subject_key=f"inquiry:{asked.pk}", stage="breached",
        owner_id=rep.pk,
        message="上海启明信息技术有限公司的咨询“社保基数怎么调整”应于 2026-12-01 21:00 前答复，"
                "已超过 12 小时时限。",
        link=f"/staff/inquiries/{asked.pk}/", due_at=asked.respond_by, escalate=True,
        client_id=client_of_rep.pk)


def test_an_answered_or_closed_inquiry_is_not_watched_and_an_active_assignee_owns_it(
        client_of_rep, rep):
    assignee = UserFactory(role=Role.SERVICE_REP)
    inquiry(client_of_rep, first_response_at=RECEIVED + HOUR, status="answered")
    inquiry(client_of_rep, status="closed")
    assigned = inquiry(client_of_rep, assignee=assignee)
    left = inquiry(client_of_rep, assignee=UserFactory(role=Role.SERVICE_REP, is_active=False))

    assert sorted(brief(inquiry_response(RECEIVED + 13 * HOUR))) == sorted([
        ("inquiry_response", f"inquiry:{assigned.pk}", "breached", assignee.pk, True),
        ("inquiry_response", f"inquiry:{left.pk}", "breached", rep.pk, True)])  # has left


def test_an_inquiry_of_a_client_without_a_representative_has_no_owner():
    asked = inquiry(ClientFactory())

    assert brief(inquiry_response(asked.respond_by + SECOND)) == [
        ("inquiry_response", f"inquiry:{asked.pk}", "breached", None, True)]


# --- complaints and corrective actions (STD-6.3, 7.3) ---------------------------------

def test_a_complaint_is_due_soon_six_hours_before_its_48_hours_and_breached_after(
        client_of_rep, rep):
    made = complaint(client_of_rep)
    complaint(client_of_rep, status="investigating", first_action_at=RECEIVED + HOUR)
    due = made.handle_by
    key = f"complaint:{made.pk}"

    assert complaint_handling(due - 6 * HOUR - SECOND) == []
    assert brief(complaint_handling(due - SECOND)) == [
        ("complaint_handling", key, "due_soon", rep.pk, False)]
    [breached] = complaint_handling(due + SECOND)
    assert brief([breached]) == [("complaint_handling", key, "breached", rep.pk, True)]
    assert (breached.link, breached.message) == (
        f"/staff/complaints/{made.pk}/",
        "上海启明信息技术有限公司的投诉“增员办理太慢”应于 2026-12-03 09:00 前处理，"
        "已超过 48 小时时限。")


def test_a_corrective_action_not_done_is_overdue_from_the_day_after_its_due_date(
        client_of_rep):
    owner = UserFactory(role=Role.SERVICE_REP)
    made = complaint(client_of_rep, status="action", first_action_at=RECEIVED)
    late = CorrectiveAction.objects.create(complaint=made, description="专人跟进",
                                           owner=owner, due_on=datetime.date(2026, 12, 10))
    CorrectiveAction.objects.create(complaint=made, description="已完成", owner=owner,
                                    due_on=datetime.date(2026, 12, 5), done_at=RECEIVED)

    assert corrective_action(at(2026, 12, 10, 23, 59, 59)) == []
    [found] = corrective_action(at(2026, 12, 11, 0, 0, 0))
    assert brief([found]) == [("corrective_action", f"action:{late.pk}", "overdue",
                               owner.pk, True)]
    assert (found.due_at, found.client_id, found.message) == (
        datetime.datetime(2026, 12, 10, 23, 59, 59, 999999, tzinfo=SH), client_of_rep.pk,
        "上海启明信息技术有限公司的投诉“增员办理太慢”的纠正措施应于 2026-12-10 完成，至今未完成。")


# --- roster lines (STD-6.3) -----------------------------------------------------------

def test_an_open_roster_line_is_due_soon_six_hours_before_48_and_breached_after(
        client_of_rep, rep):
    line = roster_line(client_of_rep)
    roster_line(client_of_rep, status=LineStatus.SUCCEEDED)
    due = line.handle_by
    key = f"line:{line.pk}"

    assert line_handling(due - 6 * HOUR - SECOND) == []
    assert brief(line_handling(due - 6 * HOUR)) == [
        ("line_handling", key, "due_soon", rep.pk, False)]
    assert brief(line_handling(due - SECOND)) == [
        ("line_handling", key, "due_soon", rep.pk, False)]
    [breached] = line_handling(due + SECOND)
    assert brief([breached]) == [("line_handling", key, "breached", rep.pk, True)]
    assert (breached.link, breached.client_id, breached.message) == (
        f"/staff/orders/lines/{line.pk}/", client_of_rep.pk,
        f"上海启明信息技术有限公司的派单明细 {line.order_id}/1（增员，张三）应于 2026-12-03 "
        "09:00 前办理，已超过 48 小时时限。")


def test_every_open_line_status_is_watched_and_a_finished_one_is_not(client_of_rep):
    statuses = [LineStatus.RECEIVED, LineStatus.PAPERS_MISSING, LineStatus.SUBMITTED,
                LineStatus.RETURNED, LineStatus.SUCCEEDED, LineStatus.PARTIALLY_SUCCEEDED,
                LineStatus.FAILED, LineStatus.CANCELLED]
    lines = [roster_line(client_of_rep, status=s) for s in statuses]

    found = line_handling(RECEIVED + 49 * HOUR)

    assert sorted(f.subject_key for f in found) == sorted(f"line:{line.pk}"
                                                          for line in lines[:4])


# --- archive filing (STD-5.3) ---------------------------------------------------------

def test_a_months_unfiled_papers_are_due_on_the_15th_and_overdue_from_the_16th():
    store(month=datetime.date(2026, 3, 1))
    store(month=datetime.date(2026, 3, 1), name="roster.xlsx")

    assert archive_filing(at(2026, 4, 14, 23, 59, 59)) == []
    [today] = archive_filing(at(2026, 4, 15, 0, 0, 0))
    [overdue] = archive_filing(at(2026, 4, 16, 0, 0, 0))

    assert brief([today, overdue]) == [
        ("archive_filing", "archive:2026-03", "due_today", None, False),
        ("archive_filing", "archive:2026-03", "overdue", None, True)]
    assert (today.message, today.link, today.due_at) == (
        "2026-03 有 2 份资料尚未归档，今天（2026-04-15）是归档期限。",
        "/staff/archive/?month=2026-03",
        datetime.datetime(2026, 4, 15, 23, 59, 59, 999999, tzinfo=SH))
    assert overdue.message == "2026-03 有 2 份资料未归档，归档期限 2026-04-15 已过。"


def test_each_overdue_month_is_one_finding():
    store(month=datetime.date(2026, 2, 1))
    store(month=datetime.date(2026, 3, 1))
    store(month=datetime.date(2026, 3, 1), name="b.pdf")

    found = archive_filing(at(2026, 4, 16))

    assert [(f.subject_key, f.stage, f.message) for f in found] == [
        ("archive:2026-02", "overdue", "2026-02 有 1 份资料未归档，归档期限 2026-03-15 已过。"),
        ("archive:2026-03", "overdue", "2026-03 有 2 份资料未归档，归档期限 2026-04-15 已过。")]


# --- expiries: contracts (STD-5.2), licences (3.1), certificates (3.2) ----------------

ENDS = datetime.date(2027, 3, 31)
DAYS_BEFORE = [61, 60, 31, 30, 8, 7, 1, 0]
STAGES = [None, "60d", "60d", "30d", "30d", "7d", "7d", "0d"]


def on(days_before: int, hour: int = 10) -> datetime.datetime:
    day = ENDS - datetime.timedelta(days=days_before)
    return at(day.year, day.month, day.day, hour)


def stages(rule, subject_key):
    return [next((f.stage for f in rule(on(d)) if f.subject_key == subject_key), None)
            for d in DAYS_BEFORE]


def test_the_lead_time_reached_is_the_shortest_one():
    assert [lead_stage(d) for d in [*DAYS_BEFORE, -1]] == [*STAGES, None]


def test_an_active_contract_is_reminded_at_60_30_7_days_and_on_its_last_day(client_of_rep,
                                                                           rep):
    contract = ContractFactory(client=client_of_rep, status=Contract.Status.ACTIVE,
                               number="HT-2026-001", ends_on=ENDS)
    ContractFactory(client=client_of_rep, status=Contract.Status.DRAFT, ends_on=ENDS)

    assert stages(contract_expiry, f"contract:{contract.pk}") == STAGES
    [found] = contract_expiry(on(7))
    assert brief([found]) == [("contract_expiry", f"contract:{contract.pk}", "7d", rep.pk,
                               False)]
    assert (found.message, found.link, found.client_id) == (
        "上海启明信息技术有限公司的合同 HT-2026-001 将于 2027-03-31 到期（剩余 7 天）。",
        f"/staff/contracts/{contract.pk}/", client_of_rep.pk)
    assert contract_expiry(on(-1)) == []  # ended: the contract task expires it


def test_a_contract_of_a_client_without_a_representative_has_no_owner():
    contract = ContractFactory(status=Contract.Status.ACTIVE, ends_on=ENDS)

    assert brief(contract_expiry(on(30))) == [
        ("contract_expiry", f"contract:{contract.pk}", "30d", None, False)]


def test_the_newest_licence_of_a_kind_is_reminded_and_once_expired_escalated():
    old = LicenceFactory(valid_to=ENDS - datetime.timedelta(days=365))
    licence = LicenceFactory(number="（沪）人服证字〔2024〕第7号", valid_to=ENDS)

    assert stages(licence_expiry, f"licence:{licence.pk}") == STAGES
    assert stages(licence_expiry, f"licence:{old.pk}") == [None] * len(STAGES)
    [expired] = licence_expiry(on(-1))
    assert brief([expired]) == [("licence_expiry", f"licence:{licence.pk}", "expired", None,
                                 True)]
    assert expired.message == "人力资源服务许可证 （沪）人服证字〔2024〕第7号已于 2027-03-31 到期。"
    assert [f.escalate for f in licence_expiry(on(0))] == [False]


def test_a_staff_certificate_is_reminded_to_its_holder_and_to_the_managers_on_the_day():
    profile = StaffProfileFactory(certificate_number="HR0001", certificate_valid_until=ENDS,
                                  user__display_name="李四")
    StaffProfileFactory(certificate_valid_until=ENDS, user__is_active=False)
    key = f"staff:{profile.user_id}"

    assert stages(staff_certificate_expiry, key) == STAGES
    assert [(f.stage, f.owner_id, f.escalate) for d in (7, 0, -1)
            for f in staff_certificate_expiry(on(d))] == [
        ("7d", profile.user_id, False), ("0d", profile.user_id, True),
        ("expired", profile.user_id, True)]
    assert staff_certificate_expiry(on(7))[0].message == (
        "李四的人力资源从业资格证 HR0001 将于 2027-03-31 到期（剩余 7 天）。")


# --- invoices (STD-4.5), representatives (3.2.4), the calendar ------------------------

def bill(client, status=BillStatus.PAID, due=datetime.date(2026, 12, 15)):
    return Bill.objects.create(client=client, month=datetime.date(2026, 11, 1), status=status,
                               total=Decimal("100.00"), paid=Decimal("100.00"),
                               paid_on=datetime.date(2026, 12, 1), invoice_due_by=due)


def test_a_paid_bill_not_invoiced_is_overdue_after_its_10_working_days(client_of_rep):
    paid = bill(client_of_rep)
    bill(ClientFactory(), status=BillStatus.ISSUED)

    assert invoice_due(at(2026, 12, 15, 23, 59, 59)) == []
    [found] = invoice_due(at(2026, 12, 16, 0, 0, 0))
    assert brief([found]) == [("invoice_due", f"bill:{paid.pk}", "overdue", None, True)]
    assert (found.message, found.link) == (
        f"上海启明信息技术有限公司的账单 B202611-{paid.pk:06d} 已全额付款，"
        "发票应于 2026-12-15 前开具，至今未开。", f"/staff/billing/bills/{paid.pk}/")


def test_a_representative_over_500_insured_persons_is_reported_to_the_managers():
    heavy = UserFactory(role=Role.SERVICE_REP, display_name="王五")
    light = UserFactory(role=Role.SERVICE_REP)
    enrol_many(ClientFactory(service_rep=heavy), 501)
    enrol_many(ClientFactory(service_rep=light), 500)

    [found] = rep_overload(at(2026, 12, 1))

    assert brief([found]) == [("rep_overload", f"rep:{heavy.pk}:2026-12", "over", None, True)]
    assert found.message == "客服专员王五服务 501 名参保人员，超过上限 500 人。"


def test_next_years_missing_holidays_are_flagged_from_1_november(monkeypatch):
    monkeypatch.setattr("agency.workdays.PACKAGE_YEARS", frozenset(range(2004, 2027)))

    assert workday_calendar(at(2026, 10, 31, 23, 59, 59)) == []
    assert brief(workday_calendar(at(2026, 11, 1, 0, 0, 0))) == [
        ("workday_calendar", "calendar:2027", "missing", None, False)]
    assert brief(workday_calendar(at(2027, 3, 1))) == [
        ("workday_calendar", "calendar:2027", "missing", None, False)]
    WorkdayOverride.objects.create(date=datetime.date(2027, 1, 1), kind="holiday")
    assert workday_calendar(at(2026, 11, 1)) == []
    assert workday_calendar(at(2027, 3, 1)) == []


# --- all of them ----------------------------------------------------------------------

def test_watch_findings_runs_every_rule_soonest_due_first(client_of_rep, monkeypatch):
    monkeypatch.setattr("agency.workdays.PACKAGE_YEARS", frozenset(range(2004, 2028)))
    asked = inquiry(client_of_rep)
    line = roster_line(client_of_rep)
    licence = LicenceFactory(valid_to=datetime.date(2026, 12, 5))

    found = watch_findings(now=RECEIVED + 47 * HOUR)

    assert [(f.subject_key, f.stage) for f in found] == [
        (f"inquiry:{asked.pk}", "breached"), (f"line:{line.pk}", "due_soon"),
        (f"licence:{licence.pk}", "7d")]
    assert len(RULES) == 16  # with the people side and the insurance cases
    assert Licence.objects.count() == 1
