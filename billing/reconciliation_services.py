"""Writes of bureau reconciliation (稽核 / 对账): compare a bureau's monthly charge detail
with what was billed, and decide each difference.

What counts as billed for a city, month and scheme: the lines of frozen bills (issued,
confirmed, disputed, paid) of that city whose month is that month — the regular line, a
back-payment (补缴) of that month on a later bill, every top-up (补差) of it, including
those an accepted difference put on a bill, and refunds (退费) of it, which take a month
back out — each person's items of the scheme (the housing fund, or every other item)
added up per item; the base is the charged line's. A person whose items of the scheme
come to nothing (refunded) is not billed.

Each person of the file is found by the lookup hash of the ID number; then, person by
person and item by item:
- charged but not billed → NOT_BILLED (the difference is what was charged);
- billed but not in the file → NOT_CHARGED (minus what was billed);
- an item on one side only: the same two kinds, for that item (where one side has
  maternity and the other not, maternity counts within medical: many cities merged it);
- bases differ → BASE;
- else the amounts differ by more than 0.05 on a side (employer or employee; 0.10 on the
  total where the file gives no split), or by less while the bureau's rate is not the
  rate billed (amount ÷ base, to 0.01 %) → RATE;
- else the amounts differ (0.01–0.05 a side) → ROUNDING.
Only the differences are stored; `delta` is the bureau's employer + employee minus ours.

Fast enough for a large agency's month (100,000 persons): one query for the billed lines
(values, no model instances), one per 5,000 ID numbers for the persons, one for the
clients of persons charged but not billed, the comparison in memory, the differences
saved in bulk."""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone

from agency.crypto import lookup_hash
from agency.deadlines import month_start
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.services import audit_record
from agency.xlsx_stream import cyclic_gc_paused
from billing.bureau_files import BureauRow, ChargedItem, read_bureau_file
from billing.generation import month_end
from billing.models import (
    FROZEN_STATUSES,
    BillLine,
    Difference,
    DifferenceKind,
    DifferenceStatus,
    LineType,
    ReconciliationRun,
)
from enrollment.models import Enrollment, InsuredPerson
from enrollment.persons.id_numbers import mask_id_number
from policies.models import City

ZERO = Decimal("0.00")
T = TypeVar("T")
TOLERANCE = Decimal("0.05")  # per side: what rounding can explain
RATE_TOLERANCE = Decimal("0.0001")  # 0.01 %
HOUSING_FUND = "housing_fund"
SOCIAL_INSURANCE = "social_insurance"  # a settlement line's item for a whole charge
MATERNITY, MEDICAL = "maternity", "medical"
CHUNK = 5000
BILLED_TYPES = (LineType.REGULAR, LineType.BACKPAY, LineType.TOPUP, LineType.REFUND)
CHARGE_TYPES = frozenset({LineType.REGULAR.value, LineType.BACKPAY.value})


# --- the two sides ------------------------------------------------------------------------

@dataclass(slots=True)
class Figures:
    """One item's figures on one side. `employer` / `employee` None: the bureau's file
    gives only the total."""

    base: Decimal | None
    employer: Decimal | None
    employee: Decimal | None
    total: Decimal
    employer_rate: Decimal | None = None
    employee_rate: Decimal | None = None

    def add(self, other: "Figures") -> None:
        if self.employer is not None or other.employer is not None:
            self.employer = (self.employer or ZERO) + (other.employer or ZERO)
        if self.employee is not None or other.employee is not None:
            self.employee = (self.employee or ZERO) + (other.employee or ZERO)
        self.total += other.total
        if self.base is None:
            self.base = other.base


@dataclass(frozen=True, slots=True)
class Known:
    """A person of ours: primary key, name and masked ID number."""

    pk: int
    name: str
    masked: str


class _Decimals(dict[str, Decimal]):
    """Decimal of a billed figure, converted once per distinct text ("1600.00")."""

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text)
        return value


Items = list[dict[str, str]]  # a line's items, as stored
# what a billed line is to the month it charged: the charge itself (regular, back-payment),
# an adjustment (a provisional policy's 补差, a refund), or the settlement of an accepted
# difference of an earlier run (补差 with `basis["difference"]`)
CHARGE, ADJUST, SETTLE = "charge", "adjust", "settle"
WHOLE_PERSON = ""  # the item of a difference about a person's whole charge


@dataclass(slots=True)
class Billed:
    """A person's billed lines of the month (their items as stored), the client and line
    the differences name, and the person's name, masked ID number and lookup hash."""

    client_id: int
    line_id: int
    charged_line: bool  # `line_id` is the regular or back-payment line (not a top-up)
    person_id: int
    name: str
    masked: str
    id_hash: str
    lines: list[tuple[str, Items]]  # (CHARGE, ADJUST or SETTLE, its items)

    @property
    def person(self) -> Known:
        return Known(self.person_id, self.name, self.masked)

    def figures(self, fund: bool, decimals: _Decimals) -> dict[str, Figures]:
        """The scheme's items added up over the lines, the base the charge line's; items
        that come to nothing (refunded) are left out. A settled difference counts within
        its item's total, at the base the bureau charged (its split between employer and
        employee is not known: the item is compared by its total). A settled difference
        of a person's whole charge is the entry WHOLE_PERSON."""
        out: dict[str, Figures] = {}
        for role, items in self.lines:
            _add_items(out, items, fund, role, decimals)
        for kind in [k for k, f in out.items() if not f.total and k != WHOLE_PERSON
                     and not f.employer and not f.employee]:
            del out[kind]
        return out


def _billed_lines(city_id: int, month: datetime.date, scheme: str) -> Iterator[tuple[Any, ...]]:
    """The lines of the frozen bills of the month in the city that charge the scheme
    (their scheme's part is not zero), oldest first, the person joined: read with the
    cursor and the items decoded here (Django's per-row converters would double the
    time of a 100,000-line month)."""
    lines = BillLine.objects.filter(city_id=city_id, month_from=month,
                                    line_type__in=BILLED_TYPES,
                                    bill__status__in=FROZEN_STATUSES, person__isnull=False)
    lines = lines.exclude(**{"housing_fund" if scheme == HOUSING_FUND else "social_insurance": 0})
    query = lines.order_by("pk").values_list(
        "pk", "person_id", "bill__client_id", "line_type", "person__name",
        "person__id_number_masked", "person__id_number_hash", Cast("items", TextField()))
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _settlement_lines(city_id: int, month: datetime.date) -> set[int]:
    return set(BillLine.objects.filter(
        city_id=city_id, month_from=month, line_type=LineType.TOPUP,
        bill__status__in=FROZEN_STATUSES, basis__has_key="difference",
    ).values_list("pk", flat=True))


def _billed(city_id: int, month: datetime.date, scheme: str,
            decimals: _Decimals) -> dict[int, Billed]:
    """Per person, the lines of the month that charge the scheme; persons whose scheme
    comes to nothing (charged, then refunded or settled away) are left out."""
    out: dict[int, Billed] = {}
    loads = json.loads
    settled = _settlement_lines(city_id, month)
    for pk, person_id, client_id, line_type, name, masked, id_hash, items in _billed_lines(
            city_id, month, scheme):
        role = CHARGE if line_type in CHARGE_TYPES else SETTLE if pk in settled else ADJUST
        person = out.get(person_id)
        if person is None:
            out[person_id] = Billed(client_id, pk, role == CHARGE, person_id, name, masked,
                                    id_hash, [(role, loads(items))])
            continue
        if role == CHARGE and not person.charged_line:
            person.client_id, person.line_id, person.charged_line = client_id, pk, True
        person.lines.append((role, loads(items)))
    fund = scheme == HOUSING_FUND
    return {pk: b for pk, b in out.items()
            if len(b.lines) == 1 or _total(b.figures(fund, decimals).values())}


def _add_items(into: dict[str, Figures], items: Items, fund: bool, role: str,
               decimals: _Decimals) -> None:
    for item in items:
        kind = item["kind"]
        if role == SETTLE and kind == SOCIAL_INSURANCE:  # a settled whole charge
            kind = WHOLE_PERSON
        elif (kind == HOUSING_FUND) != fund:
            continue
        employer, employee = decimals[item["employer"]], decimals[item["employee"]]
        base = decimals[item["base"]] if item["base"] else None
        found = into.get(kind)
        if found is None:
            found = into[kind] = Figures(base, employer, employee, employer + employee)
        else:
            found.employer = (found.employer or ZERO) + employer
            found.employee = (found.employee or ZERO) + employee
            found.total += employer + employee
            if role == CHARGE or (role == SETTLE and base is not None):
                found.base = base  # the charge line's base; a settlement's the bureau's
        if role == SETTLE:
            found.employer = found.employee = None


def _same(billed: Billed, charged: dict[str, ChargedItem], fund: bool,
          decimals: _Decimals) -> bool:
    """The person's one line agrees with the bureau item for item, to the cent (checked
    on the stored texts: no figures are built for the 99 % of persons that agree)."""
    if len(billed.lines) != 1:
        return False
    count = 0
    for item in billed.lines[0][1]:
        kind = item["kind"]
        if (kind == HOUSING_FUND) != fund:
            continue
        theirs = charged.get(kind)
        if theirs is None:
            return False
        if theirs.employer is None and theirs.employee is None:
            if theirs.total != decimals[item["employer"]] + decimals[item["employee"]]:
                return False
        elif theirs.employer != decimals[item["employer"]] \
                or theirs.employee != decimals[item["employee"]]:
            return False
        if theirs.base is not None and theirs.base != decimals[item["base"]]:
            return False
        count += 1
    return count == len(charged)


def merge_charged(a: ChargedItem, b: ChargedItem) -> ChargedItem:
    """Two rows of the same person and item added up (a bureau's correction row)."""
    def both(x: Decimal | None, y: Decimal | None) -> Decimal | None:
        return None if x is None and y is None else (x or ZERO) + (y or ZERO)

    return ChargedItem(a.base if a.base is not None else b.base, both(a.employer, b.employer),
                       both(a.employee, b.employee), a.total + b.total,
                       a.employer_rate or b.employer_rate, a.employee_rate or b.employee_rate)


def merge_billed(a: Figures, b: Figures) -> Figures:
    out = Figures(a.base, a.employer, a.employee, a.total)
    out.add(b)
    return out


def _charged(data: bytes, scheme: str) -> tuple[dict[str, BureauRow], int]:
    """The bureau's file per ID number (rows of the same number added up), and the
    number of data rows read."""
    rows = read_bureau_file(data, scheme=scheme)
    out: dict[str, BureauRow] = {}
    for row in rows:
        person = out.setdefault(row.id_number, row)
        if person is row:
            continue
        for kind, item in row.items.items():
            found = person.items.get(kind)
            person.items[kind] = item if found is None else merge_charged(found, item)
    return out, len(rows)


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _persons_by_hash(hashes: list[str]) -> dict[str, Known]:
    """Our persons of these lookup hashes (5,000 per query)."""
    out: dict[str, Known] = {}
    for chunk in _chunks(hashes):
        for digest, pk, name, masked in InsuredPerson.objects.filter(
                id_number_hash__in=chunk).values_list("id_number_hash", "pk", "name",
                                                      "id_number_masked"):
            out.setdefault(digest, Known(pk, name, masked))
    return out


def _enrolled_clients(person_ids: list[int], city_id: int, month: datetime.date,
                      scheme: str) -> dict[int, int]:
    """The client that enrolled each person in the city and scheme that month (the latest
    enrolment first), for persons charged but not billed."""
    out: dict[int, int] = {}
    for chunk in _chunks(person_ids):
        for person_id, client_id in (
                Enrollment.objects.filter(person_id__in=chunk, city_id=city_id, scheme=scheme,
                                          starts_on__lte=month_end(month))
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=month))
                .order_by("person_id", "-starts_on", "-pk").values_list("person_id",
                                                                        "client_id")):
            out.setdefault(person_id, client_id)
    return out


# --- comparing ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ItemDifference:
    kind: str  # the kind of difference
    item: str  # the item it is about (pension …)
    billed: Figures | None
    charged: ChargedItem | None
    delta: Decimal


def _sides_differ(billed: Figures, charged: ChargedItem) -> tuple[bool, bool]:
    """(the amounts differ, by more than rounding explains): side by side, or by the
    totals where one side has no split."""
    if (charged.employer is None and charged.employee is None) or (
            billed.employer is None and billed.employee is None):
        gap = abs(charged.total - billed.total)
        return gap != 0, gap > 2 * TOLERANCE
    employer = abs((charged.employer or ZERO) - (billed.employer or ZERO))
    employee = abs((charged.employee or ZERO) - (billed.employee or ZERO))
    return bool(employer or employee), max(employer, employee) > TOLERANCE


def _rate_differs(rate: Decimal | None, amount: Decimal | None, base: Decimal | None) -> bool:
    """The bureau's rate is not the one billed (our amount ÷ base), beyond 0.01 %."""
    if rate is None or amount is None or not base:
        return False
    return abs(rate - amount / base) > RATE_TOLERANCE


def classify(billed: Figures, charged: ChargedItem) -> str | None:
    """The kind of difference of one item both sides have; None when they agree."""
    if charged.base is not None and billed.base is not None and charged.base != billed.base:
        return DifferenceKind.BASE
    differ, beyond_rounding = _sides_differ(billed, charged)
    if not differ:
        return None
    if beyond_rounding or _rate_differs(charged.employer_rate, billed.employer, billed.base) \
            or _rate_differs(charged.employee_rate, billed.employee, billed.base):
        return DifferenceKind.RATE
    return DifferenceKind.ROUNDING


def _fold_maternity(into: dict[str, T], other: Mapping[str, object],
                    merge: Callable[[T, T], T]) -> dict[str, T]:
    """`into` with its maternity counted within medical when `other` has medical and no
    maternity (the bureau's 基本医疗保险(含生育), or a city that merged them)."""
    if MATERNITY not in into or MATERNITY in other or MEDICAL not in other \
            or MEDICAL not in into:
        return into
    out = dict(into)
    maternity = out.pop(MATERNITY)
    out[MEDICAL] = merge(out[MEDICAL], maternity)
    return out


def compare_items(billed: dict[str, Figures],
                  charged: dict[str, ChargedItem]) -> list[ItemDifference]:
    """The differences of one person's items, in a stable order. A base that differs on
    every item alike is one difference of the whole charge (WHOLE_PERSON). A person with a
    settled difference of the whole charge is first compared by the totals: equal (to
    0.05), nothing is left to explain."""
    whole = billed.get(WHOLE_PERSON)
    if whole is not None:
        billed = {k: v for k, v in billed.items() if k != WHOLE_PERSON}
        if abs(_total(charged.values()) - _total(billed.values()) - whole.total) <= TOLERANCE:
            return []
    billed, charged = (_fold_maternity(billed, charged, merge_billed),
                       _fold_maternity(charged, billed, merge_charged))
    out = []
    for kind in sorted(billed.keys() | charged.keys()):
        ours, theirs = billed.get(kind), charged.get(kind)
        if theirs is None:
            assert ours is not None  # noqa: S101 - a kind of one side at least
            out.append(ItemDifference(DifferenceKind.NOT_CHARGED, kind, ours, None,
                                      -ours.total))
            continue
        if ours is None:
            if theirs.total:
                out.append(ItemDifference(DifferenceKind.NOT_BILLED, kind, None, theirs,
                                          theirs.total))
            continue
        found = classify(ours, theirs)
        if found is not None:
            out.append(ItemDifference(found, kind, ours, theirs, theirs.total - ours.total))
    return _one_base(out, len(billed.keys() & charged.keys()))


def _one_base(found: list[ItemDifference], common: int) -> list[ItemDifference]:
    """The base differences of a person as one, where every item both sides have shows
    the same two bases (the bureau holds another base for the person)."""
    bases = [d for d in found if d.kind == DifferenceKind.BASE]
    if len(bases) < 2 or len(bases) != common or len(
            {(d.billed.base if d.billed else None, d.charged.base if d.charged else None)
             for d in bases}) != 1:
        return found
    billed = Figures(bases[0].billed.base if bases[0].billed else None, None, None,
                     sum((d.billed.total for d in bases if d.billed), ZERO))
    charged = ChargedItem(bases[0].charged.base if bases[0].charged else None, None, None,
                          sum((d.charged.total for d in bases if d.charged), ZERO), None, None)
    whole = ItemDifference(DifferenceKind.BASE, WHOLE_PERSON, billed, charged,
                           charged.total - billed.total)
    return [whole, *(d for d in found if d.kind != DifferenceKind.BASE)]


def _common_base(items: Iterable[Figures | ChargedItem]) -> Decimal | None:
    bases = {f.base for f in items}
    return bases.pop() if len(bases) == 1 else None


def _total(items: Iterable[Figures | ChargedItem]) -> Decimal:
    return sum((f.total for f in items), ZERO)


@dataclass
class _Comparison:
    """The differences of a run as they are built, with its counts."""

    run: ReconciliationRun
    differences: list[Difference] = field(default_factory=list)
    matched: int = 0

    def add(self, kind: str, *, item: str = "", client_id: int | None, person: Known | None,
            name: str, masked: str, billed_base: Decimal | None = None,
            charged_base: Decimal | None = None, billed_amount: Decimal | None = None,
            charged_amount: Decimal | None = None, delta: Decimal,
            line_id: int | None = None) -> None:
        self.differences.append(Difference(
            run=self.run, kind=kind, item=item[:30], client_id=client_id,
            person_id=person.pk if person else None, name=name[:100],
            id_number_masked=masked[:32], billed_base=billed_base, charged_base=charged_base,
            billed_amount=billed_amount, charged_amount=charged_amount, delta=delta,
            bill_line_id=line_id,
        ))


def _compare_person(out: _Comparison, charged: BureauRow, billed: Billed, fund: bool,
                    decimals: _Decimals) -> None:
    out.matched += 1
    if _same(billed, charged.items, fund, decimals):
        return
    known = billed.person
    for d in compare_items(billed.figures(fund, decimals), charged.items):
        out.add(d.kind, item=d.item,
                client_id=billed.client_id, person=known, name=charged.name or known.name,
                masked=known.masked,
                billed_base=d.billed.base if d.billed else None,
                charged_base=d.charged.base if d.charged else None,
                billed_amount=d.billed.total if d.billed else None,
                charged_amount=d.charged.total if d.charged else None,
                delta=d.delta, line_id=billed.line_id)


def _compare(out: _Comparison, charged: dict[str, BureauRow], billed: dict[int, Billed],
             decimals: _Decimals, city_id: int, month: datetime.date, scheme: str) -> None:
    """Each person of the file against the bills: found by the lookup hash among the
    persons billed (joined to the lines), else looked up (charged, not billed)."""
    fund = scheme == HOUSING_FUND
    billed_by_hash = {b.id_hash: pk for pk, b in billed.items() if b.id_hash}
    unbilled: dict[str, BureauRow] = {}
    for id_number, person in charged.items():
        if not any(item.total for item in person.items.values()):
            continue  # a row without any amount: the bureau charged the person nothing
        digest = lookup_hash(id_number)
        person_id = billed_by_hash.pop(digest, None)
        if person_id is None:
            unbilled[digest] = person
        else:
            _compare_person(out, person, billed.pop(person_id), fund, decimals)
    known = _persons_by_hash(list(unbilled))
    clients = _enrolled_clients([k.pk for k in known.values()], city_id, month, scheme)
    for digest, person in unbilled.items():
        ours = known.get(digest)
        charged_items = person.items.values()
        out.add(DifferenceKind.NOT_BILLED, client_id=clients.get(ours.pk) if ours else None,
                person=ours, name=person.name or (ours.name if ours else ""),
                masked=ours.masked if ours else mask_id_number(person.id_number),
                charged_base=_common_base(charged_items), charged_amount=_total(charged_items),
                delta=_total(charged_items))
    for bill in sorted(billed.values(), key=lambda b: b.person.pk):  # billed, not charged
        items = bill.figures(fund, decimals).values()
        out.add(DifferenceKind.NOT_CHARGED, client_id=bill.client_id, person=bill.person,
                name=bill.person.name, masked=bill.person.masked,
                billed_base=_common_base(items), billed_amount=_total(items),
                delta=-_total(items), line_id=bill.line_id)


def _check_input(city: City | None, month: datetime.date | None, scheme: str,
                 data: bytes | None) -> None:
    errors = []
    if city is None:
        errors.append(ErrorDetail("required", "请选择城市 / Choose the city", field="city"))
    if month is None:
        errors.append(ErrorDetail("required", "请填写月份 / Give the month", field="month"))
    if scheme not in ReconciliationRun.Scheme.values:
        errors.append(ErrorDetail("invalid_choice", "险种无效 / Unknown scheme",
                                  field="scheme"))
    if not data:
        errors.append(ErrorDetail("required", "请上传社保局的缴费明细 / Upload the bureau's "
                                  "charge detail", field="file"))
    if errors:
        raise ValidationFailed(errors)


def reconciliation_run(*, city: City, month: datetime.date, scheme: str, data: bytes,
                       file_name: str, actor: User | None) -> ReconciliationRun:
    """Compare the bureau's charge detail of `city`, `month` and `scheme` (the file's
    bytes) with what was billed, and keep the run with its differences. A file that
    cannot be read raises `DomainError`; bad rows raise `ValidationFailed` naming each
    row and field; either way nothing is saved."""
    _check_input(city, month, scheme, data)
    month = month_start(month)
    charged, rows = _charged(data, scheme)  # reads the file before any query
    with transaction.atomic(), cyclic_gc_paused():
        run = ReconciliationRun(
            city=city, month=month, scheme=scheme, file_name=(file_name or "")[:200],
            sha256=hashlib.sha256(data).hexdigest(), rows=rows,
            uploaded_by=actor if actor is not None and actor.pk else None)
        out, decimals = _Comparison(run), _Decimals()
        _compare(out, charged, _billed(city.pk, month, scheme, decimals), decimals, city.pk,
                 month, scheme)
        run.persons_matched, run.differences_found = out.matched, len(out.differences)
        record_actor(run, actor)
        run.save()
        Difference.objects.bulk_create(out.differences, batch_size=1000)
        audit_record(actor=actor, action=AuditEvent.Action.IMPORT, target=run,
                     detail={"what": "bureau_charge_detail", "city": city.code,
                             "month": f"{month:%Y-%m}", "scheme": scheme, "file": run.file_name,
                             "sha256": run.sha256, "rows": rows,
                             "differences": run.differences_found})
    return run


# --- deciding -----------------------------------------------------------------------------

def _decided(difference: Difference) -> DomainError:
    return DomainError(
        code="difference_decided", status=409,
        message="该差异已处理，不能再改 / This difference is already decided",
    )


def _locked(difference: Difference) -> Difference:
    return (Difference.objects.select_for_update(of=("self",)).select_related("run")
            .get(pk=difference.pk))


def _refuse_acceptance(difference: Difference) -> None:
    """An accepted difference becomes a 补差 line of the client's next bill: it needs a
    client, and the same person's item of the same month is settled once (a second run of
    the month finds it again until that line is on a bill)."""
    if difference.status != DifferenceStatus.OPEN:
        raise _decided(difference)
    if difference.client_id is None:
        raise DomainError(
            code="difference_without_client", status=409,
            message="该人员不属于任何客户，无法补差；请核实后标记为社保局差错 / The person "
                    "belongs to no client: nothing to put on a bill; check it and mark it as "
                    "the bureau's error",
        )
    run = difference.run
    if Difference.objects.filter(
            run__city_id=run.city_id, run__month=run.month, run__scheme=run.scheme,
            person_id=difference.person_id, item=difference.item,
            status=DifferenceStatus.ACCEPTED, settled_line__isnull=True,
    ).exclude(pk=difference.pk).exists():
        raise DomainError(
            code="difference_already_accepted", status=409,
            message="同一人员同一险种该月的差异已接受、尚待补差 / A difference of this person's "
                    "item in this month is already accepted and waits for its 补差 line",
        )


def _accept(difference: Difference, actor: User | None) -> None:
    difference.status = DifferenceStatus.ACCEPTED
    difference.decided_by = actor if actor is not None and actor.pk else None
    difference.decided_at = timezone.now()
    record_actor(difference, actor)
    difference.save()


@transaction.atomic
def difference_accept(*, difference: Difference, actor: User | None) -> Difference:
    """Accept an open difference: the client owes (or is owed) its `delta`, which billing
    puts on the client's next bill as one 补差 line (`settled_line`, set when that bill is
    issued). Refused without a client, once decided, or while the same person's item of
    the month is accepted and not yet billed."""
    difference = _locked(difference)
    _refuse_acceptance(difference)
    _accept(difference, actor)
    return difference


@dataclass(frozen=True)
class AcceptedKind:
    accepted: int
    skipped: int  # open differences left open: without a client, or accepted already


@transaction.atomic
def differences_accept_kind(*, run: ReconciliationRun, kind: str,
                            actor: User | None) -> AcceptedKind:
    """Accept every open difference of one kind of a run; those that cannot be accepted
    (see `difference_accept`) stay open and are counted."""
    if kind not in DifferenceKind.values:
        raise ValidationFailed([ErrorDetail("invalid_choice", "差异类别无效 / Unknown kind",
                                            field="kind")])
    accepted = skipped = 0
    for difference in (Difference.objects.select_for_update(of=("self",))
                       .select_related("run").filter(run=run, kind=kind,
                                                     status=DifferenceStatus.OPEN)
                       .order_by("pk")):
        try:
            _refuse_acceptance(difference)
        except DomainError:
            skipped += 1
            continue
        _accept(difference, actor)
        accepted += 1
    return AcceptedKind(accepted, skipped)


@transaction.atomic
def difference_mark_bureau_error(*, difference: Difference, note: str,
                                 actor: User | None) -> Difference:
    """The bureau charged wrongly (staff take it up with the bureau): nothing goes on a
    bill. The note says why; only an open difference."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed([ErrorDetail("required", "请说明社保局差错的情况 / Say what the "
                                            "bureau got wrong", field="note")])
    if len(note) > 300:
        raise ValidationFailed([ErrorDetail("too_long", "说明最多300字 / At most 300 "
                                            "characters", field="note")])
    difference = _locked(difference)
    if difference.status != DifferenceStatus.OPEN:
        raise _decided(difference)
    difference.status, difference.note = DifferenceStatus.BUREAU_ERROR, note
    difference.decided_by = actor if actor is not None and actor.pk else None
    difference.decided_at = timezone.now()
    record_actor(difference, actor)
    difference.save()
    return difference


@transaction.atomic
def reconciliation_report_download(*, run: ReconciliationRun, filename: str,
                                   actor: User | None,
                                   request: HttpRequest | None = None) -> None:
    """Record that a run's report was downloaded (it names persons: an export of personal
    data); the caller sends the file after this. The row is the one the bill downloads
    write: action `download`, `file` and `name`."""
    audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=run,
                 detail={"file": "reconciliation_xlsx", "name": filename}, request=request)
