"""Benchmark: one month's contributions for 100,000 persons across the six cities.

Reads the policies from the data file shipped with the project through the same dataclass
builder the selectors use (`policies.policy_file`), then times
`policies.calculator.contributions` alone. Target: at least 50,000 persons per second
on a 2-core machine.

    .venv/bin/python bench/bench_calculator.py"""

import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

import django  # noqa: E402

django.setup()

from bench._report import record  # noqa: E402
from policies.calculator import contributions  # noqa: E402
from policies.policy_file import POLICY_FILE, policy_rules, read_policy_file  # noqa: E402

PERSONS = int(os.environ.get("BENCH_PERSONS", "100000"))
TARGET = 50_000  # persons per second
MONTH = datetime.date(2025, 8, 1)



def policies_in_force(month: datetime.date) -> list:
    out = []
    for city in read_policy_file(POLICY_FILE):
        for version in city.versions:
            if version.effective_from <= month and (
                version.effective_to is None or month <= version.effective_to
            ):
                out.append(policy_rules(city_code=city.code, version=version))
    return out


def persons(policies: list, n: int) -> list:
    """Deterministic persons: a city, a declared base (a third at the floor's level), a
    housing-fund base, and for some a chosen housing-fund rate within the range."""
    rng = random.Random(20250801)
    out = []
    for _ in range(n):
        policy = rng.choice(policies)
        base = Decimal(rng.choice((3000, rng.randint(3000, 60000)))) + Decimal(
            rng.randint(0, 99)
        ) / 100
        fund = policy.item("housing_fund")
        rate = None
        if fund is not None and fund.rate_min is not None and rng.random() < 0.3:
            rate = fund.rate_min
        out.append((policy, base, base, rate))
    return out


def main() -> int:
    policies = policies_in_force(MONTH)
    assert len(policies) == 6, [p.name for p in policies]
    people = persons(policies, PERSONS)

    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        employer = employee = Decimal("0.00")
        for policy, base, fund_base, rate in people:
            result = contributions(policy, base=base, housing_fund_base=fund_base,
                                   housing_fund_rate=rate)
            employer += result.employer
            employee += result.employee
        elapsed = time.perf_counter() - start
        best = max(best, PERSONS / elapsed)

    print(f"calculator: {PERSONS} persons, {MONTH:%Y-%m}, {len(policies)} cities")
    print(f"  totals: employer {employer}, employee {employee}")
    print(f"  persons per second: {best:,.0f} (target >= {TARGET:,})")
    ok = best >= TARGET
    print("  OK" if ok else "  BELOW TARGET")
    record("calculator", f"contributions, {PERSONS:,} persons (best of 3)", round(best),
           "persons/s", f">= {TARGET:,}/s", ok)
    return 0  # a missed target is a FAIL row of make bench's table, not a crash


if __name__ == "__main__":
    sys.exit(main())
