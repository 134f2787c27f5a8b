"""法定退休年龄 (the statutory retirement age) as data, the client's persons who reach it
soon, and the end of their enrolments when a retirement case succeeds.

The rule is the 2024 decision of the NPC Standing Committee (全国人民代表大会常务委员会关于
实施渐进式延迟法定退休年龄的决定, in force from 2025-01-01, over fifteen years) and its
three 对照表: the age rises by one month for every four months of birth (men, from 60 to
63; women whose original age is 55, 女职工 in 管理和技术岗位, "cadres", from 55 to 58) or
every two months of birth (women whose original age is 50, 女工人, "workers", from 50 to
55), starting with those whose original retirement month would have been January 2025.

`REFORM` holds that rule as three rows (category, original age, first birth month the
reform reaches, birth months per month of delay, the most months of delay); `age_table`
expands a row into the official table's rows (birth months → age in months), which the
tests check at every boundary:

    male           …–1964-12: 60y    1965-01..04: 60y1m   1965-05..08: 60y2m  …  1976-09–: 63y
    female_cadre   …–1969-12: 55y    1970-01..04: 55y1m   …                      1981-09–: 58y
    female_worker  …–1974-12: 50y    1975-01..02: 50y1m   …  1984-09..10: 54y11m 1984-11–: 55y

A person's retirement date is the day they reach that age (birth date + age in months,
clamped to the month's end); its month is the official table's 改革后退休时间.

The person model has a sex and a birth date but no category: a man is `male`; a woman is
`female_worker` (the earlier date, 50) unless the caller says `female_cadre`. Pages show
both dates of a woman, and `persons_retiring` lists a woman when either date falls in the
window (the agency confirms her category with the client in the retirement case)."""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q

from agency.deadlines import add_months, month_start
from agency.models import User
from agency.viewer import Viewer, scope_to_viewer
from enrollment.models import Case, Enrollment, InsuredPerson
from enrollment.persons.enrollment_services import enrollment_end

MALE = "male"
FEMALE_CADRE = "female_cadre"
FEMALE_WORKER = "female_worker"
CATEGORIES = (MALE, FEMALE_CADRE, FEMALE_WORKER)
REFORM_STARTS = datetime.date(2025, 1, 1)


class ReformRow(NamedTuple):
    """One category's rule: born before `first_birth_month`, the original age; from it,
    one more month for every `step` months of birth, at most `max_delay` months."""

    category: str
    original_age: int  # months
    first_birth_month: datetime.date
    step: int  # months of birth per month of delay
    max_delay: int  # months


REFORM: dict[str, ReformRow] = {
    MALE: ReformRow(MALE, 60 * 12, datetime.date(1965, 1, 1), 4, 36),
    FEMALE_CADRE: ReformRow(FEMALE_CADRE, 55 * 12, datetime.date(1970, 1, 1), 4, 36),
    FEMALE_WORKER: ReformRow(FEMALE_WORKER, 50 * 12, datetime.date(1975, 1, 1), 2, 60),
}


class AgeRow(NamedTuple):
    """A row of the official table: born in [first, last] (months; last None: and later)
    → the statutory age in months."""

    first: datetime.date | None  # None: and earlier
    last: datetime.date | None  # None: and later
    age_months: int


def _months_after(first: datetime.date, month: datetime.date) -> int:
    return (month.year - first.year) * 12 + month.month - first.month


def age_table(category: str) -> list[AgeRow]:
    """The category's full table, oldest births first: the row before the reform, one row
    per month of delay, the last one open-ended."""
    rule = REFORM[category]
    rows = [AgeRow(None, add_months(rule.first_birth_month, -1), rule.original_age)]
    for delay in range(1, rule.max_delay + 1):
        first = add_months(rule.first_birth_month, (delay - 1) * rule.step)
        last = add_months(first, rule.step - 1) if delay < rule.max_delay else None
        rows.append(AgeRow(first, last, rule.original_age + delay))
    return rows


def category_of(sex: str, category: str | None = None) -> str:
    """The category of a person of `sex` ("M" / "F"): a man is `male`; a woman is the
    caller's `female_cadre` or `female_worker`, by default `female_worker`."""
    if sex == InsuredPerson.Sex.MALE:
        return MALE
    if sex == InsuredPerson.Sex.FEMALE:
        if category in (FEMALE_CADRE, FEMALE_WORKER):
            return category
        if category in (None, ""):
            return FEMALE_WORKER
        raise ValueError(f"a woman's category is female_cadre or female_worker, not {category!r}")
    raise ValueError(f"unknown sex {sex!r}")


def retirement_age_months(*, birth_date: datetime.date, sex: str,
                          category: str | None = None) -> int:
    """The statutory retirement age, in months, of a person born on `birth_date`."""
    rule = REFORM[category_of(sex, category)]
    born = month_start(birth_date)
    if born < rule.first_birth_month:
        return rule.original_age
    delay = _months_after(rule.first_birth_month, born) // rule.step + 1
    return rule.original_age + min(delay, rule.max_delay)


def retirement_date(*, birth_date: datetime.date, sex: str,
                    category: str | None = None) -> datetime.date:
    """The day the person reaches the statutory retirement age."""
    return add_months(birth_date, retirement_age_months(
        birth_date=birth_date, sex=sex, category=category))


@dataclass(frozen=True)
class RetirementDate:
    category: str
    age_months: int
    on: datetime.date

    @property
    def years(self) -> int:
        return self.age_months // 12

    @property
    def months(self) -> int:
        return self.age_months % 12


@dataclass(frozen=True)
class RetiringPerson:
    """A person of a client reaching the statutory age soon (the page shows the birth
    year and month only, never the full birth date)."""

    person_id: int
    name: str
    id_number_masked: str
    sex: str
    birth_year: int
    birth_month: int
    client_id: int
    client_name: str
    dates: tuple[RetirementDate, ...]  # a man: one; a woman: worker (50), then cadre (55)
    in_window: tuple[str, ...]  # the categories whose date falls in the window

    @property
    def retirement_date(self) -> datetime.date:
        """The first date in the window."""
        return min(d.on for d in self.dates if d.category in self.in_window)

    @property
    def is_female(self) -> bool:
        return self.sex == InsuredPerson.Sex.FEMALE


def _dates(person: InsuredPerson) -> tuple[RetirementDate, ...]:
    assert person.birth_date is not None  # noqa: S101 - filtered by the query
    categories = (MALE,) if person.sex == InsuredPerson.Sex.MALE else (
        FEMALE_WORKER, FEMALE_CADRE)
    out = []
    for category in categories:
        age = retirement_age_months(birth_date=person.birth_date, sex=person.sex,
                                    category=category)
        out.append(RetirementDate(category, age, add_months(person.birth_date, age)))
    return tuple(out)


def _born_between(today: datetime.date, end: datetime.date) -> Q:
    """Who could reach a statutory age in [today, end]: a man aged 60–63, a woman 50–58
    (a bound for the query; the exact dates are worked out per person)."""
    male = [REFORM[MALE]]
    female = [REFORM[FEMALE_WORKER], REFORM[FEMALE_CADRE]]
    q = Q()
    for sex, rules in ((InsuredPerson.Sex.MALE, male), (InsuredPerson.Sex.FEMALE, female)):
        youngest = min(r.original_age for r in rules)
        oldest = max(r.original_age + r.max_delay for r in rules)
        q |= Q(person__sex=sex,
               person__birth_date__gt=add_months(today, -oldest) - datetime.timedelta(days=31),
               person__birth_date__lte=add_months(end, -youngest))
    return q


def persons_retiring(*, viewer: Viewer, today: datetime.date, months: int = 6,
                     client_id: int | None = None) -> list[RetiringPerson]:
    """The persons with an active enrolment with the viewer's client (staff: any client,
    or `client_id`) whose retirement date falls in [today, today + `months` months],
    soonest first; one row per person and client. One query."""
    end = add_months(today, months)
    enrollments = scope_to_viewer(
        Enrollment.objects.filter(status=Enrollment.Status.ACTIVE), viewer, "client_id")
    if client_id is not None:
        enrollments = enrollments.filter(client_id=client_id)
    enrollments = (
        enrollments.filter(_born_between(today, end))
        .select_related("person", "client")
        .only("person_id", "client_id", "person__name", "person__id_number_masked",
              "person__sex", "person__birth_date", "client__name")
        .order_by("person_id", "client_id")
    )
    seen: set[tuple[int, int]] = set()
    out: list[RetiringPerson] = []
    for enrollment in enrollments:
        key = (enrollment.person_id, enrollment.client_id)
        if key in seen:
            continue
        seen.add(key)
        person = enrollment.person
        if person.birth_date is None:
            continue
        dates = _dates(person)
        in_window = tuple(d.category for d in dates if today <= d.on <= end)
        if not in_window:
            continue
        out.append(RetiringPerson(
            person_id=person.pk, name=person.name, id_number_masked=person.id_number_masked,
            sex=person.sex, birth_year=person.birth_date.year,
            birth_month=person.birth_date.month, client_id=enrollment.client_id,
            client_name=enrollment.client.name, dates=dates, in_window=in_window,
        ))
    out.sort(key=lambda r: (r.retirement_date, r.name, r.person_id, r.client_id))
    return out


@transaction.atomic
def retirement_end_enrollments(*, case: Case, actor: User | None,
                               on: datetime.date) -> list[Enrollment]:
    """A retirement case succeeded: the person's open enrolments (active or sealed) with
    the case's client end on `on`, for the reason `retirement` (each through
    `enrollment_end`, so its history records the actor). Enrolments with other clients
    are left alone; running it again ends nothing more."""
    enrollments = list(
        Enrollment.objects.select_for_update()
        .filter(person_id=case.person_id, client_id=case.client_id,
                status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.SEALED])
        .order_by("pk")
    )
    return [enrollment_end(enrollment=e, ends_on=on, reason=Enrollment.EndReason.RETIREMENT,
                           actor=actor) for e in enrollments]
