"""Tasks per scheme, effective month, handling deadline, and the workflow with the bureau."""

import datetime
from decimal import Decimal

import pytest

from agency.errors import DomainError
from clients.models import WebhookDelivery
from clients.webhook_services import webhook_endpoint_create
from enrollment.models import Enrollment, line_status_of
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import InvalidTransition, line_transition
from tests.enrollment.order_fixtures import (
    RECEIVED,
    SH,
    active,
    add_line,
    enrolled,
    give_all_papers,
    valid_id,
)

pytestmark = pytest.mark.django_db


def submit(company, lines, received_at=RECEIVED):
    return order_submit(client=company, lines=lines, channel="api", actor=None,
                        received_at=received_at)


def test_each_line_gets_one_task_per_scheme_the_contract_covers(company):
    order = submit(company, [add_line(1), add_line(2, housing_fund=False),
                             add_line(3, schemes=["housing_fund"])])

    schemes = [[t.scheme for t in line.tasks.order_by("scheme")] for line in order.lines.all()]
    assert schemes == [["housing_fund", "social_insurance"], ["social_insurance"],
                       ["housing_fund"]]


def test_effective_month_follows_the_cut_off_and_handle_by_is_48_hours(company):
    order = submit(company, [add_line(1, effective_date="2026-11-01"),
                             add_line(2, effective_date="2026-12-01")])

    lines = list(order.lines.all())
    # received 27 Nov, after the 15th: December is the earliest regular month; the line
    # dated November is not moved to December in silence, it pays November late (补缴)
    assert [(line.effective_month, line.backpay_months) for line in lines] == [
        (datetime.date(2026, 11, 1), ["2026-11"]), (datetime.date(2026, 12, 1), [])]
    assert lines[0].handle_by == datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SH)


def test_before_the_cut_off_the_requested_month_holds(company):
    received = datetime.datetime(2026, 11, 13, 9, 0, tzinfo=SH)

    order = submit(company, [add_line(1, effective_date="2026-11-01")], received_at=received)

    assert order.lines.get().effective_month == datetime.date(2026, 11, 1)


def test_a_new_person_without_papers_waits_for_them(company):
    order = submit(company, [add_line(1)])

    line = order.lines.get()
    assert line.status == "papers_missing"
    assert {t.status for t in line.tasks.all()} == {"papers_missing"}
    with pytest.raises(InvalidTransition) as info:
        line_transition(line=line, to="submitted", actor=None)
    assert info.value.status == 409


def test_add_succeeds_and_opens_the_enrolments(company, shanghai):
    order = submit(company, [add_line(1, base="min")])
    line = order.lines.get()
    give_all_papers(line.person, company)

    line_transition(line=line, to="submitted", actor=None)
    line = line_transition(line=line, to="succeeded", actor=None)

    assert line.status == "succeeded"
    si = active(line.person, shanghai)
    fund = active(line.person, shanghai, "housing_fund")
    assert (si.client, si.starts_on, si.base_kind, si.base) == (
        company, datetime.date(2026, 12, 1), "min", None)
    assert (fund.rate, fund.first_billed_month) == (Decimal("0.0700"), datetime.date(2026, 12, 1))


def test_one_scheme_succeeds_and_the_other_fails(company, shanghai):
    order = submit(company, [add_line(1)])
    line = order.lines.get()
    give_all_papers(line.person, company)
    line_transition(line=line, to="submitted", actor=None)

    line_transition(line=line, to="succeeded", scheme="social_insurance", actor=None)
    line = line_transition(line=line, to="failed", scheme="housing_fund", actor=None,
                           reason="公积金账户未封存")

    assert line.status == "partially_succeeded"
    assert line.failure_reason == "住房公积金: 公积金账户未封存"
    assert active(line.person, shanghai) is not None
    assert active(line.person, shanghai, "housing_fund") is None


def test_failing_needs_a_reason(company, shanghai):
    person = enrolled(company, shanghai, 5)
    order = submit(company, [{"action": "remove", "id_number": valid_id(5), "city": "310000",
                              "effective_date": "2026-12-31", "reason": "resignation"}])
    line = order.lines.get()
    line_transition(line=line, to="submitted", actor=None)

    with pytest.raises(DomainError) as info:
        line_transition(line=line, to="failed", actor=None, reason="  ")

    assert info.value.details[0].field == "reason"
    assert active(person, shanghai) is not None


def test_remove_succeeds_and_ends_the_enrolment(company, shanghai):
    person = enrolled(company, shanghai, 5, schemes=("social_insurance", "housing_fund"))
    order = submit(company, [{"action": "remove", "id_number": valid_id(5), "city": "310000",
                              "effective_date": "2026-12-31", "reason": "resignation"}])
    line = order.lines.get()
    assert sorted(t.scheme for t in line.tasks.all()) == ["housing_fund", "social_insurance"]

    line_transition(line=line, to="submitted", actor=None)
    line_transition(line=line, to="succeeded", actor=None)

    # the removal takes effect in December (the month it names, after the cut-off of the
    # 27 Nov order that still allows December): the last month charged is November
    ended = Enrollment.objects.filter(person=person, city=shanghai, status="ended")
    assert line.effective_month == datetime.date(2026, 12, 1)
    assert sorted((e.scheme, e.ends_on, e.end_reason) for e in ended) == [
        ("housing_fund", datetime.date(2026, 11, 30), "resignation"),
        ("social_insurance", datetime.date(2026, 11, 30), "resignation"),
    ]


def test_a_removal_received_after_the_cut_off_keeps_the_month_the_bureau_still_charges(
    company, shanghai
):
    # dated 30 Nov, received 20 Dec (after December's cut-off): the bureau takes it from
    # January, so December is still charged and the enrolment ends on 31 Dec, not 30 Nov
    person = enrolled(company, shanghai, 5)
    order = submit(company, [{"action": "remove", "id_number": valid_id(5), "city": "310000",
                              "effective_date": "2026-11-30", "reason": "resignation"}],
                   received_at=datetime.datetime(2026, 12, 20, 10, 0, tzinfo=SH))
    line = order.lines.get()

    line_transition(line=line, to="submitted", actor=None)
    line_transition(line=line, to="succeeded", actor=None)

    ended = Enrollment.objects.get(person=person, city=shanghai)
    assert (line.effective_month, line.backpay_months) == (datetime.date(2027, 1, 1), [])
    assert (ended.status, ended.ends_on) == ("ended", datetime.date(2026, 12, 31))


def test_adjust_base_succeeds_and_changes_the_base(company, shanghai):
    person = enrolled(company, shanghai, 5)
    order = submit(company, [{"action": "adjust_base", "id_number": valid_id(5),
                              "city": "310000", "base": "12,000.50",
                              "effective_date": "2026-12-01"}])
    line = order.lines.get()
    line_transition(line=line, to="submitted", actor=None)
    line_transition(line=line, to="succeeded", actor=None)

    assert active(person, shanghai).base == Decimal("12000.50")


def test_returned_lines_can_be_resubmitted_and_illegal_moves_are_refused(company, shanghai):
    enrolled(company, shanghai, 5)
    order = submit(company, [{"action": "remove", "id_number": valid_id(5), "city": "310000",
                              "effective_date": "2026-12-31", "reason": "contract_end"}])
    line = order.lines.get()

    line = line_transition(line=line, to="returned", actor=None, reason="缺少离职证明")
    assert (line.status, line.failure_reason) == ("returned", "社会保险: 缺少离职证明")
    with pytest.raises(InvalidTransition):
        line_transition(line=line, to="succeeded", actor=None)
    line = line_transition(line=line, to="received", actor=None)
    assert line.status == "received"
    line_transition(line=line, to="cancelled", actor=None)
    with pytest.raises(InvalidTransition):
        line_transition(line=line, to="submitted", actor=None)


def test_line_status_sums_up_its_tasks():
    assert line_status_of(["succeeded", "failed"]) == "partially_succeeded"
    assert line_status_of(["succeeded", "submitted"]) == "submitted"
    assert line_status_of(["returned", "papers_missing"]) == "returned"
    assert line_status_of(["succeeded", "cancelled"]) == "succeeded"
    assert line_status_of(["cancelled", "cancelled"]) == "cancelled"
    assert line_status_of(["failed"]) == "failed"


def test_success_and_failure_are_sent_as_webhooks(company, shanghai, settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    webhook_endpoint_create(client=company, url="http://127.0.0.1:9/hooks")
    enrolled(company, shanghai, 5)
    enrolled(company, shanghai, 6)
    order = submit(company, [
        {"action": "remove", "id_number": valid_id(5), "city": "310000",
         "effective_date": "2026-12-31", "reason": "resignation"},
        {"action": "remove", "id_number": valid_id(6), "city": "310000",
         "effective_date": "2026-12-31", "reason": "resignation"},
    ])
    first, second = order.lines.all()
    for line in (first, second):
        line_transition(line=line, to="submitted", actor=None)

    line_transition(line=first, to="succeeded", actor=None)
    line_transition(line=second, to="failed", actor=None, reason="社保卡未注销")

    events = [(d.event, d.payload["data"]["line"], d.payload["data"]["status"])
              for d in WebhookDelivery.objects.order_by("pk")]
    assert events == [("order.line.succeeded", 1, "succeeded"), ("order.line.failed", 2, "failed")]
