"""A back-payment case's months land on the client's next bill exactly once, each with
the figures of the policy version in force that month (across a version boundary)."""

import datetime
from decimal import Decimal

import pytest

from billing.models import Bill, BillLine, BillStatus, LineType
from billing.services import bill_correct, bill_dispute, bill_generate, bill_issue, bill_void
from enrollment.cases.backpay import backpay_compute
from enrollment.models import BackPaymentMonth, CaseStatus, Enrollment, Scheme
from enrollment.persons.enrollment_services import enrollment_open
from tests.enrollment.test_backpay import open_case, version
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date
NOV, DEC = D(2026, 11, 1), D(2026, 12, 1)


@pytest.fixture
def versions(shanghai):
    a = version(shanghai, D(2026, 1, 1), D(2026, 6, 30), floor="7310.00", ceiling="36549.00",
                medical_er="0.09")
    b = version(shanghai, D(2026, 7, 1), None, floor="7460.00", ceiling="37302.00",
                medical_er="0.095")
    return a, b


@pytest.fixture
def case(company, shanghai, versions):
    """甲, enrolled in Shanghai from 2026-11 at 7000.00, owes 2026-05..2026-09 (补缴)."""
    person = InsuredPersonFactory(name="甲")
    enrollment = enrollment_open(person=person, client=company, city=shanghai,
                                 scheme=Scheme.SOCIAL_INSURANCE, starts_on=NOV, actor=None,
                                 base=Decimal("7000.00"))
    case = open_case(company, enrollment, D(2026, 5, 1), D(2026, 10, 1),
                     status=CaseStatus.SUCCEEDED)
    backpay_compute(case=case)
    return case


def case_lines(bill):
    return [(f"{line.month_from:%Y-%m}", line.policy_version_id, line.social_insurance,
             line.service_fee, line.total)
            for line in BillLine.objects.filter(bill=bill, line_type=LineType.BACKPAY)
            .order_by("month_from")]


def billed_on(case):
    return sorted(set(BackPaymentMonth.objects.filter(case=case)
                      .values_list("billed_bill_id", flat=True)), key=str)


def test_the_months_land_on_the_next_bill_once_each_with_its_own_version(
        company, case, versions):
    a, b = versions
    nov = bill_generate(client=company, month=NOV, actor=None)

    assert case_lines(nov) == [
        ("2026-05", a.pk, Decimal("2570.20"), Decimal("0.00"), Decimal("2570.20")),
        ("2026-06", a.pk, Decimal("2570.20"), Decimal("0.00"), Decimal("2570.20")),
        ("2026-07", b.pk, Decimal("2660.24"), Decimal("0.00"), Decimal("2660.24")),
        ("2026-08", b.pk, Decimal("2660.24"), Decimal("0.00"), Decimal("2660.24")),
        ("2026-09", b.pk, Decimal("2660.24"), Decimal("0.00"), Decimal("2660.24")),
    ]
    july = BillLine.objects.get(bill=nov, line_type=LineType.BACKPAY, month_from=D(2026, 7, 1))
    month = BackPaymentMonth.objects.get(case=case, month=D(2026, 7, 1))
    assert july.basis == {"base": "7000.00", "fund_base": None, "fund_rate": None,
                          "work_injury_rate": None, "social_insurance": True,
                          "housing_fund": False, "case": case.pk, "months": ["2026-07"],
                          "back_month": month.pk}
    assert july.items == [{"kind": "pension", "base": "7460.00", "employer": "1193.60",
                           "employee": "596.80"},
                          {"kind": "medical", "base": "7460.00", "employer": "708.70",
                           "employee": "149.20"},
                          {"kind": "work_injury", "base": "7460.00", "employer": "11.94",
                           "employee": "0.00"}]
    assert july.description == f"补缴 2026-07（补缴事项 #{case.pk}）"
    # the regular November line (version B at the floor, with the 80.00 fee) + 13121.12
    assert nov.total == Decimal("2740.24") + Decimal("13121.12")
    assert nov.line_count == 6
    assert billed_on(case) == [nov.pk]

    again = bill_generate(client=company, month=NOV, actor=None)  # a draft, regenerated
    assert again.pk == nov.pk
    assert len(case_lines(again)) == 5
    assert again.total == Decimal("15861.36")
    assert billed_on(case) == [nov.pk]

    bill_issue(bill=again, actor=None)
    # the case's months do not move the enrolment's billed_through
    assert Enrollment.objects.get(pk=case.enrollment_id).billed_through == D(2026, 11, 30)
    dec = bill_generate(client=company, month=DEC, actor=None)
    assert case_lines(dec) == []
    assert [line.line_type for line in dec.lines.all()] == [LineType.REGULAR]
    assert billed_on(case) == [nov.pk]


def test_a_case_not_yet_succeeded_waits_for_the_bill_after_it_succeeds(company, case):
    case.status = CaseStatus.IN_PROGRESS
    case.save()
    nov = bill_generate(client=company, month=NOV, actor=None)
    assert case_lines(nov) == []
    assert billed_on(case) == [None]
    bill_issue(bill=nov, actor=None)

    case.status = CaseStatus.SUCCEEDED
    case.save()
    dec = bill_generate(client=company, month=DEC, actor=None)
    assert [m for m, *_ in case_lines(dec)] == [
        "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
    assert billed_on(case) == [dec.pk]


def test_a_voided_bill_releases_the_months_for_the_next_one(company, case):
    draft = bill_generate(client=company, month=NOV, actor=None)
    assert billed_on(case) == [draft.pk]
    bill_void(bill=draft, reason="重新出账", actor=None)
    assert billed_on(case) == [None]

    nov = bill_generate(client=company, month=NOV, actor=None)
    assert nov.pk != draft.pk
    assert len(case_lines(nov)) == 5
    assert billed_on(case) == [nov.pk]

    # a disputed issued bill corrected: the voided one releases them, the correction
    # charges them, once
    bill_issue(bill=nov, actor=None)
    bill_dispute(bill=nov, reason="人数不对", actor=None)
    corrected = bill_correct(bill=nov, reason="更正", actor=None)
    assert Bill.objects.get(pk=nov.pk).status == BillStatus.VOID
    assert len(case_lines(corrected)) == 5
    assert billed_on(case) == [corrected.pk]
    assert BillLine.objects.filter(line_type=LineType.BACKPAY, bill__status__in=[
        BillStatus.DRAFT, BillStatus.ISSUED]).count() == 5


def test_a_month_marked_by_a_bill_voided_elsewhere_is_charged_again(company, case):
    draft = bill_generate(client=company, month=NOV, actor=None)
    Bill.objects.filter(pk=draft.pk).update(status=BillStatus.VOID)  # e.g. by the back office
    nov = bill_generate(client=company, month=NOV, actor=None)
    assert len(case_lines(nov)) == 5
    assert billed_on(case) == [nov.pk]
