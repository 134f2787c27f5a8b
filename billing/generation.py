"""How a month's bill lines are computed (no writes here; `billing.services` saves them).

Every month of a person is charged exactly once (domain notes, "months charged once"):
- the bill's own month is a *regular* line;
- an earlier month of an enrolment that no issued bill charged yet (an add back-dated as
  补缴, or processed after its month was billed) is a *back-payment* line;
- a month an issued bill charged after the enrolment's end (a removal processed late)
  is a *refund* line that reverses what was charged;
- a month billed under a provisional policy version that has since been superseded by
  the final figures gets a *top-up* (补差) line with the difference, once;
- a month a SUCCEEDED back-payment case (补缴事项, `enrollment.cases.backpay`) computed
  and no bill charged yet is a *back-payment* line of its own, one per person and month,
  with the case's figures (computed under the policy in force that month) and basis
  `{"case", "months", "back_month", ...}`; the bill that carries it marks the month
  (`billed_bill_id`) in the same transaction, so it is charged once.

A line's item figures are exactly the quote's for the person's base, city and month
(`policies.calculator.contributions`); the basis of each line is kept so a later top-up
recomputes from the same declared base and rates."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from agency.deadlines import add_months, month_start
from agency.errors import DomainError
from billing.models import Bill, BillLine, BillStatus, Difference, LineType, ReconciliationRun
from clients.models import Client, Contract
from enrollment.models import (
    BackPaymentMonth,
    CaseStatus,
    CaseType,
    Enrollment,
    EnrollmentBase,
    Scheme,
)
from enrollment.persons.selectors import BaseRow, base_row_in_month, base_rows
from policies.calculator import HOUSING_FUND, Contribution, ItemAmount, PolicyRules, contributions
from policies.models import City
from policies.selectors import policy_rules_for_month

ZERO = Decimal("0.00")
# the base passed for "the city's maximum": above any ceiling, clamped down to it
ABOVE_ANY_CEILING = Decimal("999999999")


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month_start(month), 1) - datetime.timedelta(days=1)


def months_from_to(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def declared_base(row: EnrollmentBase | BaseRow) -> Decimal:
    """The base to pass the calculator: the declared amount, or one below any floor / above
    any ceiling for "the city's minimum / maximum" (clamped to it)."""
    if row.base_kind == Enrollment.BaseKind.CITY_MAX:
        return ABOVE_ANY_CEILING
    if row.base_kind == Enrollment.BaseKind.CITY_MIN or row.base is None:
        return ZERO
    return row.base


@dataclass
class PlannedLine:
    """A bill line before it is saved."""

    line_type: str
    person_id: int | None
    city_id: int | None
    month_from: datetime.date
    month_to: datetime.date
    items: list[dict[str, str]]
    social_insurance: Decimal
    housing_fund: Decimal
    service_fee: Decimal
    policy_version_id: int | None = None
    corrects_id: int | None = None
    basis: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    sort_key: tuple[Any, ...] = ()

    @property
    def total(self) -> Decimal:
        return self.social_insurance + self.housing_fund + self.service_fee

    def to_model(self, bill_id: int) -> BillLine:
        return BillLine(
            bill_id=bill_id, person_id=self.person_id, city_id=self.city_id,
            line_type=self.line_type, month_from=self.month_from, month_to=self.month_to,
            items=self.items, social_insurance=self.social_insurance,
            housing_fund=self.housing_fund, service_fee=self.service_fee, total=self.total,
            policy_version_id=self.policy_version_id, corrects_id=self.corrects_id,
            basis=self.basis, description=self.description,
        )


def _item_dicts(items: Iterable[ItemAmount]) -> list[dict[str, str]]:
    return [{"kind": i.kind, "base": f"{i.base:.2f}", "employer": f"{i.employer:.2f}",
             "employee": f"{i.employee:.2f}"} for i in items]


def _split(contribution: Contribution) -> tuple[Decimal, Decimal]:
    """(social insurance, housing fund): employer + employee of each."""
    fund = other = ZERO
    for i in contribution.items:
        if i.kind == HOUSING_FUND:
            fund += i.employer + i.employee
        else:
            other += i.employer + i.employee
    return other, fund


class Policies:
    """The policy in force per city and month, looked up once per bill run."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, datetime.date], PolicyRules] = {}
        self._cities: dict[int, City] = {}

    def get(self, city_id: int, month: datetime.date) -> PolicyRules:
        key = (city_id, month)
        rules = self._cache.get(key)
        if rules is None:
            city = self._cities.get(city_id)
            if city is None:
                city = self._cities[city_id] = City.objects.get(pk=city_id)
            rules = policy_rules_for_month(city=city, month=month)  # 400 no_policy
            self._cache[key] = rules
        return rules


class Prices:
    """The contract price (service fee and work-injury rate) per city of a client's
    contract in force in a month."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._contracts: list[Contract] = list(
            Contract.objects.filter(client=client).exclude(status=Contract.Status.DRAFT)
            .prefetch_related("prices").order_by("-starts_on")
        )

    def _contract(self, month: datetime.date) -> Contract | None:
        last = month_end(month)
        for contract in self._contracts:
            if contract.starts_on <= last and contract.ends_on >= month:
                return contract
        return None

    def of(self, city_id: int, month: datetime.date) -> tuple[Decimal, Decimal | None]:
        """(price per head, work-injury rate or None) of the city in that month."""
        contract = self._contract(month)
        if contract is not None:
            for price in contract.prices.all():
                if price.city_id == city_id:
                    return price.price_per_head, price.work_injury_rate
        return ZERO, None


def _covers(enrollment: Enrollment, month: datetime.date) -> bool:
    """The enrolment is charged in `month` (started by its end, not ended before it, not
    sealed (封存) from before it)."""
    if enrollment.starts_on is None or enrollment.starts_on > month_end(month):
        return False
    if enrollment.ends_on is not None and enrollment.ends_on < month:
        return False
    sealed = enrollment.status == Enrollment.Status.SEALED and enrollment.sealed_on
    return not (sealed and enrollment.sealed_on is not None and enrollment.sealed_on <= month)


def _first_month(enrollment: Enrollment) -> datetime.date:
    started = enrollment.starts_on or datetime.date.max
    return enrollment.first_billed_month or month_start(started)


def charge_months(enrollment: Enrollment, month: datetime.date) -> list[datetime.date]:
    """The months up to `month` this enrolment is still to be charged for."""
    start = _first_month(enrollment)
    if enrollment.billed_through is not None:
        start = max(start, add_months(month_start(enrollment.billed_through), 1))
    return [m for m in months_from_to(start, month) if _covers(enrollment, m)]


def refund_months(enrollment: Enrollment) -> list[datetime.date]:
    """Months an issued bill charged after the enrolment ended."""
    if enrollment.billed_through is None or enrollment.ends_on is None:
        return []
    if enrollment.ends_on >= enrollment.billed_through:
        return []
    return months_from_to(add_months(month_start(enrollment.ends_on), 1),
                          month_start(enrollment.billed_through))


@dataclass
class PersonMonth:
    """What one person is charged in one month and city: the enrolments that cover it."""

    person_id: int
    person_name: str
    city_id: int
    month: datetime.date
    social: Enrollment | None = None
    fund: Enrollment | None = None

    @property
    def enrollment_ids(self) -> list[int]:
        return [e.pk for e in (self.social, self.fund) if e is not None]


def _group(enrollments: Iterable[Enrollment], month: datetime.date) -> Iterator[PersonMonth]:
    grouped: dict[tuple[int, int, datetime.date], PersonMonth] = {}
    for e in enrollments:
        for m in charge_months(e, month):
            key = (e.person_id, e.city_id, m)
            pm = grouped.get(key)
            if pm is None:
                pm = grouped[key] = PersonMonth(e.person_id, e.person.name, e.city_id, m)
            if e.scheme == Scheme.HOUSING_FUND:
                pm.fund = e
            else:
                pm.social = e
    yield from grouped.values()


def plan_charge(pm: PersonMonth, *, bill_month: datetime.date, policies: Policies,
                prices: Prices, bases: dict[int, list[BaseRow]]) -> PlannedLine:
    """A regular (the bill's month) or back-payment (an earlier month) line."""
    rules = policies.get(pm.city_id, pm.month)
    fee, work_rate = prices.of(pm.city_id, pm.month)
    social_row = (base_row_in_month(bases.get(pm.social.pk), pm.social, pm.month)
                  if pm.social is not None else None)
    fund_row = (base_row_in_month(bases.get(pm.fund.pk), pm.fund, pm.month)
                if pm.fund is not None else None)
    base = declared_base(social_row) if social_row is not None else (
        declared_base(fund_row) if fund_row is not None else ZERO)
    fund_base = declared_base(fund_row) if fund_row is not None else None
    fund_rate = fund_row.rate if fund_row is not None else None
    basis = {
        "base": f"{base:.2f}", "fund_base": f"{fund_base:.2f}" if fund_base is not None else None,
        "fund_rate": str(fund_rate) if fund_rate is not None else None,
        "work_injury_rate": str(work_rate) if work_rate is not None else None,
        "social_insurance": pm.social is not None, "housing_fund": pm.fund is not None,
        "enrollments": pm.enrollment_ids,
    }
    contribution = compute(rules, basis)
    social, fund = _split(contribution)
    regular = pm.month == bill_month
    return PlannedLine(
        line_type=LineType.REGULAR if regular else LineType.BACKPAY,
        person_id=pm.person_id, city_id=pm.city_id, month_from=pm.month, month_to=pm.month,
        items=_item_dicts(contribution.items), social_insurance=social, housing_fund=fund,
        service_fee=fee, policy_version_id=rules.version_id, basis=basis,
        description="" if regular else f"补缴 {pm.month:%Y-%m}",
        sort_key=(pm.person_name, pm.person_id, pm.city_id, pm.month, 0),
    )


def compute(rules: PolicyRules, basis: dict[str, Any]) -> Contribution:
    """The calculator on a line's basis (what a top-up recomputes from)."""
    fund_base = basis.get("fund_base")
    fund_rate = basis.get("fund_rate")
    work_rate = basis.get("work_injury_rate")
    try:
        return contributions(
            rules, base=Decimal(basis["base"]),
            housing_fund_base=Decimal(fund_base) if fund_base is not None else None,
            housing_fund_rate=_allowed(rules, HOUSING_FUND, fund_rate),
            work_injury_rate=_allowed(rules, "work_injury", work_rate),
            housing_fund=bool(basis.get("housing_fund")),
            social_insurance=bool(basis.get("social_insurance")),
        )
    except DomainError as exc:
        raise DomainError(code=exc.code, message=exc.message, details=exc.details) from exc


def _allowed(rules: PolicyRules, kind: str, raw: str | None) -> Decimal | None:
    """A chosen rate where the policy lets the client choose it, else the policy's own."""
    if raw is None:
        return None
    item = rules.item(kind)
    if item is None or not item.choosable:
        return None
    return Decimal(raw)


def plan_refunds(enrollment: Enrollment, originals: dict[tuple[int, datetime.date], list[BillLine]],
                 *, still_covered: set[tuple[int, datetime.date]]) -> list[PlannedLine]:
    """Refund lines reversing this enrolment's scheme in each month charged after its end
    (the service fee too when nothing else of the person's was charged that month)."""
    out = []
    fund = enrollment.scheme == Scheme.HOUSING_FUND
    for m in refund_months(enrollment):
        for original in originals.get((enrollment.person_id, m), []):
            items = [i for i in original.items if (i["kind"] == HOUSING_FUND) == fund]
            if not items:
                continue
            social = ZERO if fund else -original.social_insurance
            fund_amount = -original.housing_fund if fund else ZERO
            key = (enrollment.person_id, m)
            fee = ZERO if key in still_covered else -original.service_fee
            still_covered.add(key)  # the fee is refunded once, with the first scheme
            out.append(PlannedLine(
                line_type=LineType.REFUND, person_id=enrollment.person_id,
                city_id=original.city_id, month_from=m, month_to=m,
                items=[{"kind": i["kind"], "base": i["base"],
                        "employer": _neg(i["employer"]), "employee": _neg(i["employee"])}
                       for i in items],
                social_insurance=social, housing_fund=fund_amount, service_fee=fee,
                policy_version_id=original.policy_version_id, corrects_id=original.pk,
                basis={"enrollments": [enrollment.pk], "refund_through": str(enrollment.ends_on)},
                description=f"退费 {m:%Y-%m}",
                sort_key=(enrollment.person.name, enrollment.person_id, original.city_id, m, 2),
            ))
    return out


def _neg(amount: str) -> str:
    return f"{-Decimal(amount):.2f}"


def plan_topup(original: BillLine, *, policies: Policies) -> PlannedLine | None:
    """The 补差 of a line billed under a provisional version since superseded: the final
    figures minus the billed ones (None when they agree to the cent)."""
    if original.city_id is None:  # a manual line: nothing to recompute
        return None
    rules = policies.get(original.city_id, original.month_from)
    contribution = compute(rules, original.basis)
    billed = {i["kind"]: i for i in original.items}
    items, social, fund = [], ZERO, ZERO
    for i in contribution.items:
        was = billed.get(i.kind, {"employer": "0", "employee": "0"})
        d_er = i.employer - Decimal(was["employer"])
        d_ee = i.employee - Decimal(was["employee"])
        if d_er or d_ee:
            items.append({"kind": i.kind, "base": f"{i.base:.2f}", "employer": f"{d_er:.2f}",
                          "employee": f"{d_ee:.2f}"})
            if i.kind == HOUSING_FUND:
                fund += d_er + d_ee
            else:
                social += d_er + d_ee
    if not items:
        return None
    return PlannedLine(
        line_type=LineType.TOPUP, person_id=original.person_id, city_id=original.city_id,
        month_from=original.month_from, month_to=original.month_to, items=items,
        social_insurance=social, housing_fund=fund, service_fee=ZERO,
        policy_version_id=rules.version_id, corrects_id=original.pk, basis=original.basis,
        description=f"补差 {original.month_from:%Y-%m}（暂行政策改为正式）",
        sort_key=("", original.person_id or 0, original.city_id, original.month_from, 1),
    )


def plan_settlement(difference: Difference) -> PlannedLine:
    """The 补差 of an accepted reconciliation difference: what the bureau charged more
    (or less) than the bill, on the scheme's side, for the month it charged."""
    run = difference.run
    fund = run.scheme == ReconciliationRun.Scheme.HOUSING_FUND
    delta = difference.delta
    base = difference.charged_base if difference.charged_base is not None else (
        difference.billed_base)
    return PlannedLine(
        line_type=LineType.TOPUP, person_id=difference.person_id, city_id=run.city_id,
        month_from=run.month, month_to=run.month,
        items=[{"kind": difference.item or (HOUSING_FUND if fund else "social_insurance"),
                "base": f"{base:.2f}" if base is not None else "",
                "employer": f"{delta:.2f}", "employee": "0.00"}],
        social_insurance=ZERO if fund else delta, housing_fund=delta if fund else ZERO,
        service_fee=ZERO, basis={"difference": difference.pk},
        description=f"稽核补差 {run.month:%Y-%m}：{difference.get_kind_display()}",
        sort_key=(difference.name, difference.person_id or 0, run.city_id, run.month, 3),
    )


def case_back_months(*, client: Client) -> list[BackPaymentMonth]:
    """The months of `client`'s succeeded back-payment cases that no bill charges (never
    marked, or marked by a bill since voided), oldest case first; locked in the caller's
    transaction, so a recomputation of the case waits for the bill that takes them."""
    voided = Bill.objects.filter(client=client, status=BillStatus.VOID).values("pk")
    return list(
        BackPaymentMonth.objects.select_for_update(of=("self",))
        .filter(case__client=client, case__type=CaseType.BACK_PAYMENT,
                case__status=CaseStatus.SUCCEEDED)
        .filter(Q(billed_bill_id__isnull=True) | Q(billed_bill_id__in=voided))
        .select_related("case__person").order_by("case_id", "month")
    )


def plan_case_month(row: BackPaymentMonth) -> PlannedLine:
    """A back-payment case's month as a 补缴 line: the figures the case computed under the
    policy in force that month (no service fee: the case is one of the contract's
    included services, STD-4.1). Its basis keeps the calculator's inputs, so a month
    computed under a provisional version later gets its 补差 like any other line, and no
    `enrollments` key: it does not move any enrolment's `billed_through`."""
    items = list(row.detail.get("items", []))
    social = fund = ZERO
    for i in items:
        amount = Decimal(i["employer"]) + Decimal(i["employee"])
        if i["kind"] == HOUSING_FUND:
            fund += amount
        else:
            social += amount
    case = row.case
    return PlannedLine(
        line_type=LineType.BACKPAY, person_id=case.person_id, city_id=row.city_id,
        month_from=row.month, month_to=row.month, items=items, social_insurance=social,
        housing_fund=fund, service_fee=ZERO, policy_version_id=row.policy_version_id,
        basis={**row.detail.get("basis", {}), "case": case.pk,
               "months": [f"{row.month:%Y-%m}"], "back_month": row.pk},
        description=f"补缴 {row.month:%Y-%m}（补缴事项 #{case.pk}）",
        sort_key=(case.person.name, case.person_id, row.city_id, row.month, 4),
    )


def plan(client: Client, month: datetime.date, enrollments: list[Enrollment],
         originals: dict[tuple[int, datetime.date], list[BillLine]],
         provisional_lines: list[BillLine], policies: Policies | None = None,
         settlements: Iterable[Difference] = (),
         back_months: Iterable[BackPaymentMonth] = ()) -> list[PlannedLine]:
    """Every line of `client`'s bill for `month`, in a stable order (`policies`: a cache
    shared by the clients of one run; `back_months`: `case_back_months`)."""
    policies, prices = policies or Policies(), Prices(client)
    lines: list[PlannedLine] = []
    covered: set[tuple[int, datetime.date]] = set()
    bases = base_rows(e.pk for e in enrollments)
    for pm in _group(enrollments, month):
        lines.append(plan_charge(pm, bill_month=month, policies=policies, prices=prices,
                                 bases=bases))
    for e in enrollments:
        for m in months_from_to(_first_month(e), month):
            if _covers(e, m):
                covered.add((e.person_id, m))
    for e in enrollments:
        if refund_months(e):
            lines.extend(plan_refunds(e, originals, still_covered=covered))
    for original in provisional_lines:
        topup = plan_topup(original, policies=policies)
        if topup is not None:
            lines.append(topup)
    lines.extend(plan_settlement(d) for d in settlements)
    lines.extend(plan_case_month(row) for row in back_months)
    lines.sort(key=lambda line: line.sort_key)
    return lines
