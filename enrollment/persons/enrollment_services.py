"""Writes of enrolments (参保): open (增员 / 公积金开户), end (减员), adjust the base (调基),
and the housing fund's seal (封存), unseal (启封) and transfer (转移)."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from agency.deadlines import month_start
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import User
from clients.models import Client
from enrollment.models import Enrollment, EnrollmentBase, InsuredPerson, Scheme
from policies.calculator import HOUSING_FUND
from policies.models import City
from policies.selectors import policy_rules_for_month


@transaction.atomic
def enrollment_open(
    *,
    person: InsuredPerson,
    client: Client,
    city: City,
    scheme: str,
    starts_on: datetime.date,
    actor: User | None,
    base_kind: str = Enrollment.BaseKind.DECLARED,
    base: Decimal | None = None,
    rate: Decimal | None = None,
    bureau_account_number: str = "",
    first_billed_month: datetime.date | None = None,
) -> Enrollment:
    """Open an active enrolment (增员 / 公积金开户) of a person with a client in a city and
    one scheme. A person has at most one active enrolment per city and scheme."""
    errors: list[ErrorDetail] = []
    if base_kind == Enrollment.BaseKind.DECLARED and (base is None or base <= 0):
        errors.append(ErrorDetail("base_invalid", "缴费基数无效 / Contribution base is not valid",
                                  field="base"))
    if rate is not None and not (Decimal(0) < rate < Decimal(1)):
        errors.append(ErrorDetail("rate_invalid", "缴存比例无效 / Rate is not valid",
                                  field="rate"))
    if errors:
        raise ValidationFailed(errors)
    _refuse_a_second_active(person=person, city=city, scheme=scheme)
    first_month = month_start(first_billed_month or starts_on)
    if scheme == Scheme.HOUSING_FUND:
        rate = fund_rate(city=city, month=first_month, chosen=rate)
    enrollment = Enrollment(
        person=person, client=client, city=city, scheme=scheme,
        status=Enrollment.Status.ACTIVE, starts_on=starts_on, base_kind=base_kind,
        base=base if base_kind == Enrollment.BaseKind.DECLARED else None, rate=rate,
        bureau_account_number=bureau_account_number, first_billed_month=first_month,
    )
    record_actor(enrollment, actor)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:  # a concurrent open won the race
        raise DomainError(code="already_enrolled",
                          message="该人员在此城市已参保 / Already enrolled in this city",
                          status=409) from exc
    _base_from(enrollment, month=first_month, actor=actor)
    return enrollment


def _refuse_a_second_active(*, person: InsuredPerson, city: City, scheme: str) -> None:
    """One person, one active enrolment per scheme anywhere in the country (重复参保 is
    refused by the bureaus): a move to another city ends the old enrolment first."""
    current = (Enrollment.objects.filter(person=person, scheme=scheme,
                                         status=Enrollment.Status.ACTIVE)
               .select_related("city").first())
    if current is None:
        return
    if current.city_id == city.pk:
        raise DomainError(code="already_enrolled",
                          message="该人员在此城市已参保 / Already enrolled in this city",
                          status=409)
    raise DomainError(
        code="already_enrolled", status=409,
        message=f"该人员已在{current.city.name}参保，须先在该地减员或转移 / The person is "
                f"enrolled in {current.city.code}: end (or transfer) that enrolment first",
    )


def fund_rate(*, city: City, month: datetime.date, chosen: Decimal | None) -> Decimal | None:
    """The housing-fund rate an enrolment of `city` pays from `month`: the client's chosen
    rate where the city lets it choose (refused outside the city's range, naming it), the
    city's own where its policy fixes the rate. Without a policy in force, as chosen."""
    try:
        policy = policy_rules_for_month(city=city, month=month)
    except DomainError:
        return chosen
    item = policy.item(HOUSING_FUND)
    if item is None:
        return chosen
    if chosen is not None and item.rate_problem(chosen):
        low, high = f"{item.rate_min:.2f}", f"{item.rate_max:.2f}"
        raise ValidationFailed([ErrorDetail(
            "rate_out_of_range",
            f"{city.name}的住房公积金缴存比例须在 {low} 至 {high} 之间 / The housing fund "
            f"rate of {city.code} must lie between {low} and {high}",
            field="rate")])
    return item.rate_for(chosen)


def _base_from(enrollment: Enrollment, *, month: datetime.date, actor: User | None) -> None:
    """The enrolment's base (and rate) from `month` on, as it now stands: a row of its base
    history (replacing a row of the same month)."""
    row, _created = EnrollmentBase.objects.update_or_create(
        enrollment=enrollment, starts_month=month,
        defaults={"base_kind": enrollment.base_kind, "base": enrollment.base,
                  "rate": enrollment.rate},
    )
    record_actor(row, actor)


def _save(enrollment: Enrollment, actor: User | None) -> Enrollment:
    record_actor(enrollment, actor)
    enrollment.save()
    return enrollment


def _require_status(enrollment: Enrollment, *statuses: str) -> None:
    if enrollment.status not in statuses:
        raise DomainError(code="invalid_transition",
                          message="当前状态不允许此操作 / Not allowed in the current status",
                          status=409)


@transaction.atomic
def enrollment_end(
    *, enrollment: Enrollment, ends_on: datetime.date, reason: str, actor: User | None
) -> Enrollment:
    """减员: the enrolment ends on a date for a reason."""
    _require_status(enrollment, Enrollment.Status.ACTIVE, Enrollment.Status.SEALED,
                    Enrollment.Status.PENDING)
    if enrollment.starts_on and ends_on < enrollment.starts_on:
        raise ValidationFailed([ErrorDetail("date_invalid",
                                            "结束日期早于开始日期 / Ends before it starts",
                                            field="ends_on")])
    enrollment.status = Enrollment.Status.ENDED
    enrollment.ends_on = ends_on
    enrollment.end_reason = reason
    return _save(enrollment, actor)


@transaction.atomic
def enrollment_adjust_base(
    *, enrollment: Enrollment, base_kind: str, base: Decimal | None, actor: User | None,
    from_month: datetime.date, rate: Decimal | None = None,
) -> Enrollment:
    """调基: a new declared base (or the city's minimum / maximum), optionally a new rate,
    from `from_month` on. Earlier months keep the base they had (and were billed at);
    every month from `from_month` takes the new one."""
    _require_status(enrollment, Enrollment.Status.ACTIVE, Enrollment.Status.PENDING)
    if base_kind == Enrollment.BaseKind.DECLARED and (base is None or base <= 0):
        raise ValidationFailed([ErrorDetail("base_invalid",
                                            "缴费基数无效 / Contribution base is not valid",
                                            field="base")])
    month = month_start(from_month)
    first = enrollment.first_billed_month or month_start(enrollment.starts_on or month)
    if month < first:
        raise ValidationFailed([ErrorDetail(
            "date_before_enrolment",
            f"调基月份早于参保起始月 {first:%Y-%m} / The base cannot change before the "
            f"enrolment's first month {first:%Y-%m}", field="effective_date")])
    if rate is not None and enrollment.scheme == Scheme.HOUSING_FUND:
        rate = fund_rate(city=enrollment.city, month=month, chosen=rate)
    later = enrollment.bases.filter(starts_month__gt=month)
    if not later.exists():  # the newest base is the one the enrolment shows
        enrollment.base_kind = base_kind
        enrollment.base = base if base_kind == Enrollment.BaseKind.DECLARED else None
        if rate is not None:
            enrollment.rate = rate
        _save(enrollment, actor)
    row, _created = EnrollmentBase.objects.update_or_create(
        enrollment=enrollment, starts_month=month,
        defaults={"base_kind": base_kind,
                  "base": base if base_kind == Enrollment.BaseKind.DECLARED else None,
                  "rate": rate if rate is not None else enrollment.rate},
    )
    record_actor(row, actor)
    return enrollment


def _require_housing_fund(enrollment: Enrollment) -> None:
    if enrollment.scheme != Enrollment.Scheme.HOUSING_FUND:
        raise DomainError(code="invalid_transition",
                          message="仅适用于住房公积金 / Housing fund only", status=409)


@transaction.atomic
def housing_fund_seal(
    *, enrollment: Enrollment, on: datetime.date, actor: User | None
) -> Enrollment:
    """封存: the fund account is kept but nothing is paid in from this date."""
    _require_housing_fund(enrollment)
    _require_status(enrollment, Enrollment.Status.ACTIVE)
    enrollment.status = Enrollment.Status.SEALED
    enrollment.sealed_on = on
    return _save(enrollment, actor)


@transaction.atomic
def housing_fund_unseal(*, enrollment: Enrollment, actor: User | None) -> Enrollment:
    """启封: payments resume on the sealed account."""
    _require_housing_fund(enrollment)
    _require_status(enrollment, Enrollment.Status.SEALED)
    if Enrollment.objects.filter(
        person_id=enrollment.person_id, city_id=enrollment.city_id, scheme=enrollment.scheme,
        status=Enrollment.Status.ACTIVE,
    ).exists():
        raise DomainError(code="already_enrolled",
                          message="该人员在此城市已参保 / Already enrolled in this city",
                          status=409)
    enrollment.status = Enrollment.Status.ACTIVE
    enrollment.sealed_on = None
    return _save(enrollment, actor)


@transaction.atomic
def housing_fund_transfer(
    *, enrollment: Enrollment, client: Client, city: City, on: datetime.date,
    actor: User | None, base: Decimal | None = None, rate: Decimal | None = None,
) -> Enrollment:
    """转移: the fund account moves to another client or city; the old enrolment ends the
    day before, the new one starts on `on` with the same account number."""
    _require_housing_fund(enrollment)
    _require_status(enrollment, Enrollment.Status.ACTIVE, Enrollment.Status.SEALED)
    enrollment_end(enrollment=enrollment, ends_on=on - datetime.timedelta(days=1),
                   reason=Enrollment.EndReason.TRANSFER, actor=actor)
    return enrollment_open(
        person=enrollment.person, client=client, city=city, scheme=enrollment.scheme,
        starts_on=on, actor=actor, base_kind=enrollment.base_kind,
        base=base if base is not None else enrollment.base,
        rate=rate if rate is not None else enrollment.rate,
        bureau_account_number=enrollment.bureau_account_number,
    )


def enrollments_mark_billed(*, through: dict[int, datetime.date | None]) -> int:
    """Record the last day an issued bill charged each enrolment (`{enrollment id: day}`;
    None: never), so the next bill charges the months after it and refunds any after the
    enrolment's end. Billing calls this when it issues (or voids) a bill; one UPDATE per
    distinct day."""
    by_day: dict[datetime.date | None, list[int]] = {}
    for pk, day in through.items():
        by_day.setdefault(day, []).append(pk)
    changed = 0
    for day, pks in by_day.items():
        for start in range(0, len(pks), 5000):
            changed += Enrollment.objects.filter(pk__in=pks[start:start + 5000]).update(
                billed_through=day)
    return changed
