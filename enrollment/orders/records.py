"""What a roster order's lines mean for the persons' records: who the persons are, what
they are enrolled in now (in every city, with every client), what is being added for
them, and how many persons the client's representative would serve. Read in a handful of
queries whatever the number of lines; `validation.order_validate` asks it after each
line's own fields are checked."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from agency import deadlines
from agency.calendar import WorkingCalendar
from agency.crypto import lookup_hash
from agency.errors import DomainError, ErrorDetail
from clients.models import Client
from clients.services import MAX_PERSONS_PER_REP
from enrollment.models import (
    OPEN_TASK_STATUSES,
    Enrollment,
    InsuredPerson,
    LineAction,
    RosterLine,
    RosterTask,
    Scheme,
)
from enrollment.persons.id_numbers import IdCheck
from policies.models import City

CHUNK = 2000


@dataclass
class Line:
    """A line that passed the per-line checks, ready to be checked against the records
    and saved. `effective_month` is the month it takes effect; for an add (or a base
    adjustment) dated before the earliest month the city still accepts, `backpay_months`
    lists the months before that which are paid late (补缴)."""

    line_no: int
    action: str
    check: IdCheck
    name: str
    city: City
    hukou_type: str
    base_kind: str
    base: Decimal | None
    effective_date: datetime.date
    reason: str
    phone: str
    schemes: list[str]
    wants_fund: bool = True
    person: InsuredPerson | None = None
    enrollments: dict[str, Enrollment] = field(default_factory=dict)  # remove / adjust
    effective_month: datetime.date | None = None
    backpay_months: list[datetime.date] = field(default_factory=list)
    id_hash: str = ""  # lookup_hash(id_number), worked out once by the validation

    @property
    def id_number(self) -> str:
        return self.check.number


@dataclass
class Known:
    """What the database knows of the persons an order names, AS FAR AS THE CLIENT MAY
    KNOW IT: the client's own enrolments and adds in progress, and which of the persons it
    employs or employed (`related`). Another client's enrolments never reach a client's
    validation, so an error cannot tell a client what another holds about a person
    (STD-6.1); the bureau's one-enrolment rule is still kept, by staff: the line shows them
    the conflict (`selectors.line_conflicts`) and `enrollment_open` refuses a second active
    enrolment when they mark it succeeded."""

    persons: dict[str, InsuredPerson]  # lookup hash → person
    active: dict[int, list[Enrollment]]  # person → the client's active enrolments, any city
    pending: dict[int, set[tuple[int, str]]]  # person → (city, scheme) the client is adding
    related: set[int] = field(default_factory=set)  # persons the client employs or employed

    def active_in(self, person: InsuredPerson | None, city: City) -> dict[str, Enrollment]:
        if person is None:
            return {}
        return {e.scheme: e for e in self.active.get(person.pk, []) if e.city_id == city.pk}

    def pending_in(self, person: InsuredPerson | None, city: City) -> set[str]:
        if person is None:
            return set()
        return {s for c, s in self.pending.get(person.pk, set()) if c == city.pk}


def known_persons(hashes: Sequence[str], *, client_id: int) -> Known:
    persons: dict[str, InsuredPerson] = {}
    for start in range(0, len(hashes), CHUNK):
        for person in InsuredPerson.objects.filter(id_number_hash__in=hashes[start:start + CHUNK]):
            persons[person.id_number_hash] = person
    ids = [p.pk for p in persons.values()]
    active: dict[int, list[Enrollment]] = {}
    pending: dict[int, set[tuple[int, str]]] = {}
    related: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for e in Enrollment.objects.filter(person_id__in=chunk, client_id=client_id
                                           ).select_related("city"):
            related.add(e.person_id)
            if e.status == Enrollment.Status.ACTIVE:
                active.setdefault(e.person_id, []).append(e)
        for person_id, city_id, scheme in RosterTask.objects.filter(
            line__person_id__in=chunk, line__action=LineAction.ADD,
            line__order__client_id=client_id, status__in=OPEN_TASK_STATUSES,
        ).values_list("line__person_id", "line__city_id", "scheme"):
            pending.setdefault(person_id, set()).add((city_id, scheme))
        related.update(RosterLine.objects.filter(person_id__in=chunk, order__client_id=client_id)
                       .values_list("person_id", flat=True).distinct())
    return Known(persons, active, pending, related)


def _err(errors: list[ErrorDetail], line: int, field: str, code: str, message: str) -> None:
    errors.append(ErrorDetail(code=code, message=message, field=field, line=line))


MSG = {
    "already_enrolled": "该人员已由本单位在该城市参保或正在增员 / Already enrolled (or being "
    "added) by your company in this city",
    "not_enrolled": "该人员在该城市未由本单位参保 / Not enrolled by this client in this city",
    "name_mismatch": "姓名与身份证号对应的人员不一致 / The name does not match the person with "
    "this ID number",
    "scheme_not_in_contract": "合同不含住房公积金 / The contract does not cover the "
    "housing fund",
}


def check_removal(line: Line, *, client: Client, known: Known, errors: list[ErrorDetail]) -> bool:
    """A removal or base adjustment: the client's own active enrolments of the person in
    that city (all of them unless the line names its schemes)."""
    n = line.line_no
    mine = {s: e for s, e in known.active_in(line.person, line.city).items()
            if e.client_id == client.pk}
    if not line.schemes:
        line.schemes = sorted(mine)
    if not line.schemes or any(s not in mine for s in line.schemes):
        _err(errors, n, "id_number", "not_enrolled", MSG["not_enrolled"])
        return False
    line.enrollments = {s: mine[s] for s in line.schemes}
    if not line.name and line.person is not None:
        line.name = line.person.name
    return True


def check_add(
    line: Line, *, covers_housing_fund: bool, known: Known,
    leaving: set[tuple[int, int, str]], errors: list[ErrorDetail],
) -> bool:
    """An add: the schemes (the contract's, unless the line names them), not already
    enrolled or being added by this client in this city, and enrolled by it nowhere else at
    the same time (重复参保): a person the client enrolled in another city must leave it in
    the same order (`leaving`: (person, city, scheme) removed by this order). `known`
    holds only the client's own enrolments (see `Known`)."""
    n = line.line_no
    if not line.schemes:
        line.schemes = [Scheme.SOCIAL_INSURANCE]
        if covers_housing_fund and line.wants_fund:
            line.schemes.append(Scheme.HOUSING_FUND)
    if Scheme.HOUSING_FUND in line.schemes and not covers_housing_fund:
        _err(errors, n, "schemes", "scheme_not_in_contract", MSG["scheme_not_in_contract"])
        return False
    here = set(known.active_in(line.person, line.city)) | known.pending_in(line.person,
                                                                            line.city)
    if set(line.schemes) & here:
        _err(errors, n, "id_number", "already_enrolled", MSG["already_enrolled"])
        return False
    elsewhere = _enrolled_elsewhere(line, known, leaving)
    if elsewhere:
        names = "、".join(dict.fromkeys(city.name for city, _scheme in elsewhere))
        codes = ", ".join(dict.fromkeys(city.code for city, _scheme in elsewhere))
        _err(errors, n, "id_number", "already_enrolled",
             f"该人员已在{names}参保，须在同一派单中先在该地减员或转移 / The person is "
             f"enrolled in {codes}: remove (or transfer) them there in the same order first")
        return False
    return True


def _enrolled_elsewhere(
    line: Line, known: Known, leaving: set[tuple[int, int, str]]
) -> list[tuple[City, str]]:
    if line.person is None:
        return []
    person = line.person.pk
    found = [
        (e.city, e.scheme) for e in known.active.get(person, [])
        if e.city_id != line.city.pk and e.scheme in line.schemes
        and (person, e.city_id, e.scheme) not in leaving
    ]
    pending_cities = {c for c, s in known.pending.get(person, set())
                      if c != line.city.pk and s in line.schemes}
    if pending_cities:
        found += [(c, "") for c in City.objects.filter(pk__in=pending_cities)]
    return found


def person_of(line: Line, known: Known, errors: list[ErrorDetail]) -> bool:
    """The line's person, if known; a different name for the number of a person the client
    employs (or employed) is refused. For anyone else the client learns nothing — not even
    that the agency knows the number: the line goes on with the name given, and staff see
    the difference (`selectors.line_conflicts`)."""
    person = known.persons.get(line.id_hash or lookup_hash(line.id_number))
    if (person is not None and person.pk in known.related and line.name
            and line.name != person.name):
        _err(errors, line.line_no, "name", "name_mismatch", MSG["name_mismatch"])
        return False
    line.person = person
    return True


# --- when each line takes effect ----------------------------------------------------


def _plain_month(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def set_effective_month(
    line: Line, *, earliest: datetime.date, errors: list[ErrorDetail]
) -> bool:
    """The month the line takes effect (STD-4.6): the requested month, never earlier than
    the city's cut-off allows (`earliest`). A removal dated earlier takes effect at
    `earliest` (the bureau charges until then). An add or base adjustment dated earlier
    is a back-payment (补缴) when the city still takes those months late (its window per
    scheme, and across the year end only where allowed): it takes effect in the requested
    month and lists the months paid late; else it is refused, naming the earliest month."""
    requested = deadlines.month_start(line.effective_date)
    if line.action == LineAction.REMOVE or requested >= earliest:
        line.effective_month = max(requested, earliest)
        return _removal_after_start(line, errors)
    floor = backpay_floor(line.city, line.schemes, earliest)
    if requested < floor:
        if floor == earliest:
            zh = f"该城市不接受补缴，最早生效月份为 {_plain_month(earliest)}"
            en = f"this city takes no back-payment; the earliest month is {_plain_month(earliest)}"
        else:
            zh = (f"最早可自 {_plain_month(floor)} 起补缴（正常生效最早为 "
                  f"{_plain_month(earliest)}）")
            en = (f"months can be paid late back to {_plain_month(floor)} at the earliest "
                  f"(the earliest regular month is {_plain_month(earliest)})")
        _err(errors, line.line_no, "effective_date", "date_too_early",
             f"日期过早：{zh} / The date is too early: {en}")
        return False
    line.effective_month = requested
    line.backpay_months = deadlines.months_between(requested, earliest)
    return True


def backpay_floor(city: City, schemes: Iterable[str], earliest: datetime.date) -> datetime.date:
    """The earliest month an add in `city` may still be paid late from, for all of the
    line's schemes (the strictest window wins)."""
    months = min((city.backpay_months(s) for s in schemes), default=0)
    floor = deadlines.add_months(earliest, -months)
    if not city.backpay_across_year:
        floor = max(floor, earliest.replace(month=1))
    return floor


def _removal_after_start(line: Line, errors: list[ErrorDetail]) -> bool:
    """A removal stops charging from its effective month: that must be after the
    enrolment's first month (else the enrolment would end before it began)."""
    if line.action != LineAction.REMOVE or line.effective_month is None:
        return True
    for enrollment in line.enrollments.values():
        first = enrollment.first_billed_month or (
            deadlines.month_start(enrollment.starts_on) if enrollment.starts_on else None)
        if first is not None and line.effective_month <= first:
            _err(errors, line.line_no, "effective_date", "date_before_enrolment",
                 f"减员生效月份 {_plain_month(line.effective_month)} 不晚于参保起始月 "
                 f"{_plain_month(first)} / The removal would take effect in "
                 f"{_plain_month(line.effective_month)}, not after the enrolment's first "
                 f"month {_plain_month(first)}")
            return False
    return True


def earliest_months(
    cities: Iterable[City], received_at: datetime.datetime, calendar: WorkingCalendar
) -> dict[int, datetime.date]:
    """The earliest effective month of each city for an order received at `received_at`
    (the cut-off is per city: worked out once per city, not per line)."""
    return {city.pk: deadlines.earliest_effective_month(received_at, city.order_cutoff_day,
                                                         calendar) for city in cities}


# --- the representative's load (STD-3.2.4) ------------------------------------------


def rep_load_after(*, client: Client, lines: Sequence[Line]) -> int | None:
    """How many insured persons the client's representative would serve with this order's
    adds: the persons active with any of the representative's clients or being added for
    them, and the new persons of this order. None when the client has no representative."""
    rep_id = client.service_rep_id
    if rep_id is None:
        return None
    served = Enrollment.objects.filter(
        client__service_rep_id=rep_id, status=Enrollment.Status.ACTIVE
    ).values_list("person_id", flat=True).distinct()
    pending = RosterTask.objects.filter(
        line__order__client__service_rep_id=rep_id, line__action=LineAction.ADD,
        status__in=OPEN_TASK_STATUSES,
    ).values_list("line__person_id", flat=True).distinct()
    persons = set(served) | set(pending)
    new_numbers = set()
    for line in lines:
        if line.action != LineAction.ADD:
            continue
        if line.person is not None:
            persons.add(line.person.pk)
        else:
            new_numbers.add(line.id_number)
    return len(persons) + len(new_numbers)


def check_rep_load(*, client: Client, lines: Sequence[Line]) -> None:
    """Refuse an order whose adds would push the client's representative past 500 insured
    persons (STD-3.2.4): a manager assigns another representative first."""
    load = rep_load_after(client=client, lines=lines)
    if load is not None and load > MAX_PERSONS_PER_REP:
        rep = client.service_rep
        raise DomainError(
            code="rep_overloaded",
            message=f"本派单增员后，客服专员 {rep} 将服务 {load} 名参保人员，超过上限 "
                    f"{MAX_PERSONS_PER_REP} 人；请经理先为该客户另行指派客服专员 / With this "
                    f"order's adds the service representative {rep} would serve {load} insured "
                    f"persons, more than {MAX_PERSONS_PER_REP}: a manager must first assign "
                    "the client another representative",
        )
