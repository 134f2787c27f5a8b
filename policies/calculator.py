"""The contribution calculator (缴费计算): one pure function from a policy version's
figures and a person's declared base to each item's employer and employee amount.

No database access here: a selector (`policies.selectors.policy_rules_*`) turns a
`PolicyVersion` into the frozen dataclasses below, and bills, quotes and order previews
all call `contributions()`. Money is `Decimal`; each side is base × rate rounded half-up
to the cent or the whole yuan as the item says, plus the side's fixed amount."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from agency.errors import ErrorDetail, ValidationFailed

CENT = Decimal("0.01")
YUAN = Decimal("1")
ZERO = Decimal("0.00")

CENT_HALF_UP = "cent_half_up"
YUAN_HALF_UP = "yuan_half_up"
QUANTUM = {CENT_HALF_UP: CENT, YUAN_HALF_UP: YUAN}

HOUSING_FUND = "housing_fund"
WORK_INJURY = "work_injury"
# the rate a client may choose, by query field: item kind
RATE_FIELDS = {"housing_fund_rate": HOUSING_FUND, "work_injury_rate": WORK_INJURY}


@dataclass(frozen=True, slots=True)
class ItemRule:
    """One item of a policy version, as plain values."""

    kind: str
    base_floor: Decimal
    base_ceiling: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    employer_fixed: Decimal = ZERO
    employee_fixed: Decimal = ZERO
    rounding: str = CENT_HALF_UP
    rate_choice: str = ""  # "", "employer" or "both": which side a client-chosen rate sets
    rate_min: Decimal | None = None
    rate_max: Decimal | None = None
    confidence: str = "official_text"
    note: str = ""
    label: str = ""
    # derived once, read by the calculator's inner loop
    quantum: Decimal = field(init=False, repr=False, compare=False)
    is_fund: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rounding not in QUANTUM:
            raise ValueError(f"unknown rounding rule {self.rounding!r}")
        if self.base_floor > self.base_ceiling:
            raise ValueError(f"{self.kind}: base floor above ceiling")
        object.__setattr__(self, "quantum", QUANTUM[self.rounding])
        object.__setattr__(self, "is_fund", self.kind == HOUSING_FUND)

    @property
    def is_official(self) -> bool:
        return self.confidence == "official_text"

    @property
    def choosable(self) -> bool:
        """The client chooses this item's rate within [rate_min, rate_max]."""
        return bool(self.rate_choice) and self.rate_min is not None and self.rate_max is not None

    def rate_for(self, chosen: Decimal | None) -> Decimal:
        """The employer rate a client pays: its chosen one where it may choose (else the
        policy's default), the policy's own where the policy fixes it. A chosen rate out
        of range is the caller's to refuse (`rate_problem`)."""
        if self.choosable and chosen is not None:
            return chosen
        return self.employer_rate

    def rate_problem(self, chosen: Decimal) -> str | None:
        """The error code (`rate_out_of_range`) when `chosen` is not allowed here, else
        None. A policy that fixes the rate refuses no choice: its own rate applies."""
        if not self.choosable or self.rate_min is None or self.rate_max is None:
            return None
        if self.rate_min <= chosen <= self.rate_max:
            return None
        return "rate_out_of_range"


@dataclass(frozen=True, slots=True)
class PolicyRules:
    """One city's policy version, as plain values (what the calculator reads)."""

    city_code: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    items: tuple[ItemRule, ...]
    notice: str = ""
    provisional: bool = False
    version_id: int | None = None

    @property
    def name(self) -> str:
        return f"{self.city_code}/{self.effective_from:%Y-%m-%d}"

    def item(self, kind: str) -> ItemRule | None:
        for item in self.items:
            if item.kind == kind:
                return item
        return None


class ItemAmount(NamedTuple):
    """One item's monthly contribution: the clamped base and each side's amount.

    (A named tuple, not a frozen dataclass: the calculator makes six per person and a
    tuple is several times cheaper to build.)"""

    kind: str
    base: Decimal
    employer: Decimal
    employee: Decimal
    employer_rate: Decimal
    employee_rate: Decimal

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee


class Contribution(NamedTuple):
    """One person's monthly contributions under one policy version."""

    policy: PolicyRules
    items: tuple[ItemAmount, ...]
    employer: Decimal
    employee: Decimal

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee

    def scheme_total(self, scheme: str) -> Decimal:
        """Employer + employee of `housing_fund`, or of `social_insurance` (every other item)."""
        want_fund = scheme == HOUSING_FUND
        return sum(
            (i.total for i in self.items if (i.kind == HOUSING_FUND) == want_fund), ZERO
        )


def _plain(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _check_rate(policy: PolicyRules, field: str, rate: Decimal) -> ItemRule:
    item = policy.item(RATE_FIELDS[field])
    if item is None:
        raise ValidationFailed([ErrorDetail(
            code="not_in_policy", field=field,
            message="该政策没有此险种 / The policy has no such item",
        )])
    if not item.rate_choice or item.rate_min is None or item.rate_max is None:
        if rate == item.employer_rate:
            return item
        raise ValidationFailed([ErrorDetail(
            code="rate_not_choosable", field=field,
            message=f"该城市此费率不可选，须为 {_plain(item.employer_rate)} / "
                    f"This city sets the rate: it must be {_plain(item.employer_rate)}",
        )])
    if not item.rate_min <= rate <= item.rate_max:
        low, high = _plain(item.rate_min), _plain(item.rate_max)
        raise ValidationFailed([ErrorDetail(
            code="rate_out_of_range", field=field,
            message=f"费率须在 {low} 至 {high} 之间 / The rate must lie between {low} and {high}",
        )])
    return item


def contributions(
    policy: PolicyRules,
    *,
    base: Decimal,
    housing_fund_base: Decimal | None = None,
    housing_fund_rate: Decimal | None = None,
    work_injury_rate: Decimal | None = None,
    housing_fund: bool = True,
    social_insurance: bool = True,
) -> Contribution:
    """The monthly contributions of one person at `base` under `policy`.

    `housing_fund_base` (default: `base`) is the housing fund's declared base; a chosen
    rate must lie in the item's allowed range (else `ValidationFailed` naming the field)
    and replaces the side(s) the item lets the client choose. `housing_fund` /
    `social_insurance` leave out the fund or every other item."""
    fund_rate = work_rate = None
    if housing_fund_rate is not None:
        _check_rate(policy, "housing_fund_rate", housing_fund_rate)
        fund_rate = housing_fund_rate
    if work_injury_rate is not None:
        _check_rate(policy, "work_injury_rate", work_injury_rate)
        work_rate = work_injury_rate
    fund_base = base if housing_fund_base is None else housing_fund_base
    half_up = ROUND_HALF_UP

    out: list[ItemAmount] = []
    employer_sum = employee_sum = ZERO
    for item in policy.items:
        if item.is_fund:
            if not housing_fund:
                continue
            declared, rate = fund_base, fund_rate
        else:
            if not social_insurance:
                continue
            declared = base
            rate = work_rate if work_rate is not None and item.kind == WORK_INJURY else None
        floor, ceiling = item.base_floor, item.base_ceiling
        b = floor if declared < floor else (ceiling if declared > ceiling else declared)
        er_rate, ee_rate = item.employer_rate, item.employee_rate
        if rate is not None:
            er_rate = rate
            if item.rate_choice == "both":
                ee_rate = rate
        q = item.quantum
        employer = (b * er_rate).quantize(q, half_up) + item.employer_fixed
        employee = (b * ee_rate).quantize(q, half_up) + item.employee_fixed
        employer_sum += employer
        employee_sum += employee
        out.append(ItemAmount(item.kind, b, employer, employee, er_rate, ee_rate))
    return Contribution(policy, tuple(out), employer_sum, employee_sum)
