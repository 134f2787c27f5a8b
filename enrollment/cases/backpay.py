"""补缴: the months a back-payment case owes, each computed with the policy IN FORCE THAT
MONTH (not today's), and the marks billing sets when the client's next bill charges them.

`backpay_compute` turns a back-payment case's period [period_from, period_to) into one
`BackPaymentMonth` per month: the case's enrolment (its city and scheme) at its base of
that month (调基 is effective-dated), under the city's policy version in force on the
month's first day, with the contract's work-injury rate of that month, exactly as a
bill's line would be computed. Recomputing replaces the months no bill has charged yet
(idempotent while unbilled); a charged month stays as charged.

Billing (which may import this room, never the reverse) picks the months of SUCCEEDED
back-payment cases that no bill charged, puts them on the client's next bill and marks
them with `backpay_months_mark_billed`; voiding that bill releases them with
`backpay_months_release`, as it releases the enrolments' `billed_through`."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from agency.deadlines import months_between
from agency.errors import ErrorDetail, ValidationFailed
from clients.models import Contract, ContractPrice
from enrollment.models import BackPaymentMonth, Case, CaseType, Enrollment, Scheme
from enrollment.persons.selectors import BaseRow, base_row_in_month, base_rows
from policies.calculator import HOUSING_FUND, WORK_INJURY, Contribution, PolicyRules, contributions
from policies.selectors import policy_rules_between

ZERO = Decimal("0.00")
# "the city's maximum": above any ceiling, clamped down to it (as billing declares it)
ABOVE_ANY_CEILING = Decimal("999999999")


def _refused(code: str, message: str, field: str) -> ValidationFailed:
    return ValidationFailed([ErrorDetail(code, message, field=field)])


def _case_enrollment(case: Case) -> Enrollment:
    """The case's enrolment, else the person's enrolment with the case's client (social
    insurance first, the active or latest one)."""
    if case.enrollment_id is not None:
        return Enrollment.objects.select_related("city").get(pk=case.enrollment_id)
    enrollment = (
        Enrollment.objects.filter(person_id=case.person_id, client_id=case.client_id)
        .exclude(status=Enrollment.Status.PENDING).select_related("city")
        .order_by("-scheme", "status", "-starts_on", "-pk")  # social_insurance > housing_fund
        .first()
    )
    if enrollment is None:
        raise _refused("no_enrollment", "该人员在此客户下没有参保记录，无法计算补缴 / The person "
                       "has no enrolment with this client: nothing to back-pay", "enrollment")
    return enrollment


def _declared(row: BaseRow) -> Decimal:
    if row.base_kind == Enrollment.BaseKind.CITY_MAX:
        return ABOVE_ANY_CEILING
    if row.base_kind == Enrollment.BaseKind.CITY_MIN or row.base is None:
        return ZERO
    return row.base


def _in_force(versions: list[PolicyRules], month: datetime.date) -> PolicyRules | None:
    """The version in force on the month's first day (what a bill of that month uses)."""
    for rules in versions:
        if rules.effective_from <= month and (
                rules.effective_to is None or rules.effective_to >= month):
            return rules
    return None


def _work_injury_rates(enrollment: Enrollment,
                       months: list[datetime.date]) -> dict[datetime.date, Decimal | None]:
    """The contract's work-injury rate of the enrolment's city in each month (None: the
    city's base rate), from the client's contract in force that month, as billing reads it."""
    contracts = list(
        Contract.objects.filter(client_id=enrollment.client_id)
        .exclude(status=Contract.Status.DRAFT)
        .prefetch_related(Prefetch("prices", queryset=ContractPrice.objects.filter(
            city_id=enrollment.city_id)))
        .order_by("-starts_on")
    )
    out: dict[datetime.date, Decimal | None] = {}
    for month in months:
        last = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        out[month] = None
        for contract in contracts:
            if contract.starts_on <= last and contract.ends_on >= month:
                prices = list(contract.prices.all())
                out[month] = prices[0].work_injury_rate if prices else None
                break
    return out


def _chosen(rules: PolicyRules, kind: str, rate: Decimal | None) -> Decimal | None:
    """A chosen rate where the policy lets the client choose it, else the policy's own."""
    item = rules.item(kind)
    if rate is None or item is None or not item.choosable:
        return None
    return rate


def _compute(rules: PolicyRules, basis: dict[str, Any]) -> Contribution:
    fund_rate, work_rate = basis.get("fund_rate"), basis.get("work_injury_rate")
    return contributions(
        rules, base=Decimal(basis["base"]),
        housing_fund_base=Decimal(basis["fund_base"]) if basis.get("fund_base") else None,
        housing_fund_rate=_chosen(rules, HOUSING_FUND,
                                  Decimal(fund_rate) if fund_rate is not None else None),
        work_injury_rate=_chosen(rules, WORK_INJURY,
                                 Decimal(work_rate) if work_rate is not None else None),
        housing_fund=bool(basis["housing_fund"]),
        social_insurance=bool(basis["social_insurance"]),
    )


def _check_period(case: Case) -> list[datetime.date]:
    if case.type != CaseType.BACK_PAYMENT:
        raise _refused("not_back_payment", "只有补缴事项才计算补缴月份 / Only a back-payment "
                       "case has months to compute", "type")
    errors = []
    if case.period_from is None:
        errors.append(ErrorDetail("required", "请填写补缴起始月份 / Give the first month",
                                  field="period_from"))
    if case.period_to is None:
        errors.append(ErrorDetail("required", "请填写补缴截止月份 / Give the end month",
                                  field="period_to"))
    if errors:
        raise ValidationFailed(errors)
    assert case.period_from is not None and case.period_to is not None  # noqa: S101 - checked
    months = months_between(case.period_from, case.period_to)
    if not months:
        raise _refused("period_invalid", "补缴截止月份须晚于起始月份 / The end month must come "
                       "after the first month", "period_to")
    return months


@transaction.atomic
def backpay_compute(*, case: Case) -> list[BackPaymentMonth]:
    """The months [period_from, period_to) of a back-payment case, each computed with the
    policy version of the enrolment's city in force that month, at the enrolment's base of
    that month, stored as `BackPaymentMonth` rows (the months no bill has charged yet are
    replaced; a charged month is kept as charged). A month without a policy is refused
    naming `period_from` (before the first month that has one) or `period_to`, and the
    month. Returns every month of the case, oldest first."""
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one computation at a time
    months = _check_period(case)
    enrollment = _case_enrollment(case)
    versions = policy_rules_between(city=enrollment.city, first=months[0], last=months[-1])
    by_month = {m: _in_force(versions, m) for m in months}
    missing = [m for m in months if by_month[m] is None]
    if missing:
        first_covered = next((m for m in months if by_month[m] is not None), None)
        raise ValidationFailed([ErrorDetail(
            "no_policy",
            f"{enrollment.city.name} {m:%Y-%m} 没有生效的缴费政策 / No contribution policy of "
            f"{enrollment.city.code} is in force in {m:%Y-%m}",
            field="period_from" if first_covered is None or m < first_covered else "period_to",
        ) for m in missing])

    # the months a bill charged stay as they are; the others are computed afresh (the
    # delete waits for a bill run holding them, so the marks read next are its own)
    BackPaymentMonth.objects.filter(case=case, billed_bill_id__isnull=True).delete()
    billed = set(BackPaymentMonth.objects.filter(case=case, billed_bill_id__isnull=False)
                 .values_list("month", flat=True))
    rows = base_rows([enrollment.pk]).get(enrollment.pk)
    work_rates = _work_injury_rates(enrollment, months)
    fund = enrollment.scheme == Scheme.HOUSING_FUND
    new = []
    for month in months:
        if month in billed:
            continue
        rules = by_month[month]
        assert rules is not None and rules.version_id is not None  # noqa: S101 - checked above
        row = base_row_in_month(rows, enrollment, month)
        base = _declared(row)
        work_rate = work_rates[month]
        basis: dict[str, Any] = {
            "base": f"{base:.2f}", "fund_base": f"{base:.2f}" if fund else None,
            "fund_rate": str(row.rate) if fund and row.rate is not None else None,
            "work_injury_rate": str(work_rate) if work_rate is not None else None,
            "social_insurance": not fund, "housing_fund": fund,
        }
        contribution = _compute(rules, basis)
        items = [{"kind": i.kind, "base": f"{i.base:.2f}", "employer": f"{i.employer:.2f}",
                  "employee": f"{i.employee:.2f}"} for i in contribution.items]
        new.append(BackPaymentMonth(
            case=case, month=month, city_id=enrollment.city_id,
            policy_version_id=rules.version_id,
            base=contribution.items[0].base if contribution.items else base,
            employer=contribution.employer, employee=contribution.employee,
            total=contribution.employer + contribution.employee,
            detail={"items": items, "basis": basis, "enrollment": enrollment.pk,
                    "scheme": enrollment.scheme, "policy": rules.name},
        ))
    BackPaymentMonth.objects.bulk_create(new)
    return list(backpay_months(case=case))


def backpay_months(*, case: Case) -> QuerySet[BackPaymentMonth]:
    """The months a back-payment case owes, oldest first, with their city and version."""
    return (BackPaymentMonth.objects.filter(case=case)
            .select_related("city", "policy_version").order_by("month"))


def backpay_months_mark_billed(*, month_ids: Iterable[int], bill_id: int) -> int:
    """Billing charged these months on bill `bill_id` (each month of a case once)."""
    ids = list(month_ids)
    if not ids:
        return 0
    return BackPaymentMonth.objects.filter(pk__in=ids).update(billed_bill_id=bill_id)


def backpay_months_release(*, bill_id: int) -> int:
    """The months bill `bill_id` charged are free again (the bill was voided, or a draft is
    being recomputed): the client's next bill charges them."""
    return BackPaymentMonth.objects.filter(billed_bill_id=bill_id).update(billed_bill_id=None)
