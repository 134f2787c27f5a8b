"""Writes of enrolments (参保): open (增员 / 公积金开户), end (减员), adjust the base (调基),
and the housing fund's seal (封存), unseal (启封) and transfer (转移)."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import User
from clients.models import Client
from enrollment.models import Enrollment, InsuredPerson
from policies.models import City


def _first_of_month(day: datetime.date | None) -> datetime.date | None:
    return day.replace(day=1) if day else None


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
    if Enrollment.objects.filter(person=person, city=city, scheme=scheme,
                                 status=Enrollment.Status.ACTIVE).exists():
        raise DomainError(code="already_enrolled",
                          message="该人员在此城市已参保 / Already enrolled in this city",
                          status=409)
    enrollment = Enrollment(
        person=person, client=client, city=city, scheme=scheme,
        status=Enrollment.Status.ACTIVE, starts_on=starts_on, base_kind=base_kind,
        base=base if base_kind == Enrollment.BaseKind.DECLARED else None, rate=rate,
        bureau_account_number=bureau_account_number,
        first_billed_month=_first_of_month(first_billed_month or starts_on),
    )
    record_actor(enrollment, actor)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:  # a concurrent open won the race
        raise DomainError(code="already_enrolled",
                          message="该人员在此城市已参保 / Already enrolled in this city",
                          status=409) from exc
    return enrollment


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
    rate: Decimal | None = None,
) -> Enrollment:
    """调基: a new declared base (or the city's minimum / maximum), optionally a new rate."""
    _require_status(enrollment, Enrollment.Status.ACTIVE, Enrollment.Status.PENDING)
    if base_kind == Enrollment.BaseKind.DECLARED and (base is None or base <= 0):
        raise ValidationFailed([ErrorDetail("base_invalid",
                                            "缴费基数无效 / Contribution base is not valid",
                                            field="base")])
    enrollment.base_kind = base_kind
    enrollment.base = base if base_kind == Enrollment.BaseKind.DECLARED else None
    if rate is not None:
        enrollment.rate = rate
    return _save(enrollment, actor)


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
