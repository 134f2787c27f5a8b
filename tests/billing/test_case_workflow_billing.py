"""The case workflow wired to its outcomes (STD-4.1): a back-payment opened through
`case_open` shows its months at once, and once it succeeds through `case_close` the
client's next bill charges them, once; a retirement that succeeds ends the enrolment."""

import datetime
from decimal import Decimal

import pytest

from agency.roles import Role
from billing.models import LineType
from billing.services import bill_generate
from enrollment.cases.services import case_close, case_open, case_step_done
from enrollment.models import BackPaymentMonth, Enrollment, Scheme
from enrollment.persons.enrollment_services import enrollment_open
from tests.enrollment.test_backpay import version
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def finish(case, rep):
    for step in case.steps.order_by("position"):
        case_step_done(case=case, key=step.key, actor=rep, now=NOW)
    return case_close(case=case, outcome="succeeded", note="办结", actor=rep, now=NOW)


def test_a_back_payment_opened_and_closed_through_the_workflow_lands_on_the_bill_once(
        client, company, shanghai):
    version(shanghai, D(2026, 1, 1), None, floor="7310.00", ceiling="36549.00",
            medical_er="0.09")
    rep = UserFactory(role=Role.SERVICE_REP)
    person = InsuredPersonFactory(name="乙")
    enrollment_open(person=person, client=company, city=shanghai,
                    scheme=Scheme.SOCIAL_INSURANCE, starts_on=D(2026, 11, 1), actor=None,
                    base=Decimal("8000.00"))

    case = case_open(client=company, person=person, type="back_payment", channel="staff",
                     period_from=D(2026, 8, 1), period_to=D(2026, 10, 1), actor=rep, now=NOW)
    shown = list(BackPaymentMonth.objects.filter(case=case).values_list("month", "total"))
    client.force_login(UserFactory(role=Role.MANAGER))
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    table = page[page.index('data-testid="back-months"'):page.index("</table>",
                                                                      page.index("back-months"))]
    finish(case, rep)
    bill_generate(client=company, month=D(2026, 11, 1), actor=None)
    first = bill_generate(client=company, month=D(2026, 11, 1), actor=None)  # regenerated

    # 8000 × (16 % + 8 % + 9 % + 2 % + 0.16 %) = 2812.80 a month
    assert shown == [(D(2026, 8, 1), Decimal("2812.80")), (D(2026, 9, 1), Decimal("2812.80"))]
    assert table.count("2812.80") == 2 and "2026-08" in table and "2026-09" in table
    back = first.lines.filter(line_type=LineType.BACKPAY, basis__case=case.pk)
    assert sorted(back.values_list("basis__months", flat=True)) == [["2026-08"], ["2026-09"]]
    assert set(BackPaymentMonth.objects.filter(case=case).values_list(
        "billed_bill_id", flat=True)) == {first.pk}


def test_a_succeeded_retirement_ends_the_persons_enrolment_with_the_client(company, shanghai):
    rep = UserFactory(role=Role.SERVICE_REP)
    person = InsuredPersonFactory(name="丙")
    enrolment = enrollment_open(person=person, client=company, city=shanghai,
                                scheme=Scheme.SOCIAL_INSURANCE, starts_on=D(2026, 1, 1),
                                actor=None, base=Decimal("8000.00"))

    finish(case_open(client=company, person=person, type="retirement", channel="staff",
                     actor=rep, now=NOW), rep)

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ends_on, enrolment.end_reason) == (
        Enrollment.Status.ENDED, D(2026, 11, 20), "retirement")
