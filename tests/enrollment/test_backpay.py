"""补缴 months of a back-payment case: each month computed with the policy version in
force THAT month and the enrolment's base of that month, figures worked by hand."""

import datetime
from decimal import Decimal

import pytest

from agency.errors import ValidationFailed
from enrollment.cases.backpay import (
    backpay_compute,
    backpay_months,
    backpay_months_mark_billed,
    backpay_months_release,
)
from enrollment.models import BackPaymentMonth, Case, CaseStatus, CaseType, Enrollment, Scheme
from enrollment.persons.enrollment_services import enrollment_adjust_base, enrollment_open
from policies.models import City, PolicyItem, PolicyVersion
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def version(city: City, start: datetime.date, end: datetime.date | None, *, floor: str,
            ceiling: str, medical_er: str) -> PolicyVersion:
    """A Shanghai-like version: pension 16 % + 8 %, medical `medical_er` + 2 %, work injury
    0.16 %, all on [floor, ceiling], cents half up."""
    v = PolicyVersion.objects.create(city=city, effective_from=start, effective_to=end)
    for kind, er, ee in (("pension", "0.16", "0.08"), ("medical", medical_er, "0.02"),
                         ("work_injury", "0.0016", "0")):
        PolicyItem.objects.create(version=v, kind=kind, base_floor=Decimal(floor),
                                  base_ceiling=Decimal(ceiling), employer_rate=Decimal(er),
                                  employee_rate=Decimal(ee))
    return v


@pytest.fixture
def two_versions(shanghai):
    """Version A until 2026-06 (floor 7310, medical 9 %), version B from 2026-07 (floor
    7460, medical 9.5 %)."""
    a = version(shanghai, D(2026, 1, 1), D(2026, 6, 30), floor="7310.00", ceiling="36549.00",
                medical_er="0.09")
    b = version(shanghai, D(2026, 7, 1), None, floor="7460.00", ceiling="37302.00",
                medical_er="0.095")
    return a, b


def open_case(client, enrollment, first: datetime.date, end: datetime.date, **kwargs) -> Case:
    return Case.objects.create(
        client=client, person=enrollment.person, enrollment=enrollment,
        type=CaseType.BACK_PAYMENT, channel="staff", opened_at=NOW,
        handle_by=NOW + datetime.timedelta(hours=48), period_from=first, period_to=end,
        **kwargs)


@pytest.fixture
def enrolled(company, shanghai):
    """甲, social insurance in Shanghai from 2026-01 at a declared base of 7000.00 (below
    both floors), raised to 10000.00 from 2026-08 (调基)."""
    person = InsuredPersonFactory(name="甲")
    enrollment = enrollment_open(person=person, client=company, city=shanghai,
                                 scheme=Scheme.SOCIAL_INSURANCE, starts_on=D(2026, 1, 1),
                                 actor=None, base=Decimal("7000.00"))
    enrollment_adjust_base(enrollment=enrollment, base_kind=Enrollment.BaseKind.DECLARED,
                           base=Decimal("10000.00"), actor=None, from_month=D(2026, 8, 1))
    return enrollment


def figures(row):
    return {i["kind"]: (i["base"], i["employer"], i["employee"]) for i in row.detail["items"]}


def test_each_month_is_computed_with_the_version_and_base_of_that_month(
        company, enrolled, two_versions):
    a, b = two_versions
    case = open_case(company, enrolled, D(2026, 5, 1), D(2026, 10, 1))

    rows = backpay_compute(case=case)

    assert [(r.month, r.policy_version_id, r.base, r.employer, r.employee, r.total)
            for r in rows] == [
        # A: 7000 → floor 7310: 1169.60 + 657.90 + 11.696→11.70 ; 584.80 + 146.20
        (D(2026, 5, 1), a.pk, Decimal("7310.00"), Decimal("1839.20"), Decimal("731.00"),
         Decimal("2570.20")),
        (D(2026, 6, 1), a.pk, Decimal("7310.00"), Decimal("1839.20"), Decimal("731.00"),
         Decimal("2570.20")),
        # B: 7000 → floor 7460: 1193.60 + 708.70 + 11.936→11.94 ; 596.80 + 149.20
        (D(2026, 7, 1), b.pk, Decimal("7460.00"), Decimal("1914.24"), Decimal("746.00"),
         Decimal("2660.24")),
        # B at the new base 10000: 1600.00 + 950.00 + 16.00 ; 800.00 + 200.00
        (D(2026, 8, 1), b.pk, Decimal("10000.00"), Decimal("2566.00"), Decimal("1000.00"),
         Decimal("3566.00")),
        (D(2026, 9, 1), b.pk, Decimal("10000.00"), Decimal("2566.00"), Decimal("1000.00"),
         Decimal("3566.00")),
    ]
    assert figures(rows[1]) == {"pension": ("7310.00", "1169.60", "584.80"),
                                "medical": ("7310.00", "657.90", "146.20"),
                                "work_injury": ("7310.00", "11.70", "0.00")}
    assert figures(rows[2]) == {"pension": ("7460.00", "1193.60", "596.80"),
                                "medical": ("7460.00", "708.70", "149.20"),
                                "work_injury": ("7460.00", "11.94", "0.00")}
    assert rows[0].city_id == enrolled.city_id
    assert rows[0].detail["policy"] == "310000/2026-01-01"
    assert rows[0].detail["basis"] == {
        "base": "7000.00", "fund_base": None, "fund_rate": None, "work_injury_rate": None,
        "social_insurance": True, "housing_fund": False}
    assert sum(r.total for r in rows) == Decimal("14932.64")


def test_recomputing_replaces_the_unbilled_months_and_keeps_the_billed_ones(
        company, enrolled, two_versions):
    case = open_case(company, enrolled, D(2026, 5, 1), D(2026, 10, 1))
    first = backpay_compute(case=case)
    may = first[0]
    assert backpay_months_mark_billed(month_ids=[may.pk], bill_id=4242) == 1

    case.period_from, case.period_to = D(2026, 5, 1), D(2026, 8, 1)
    case.save()
    again = backpay_compute(case=case)

    assert [(r.month, r.billed_bill_id) for r in again] == [
        (D(2026, 5, 1), 4242), (D(2026, 6, 1), None), (D(2026, 7, 1), None)]
    assert again[0].pk == may.pk  # the charged month is left as it was
    assert BackPaymentMonth.objects.filter(case=case).count() == 3
    assert [r.month for r in backpay_months(case=case)] == [
        D(2026, 5, 1), D(2026, 6, 1), D(2026, 7, 1)]

    assert backpay_months_release(bill_id=4242) == 1
    assert BackPaymentMonth.objects.filter(case=case, billed_bill_id__isnull=False).count() == 0


def test_a_month_without_a_policy_is_refused_naming_the_field_and_the_month(
        company, enrolled, shanghai):
    version(shanghai, D(2026, 7, 1), D(2026, 8, 31), floor="7460.00", ceiling="37302.00",
            medical_er="0.095")
    case = open_case(company, enrolled, D(2026, 6, 1), D(2026, 10, 1))

    with pytest.raises(ValidationFailed) as exc:
        backpay_compute(case=case)

    assert [(d.code, d.field) for d in exc.value.details] == [
        ("no_policy", "period_from"), ("no_policy", "period_to")]
    assert [d.message for d in exc.value.details] == [
        "上海市 2026-06 没有生效的缴费政策 / No contribution policy of 310000 is in force in "
        "2026-06",
        "上海市 2026-09 没有生效的缴费政策 / No contribution policy of 310000 is in force in "
        "2026-09"]
    assert BackPaymentMonth.objects.filter(case=case).count() == 0


def test_a_case_without_a_period_or_not_a_back_payment_is_refused(company, enrolled,
                                                                  two_versions):
    case = open_case(company, enrolled, None, None)
    with pytest.raises(ValidationFailed) as exc:
        backpay_compute(case=case)
    assert [(d.code, d.field) for d in exc.value.details] == [
        ("required", "period_from"), ("required", "period_to")]

    case.period_from, case.period_to = D(2026, 8, 1), D(2026, 8, 1)
    with pytest.raises(ValidationFailed) as exc:
        backpay_compute(case=case)
    assert [(d.code, d.field) for d in exc.value.details] == [("period_invalid", "period_to")]

    case.type, case.period_to = CaseType.RETIREMENT, D(2026, 9, 1)
    with pytest.raises(ValidationFailed) as exc:
        backpay_compute(case=case)
    assert [(d.code, d.field) for d in exc.value.details] == [("not_back_payment", "type")]


def test_a_housing_fund_case_uses_the_fund_rate_and_only_the_fund(company, shanghai):
    v = PolicyVersion.objects.create(city=shanghai, effective_from=D(2026, 1, 1))
    PolicyItem.objects.create(version=v, kind="pension", base_floor=Decimal("7310"),
                              base_ceiling=Decimal("36549"), employer_rate=Decimal("0.16"),
                              employee_rate=Decimal("0.08"))
    PolicyItem.objects.create(version=v, kind="housing_fund", base_floor=Decimal("2690"),
                              base_ceiling=Decimal("36549"), employer_rate=Decimal("0.07"),
                              employee_rate=Decimal("0.07"), rounding="yuan_half_up",
                              rate_choice="both", rate_min=Decimal("0.05"),
                              rate_max=Decimal("0.07"))
    person = InsuredPersonFactory(name="乙")
    fund = enrollment_open(person=person, client=company, city=shanghai,
                           scheme=Scheme.HOUSING_FUND, starts_on=D(2026, 1, 1), actor=None,
                           base=Decimal("8888.00"), rate=Decimal("0.05"))
    case = open_case(company, fund, D(2026, 3, 1), D(2026, 4, 1), status=CaseStatus.OPEN)

    (row,) = backpay_compute(case=case)

    # 8888 × 5 % = 444.40 → 444 each side (to the yuan)
    assert figures(row) == {"housing_fund": ("8888.00", "444.00", "444.00")}
    assert (row.employer, row.employee, row.total) == (
        Decimal("444.00"), Decimal("444.00"), Decimal("888.00"))


def test_a_case_without_an_enrolment_uses_the_persons_enrolment_with_the_client(
        company, enrolled, two_versions, other_client_company):
    case = open_case(company, enrolled, D(2026, 7, 1), D(2026, 8, 1))
    case.enrollment = None
    case.save()
    (row,) = backpay_compute(case=case)
    assert (row.detail["enrollment"], row.total) == (enrolled.pk, Decimal("2660.24"))

    stranger = open_case(other_client_company, enrolled, D(2026, 7, 1), D(2026, 8, 1))
    stranger.enrollment = None
    stranger.save()
    with pytest.raises(ValidationFailed) as exc:
        backpay_compute(case=stranger)
    assert [(d.code, d.field) for d in exc.value.details] == [("no_enrollment", "enrollment")]

