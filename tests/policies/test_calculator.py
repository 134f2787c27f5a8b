"""The contribution calculator: properties for any base, and figures from the data file.

No database: the rules come from the shared data file through the same dataclass builder
the selectors use."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agency.errors import ValidationFailed
from policies.calculator import ItemRule, PolicyRules, contributions
from policies.policy_file import policy_rules, read_policy_file
from tests.policies.factories import POLICY_FILE

CITIES = {city.code: city for city in read_policy_file(POLICY_FILE)}
ALL_RULES = [
    policy_rules(city_code=code, version=version)
    for code, city in CITIES.items()
    for version in city.versions
]


def rules(code: str, effective_from: str) -> PolicyRules:
    start = datetime.date.fromisoformat(effective_from)
    version = next(v for v in CITIES[code].versions if v.effective_from == start)
    return policy_rules(city_code=code, version=version)


def amounts(result, kind):
    item = next(i for i in result.items if i.kind == kind)
    return (str(item.base), str(item.employer), str(item.employee))


bases = st.decimals(min_value=-1000, max_value=10_000_000, places=2, allow_nan=False,
                    allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(policy=st.sampled_from(ALL_RULES), base=bases, fund_base=bases)
def test_any_base_is_clamped_and_rounded_by_the_item_rule(policy, base, fund_base):
    result = contributions(policy, base=base, housing_fund_base=fund_base)

    assert len(result.items) == len(policy.items)
    for rule, item in zip(policy.items, result.items, strict=True):
        declared = fund_base if rule.kind == "housing_fund" else base
        assert rule.base_floor <= item.base <= rule.base_ceiling
        assert item.base == min(max(declared, rule.base_floor), rule.base_ceiling)
        assert item.employer >= 0
        assert item.employee >= 0
        quantum = Decimal("1") if rule.rounding == "yuan_half_up" else Decimal("0.01")
        assert item.employer == (
            (item.base * rule.employer_rate).quantize(quantum, ROUND_HALF_UP) + rule.employer_fixed
        )
        assert item.employee == (
            (item.base * rule.employee_rate).quantize(quantum, ROUND_HALF_UP) + rule.employee_fixed
        )
        assert item.employer.as_tuple().exponent == -2
        assert item.employee.as_tuple().exponent == -2
        assert item.total == item.employer + item.employee
    assert result.employer == sum(i.employer for i in result.items)
    assert result.employee == sum(i.employee for i in result.items)
    assert result.total == result.employer + result.employee
    assert result.scheme_total("housing_fund") + result.scheme_total("social_insurance") == (
        result.total
    )


@settings(max_examples=300, deadline=None)
@given(
    floor=st.decimals(min_value=0, max_value=50_000, places=2),
    span=st.decimals(min_value=0, max_value=50_000, places=2),
    employer_rate=st.decimals(min_value=0, max_value=1, places=6),
    employee_rate=st.decimals(min_value=0, max_value=1, places=6),
    fixed=st.decimals(min_value=0, max_value=100, places=2),
    rounding=st.sampled_from(["cent_half_up", "yuan_half_up"]),
    base=bases,
)
def test_any_item_keeps_the_base_in_range_and_amounts_rounded(
    floor, span, employer_rate, employee_rate, fixed, rounding, base
):
    rule = ItemRule(kind="extra", base_floor=floor, base_ceiling=floor + span,
                    employer_rate=employer_rate, employee_rate=employee_rate,
                    employee_fixed=fixed, rounding=rounding)
    policy = PolicyRules(city_code="310000", effective_from=datetime.date(2030, 1, 1),
                         effective_to=None, items=(rule,))

    item = contributions(policy, base=base).items[0]

    assert floor <= item.base <= floor + span
    assert item.employer >= 0 and item.employee >= fixed
    step = Decimal("1") if rounding == "yuan_half_up" else Decimal("0.01")
    assert item.employer % step == 0
    assert (item.employee - fixed) % step == 0
    assert abs(item.employer - item.base * employer_rate) <= step / 2
    assert abs(item.employee - fixed - item.base * employee_rate) <= step / 2


CHOOSABLE = [
    (policy, item) for policy in ALL_RULES for item in policy.items if item.rate_choice
]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), base=bases)
def test_any_rate_chosen_within_the_range_sets_the_sides_the_item_lets_choose(data, base):
    policy, rule = data.draw(st.sampled_from(CHOOSABLE))
    rate = data.draw(st.decimals(min_value=rule.rate_min, max_value=rule.rate_max, places=4))
    field = "housing_fund_rate" if rule.kind == "housing_fund" else "work_injury_rate"

    result = contributions(policy, base=base, **{field: rate})

    item = next(i for i in result.items if i.kind == rule.kind)
    step = Decimal("1") if rule.rounding == "yuan_half_up" else Decimal("0.01")
    expected_employee = rate if rule.rate_choice == "both" else rule.employee_rate
    assert item.employer == (item.base * rate).quantize(step, ROUND_HALF_UP) + rule.employer_fixed
    assert item.employee == (
        (item.base * expected_employee).quantize(step, ROUND_HALF_UP) + rule.employee_fixed
    )
    assert item.employer >= 0 and item.employee >= 0


def test_shanghai_housing_fund_at_the_floor_rounds_each_side_to_the_yuan():
    policy = rules("310000", "2025-07-01")

    at_7 = contributions(policy, base=Decimal("8000.00"), housing_fund_base=Decimal("2690.00"))
    at_5 = contributions(policy, base=Decimal("8000.00"), housing_fund_base=Decimal("2690.00"),
                         housing_fund_rate=Decimal("0.05"))

    assert amounts(at_7, "housing_fund") == ("2690.00", "188.00", "188.00")  # 188.30
    assert amounts(at_5, "housing_fund") == ("2690.00", "135.00", "135.00")  # 134.50


def test_a_base_below_the_floor_pays_on_the_floor():
    result = contributions(rules("310000", "2025-07-01"), base=Decimal("5000.00"))

    assert amounts(result, "pension") == ("7460.00", "1193.60", "596.80")
    assert amounts(result, "work_injury") == ("7460.00", "11.94", "0.00")  # 11.936
    assert amounts(result, "housing_fund") == ("5000.00", "350.00", "350.00")
    assert (str(result.employer), str(result.employee), str(result.total)) == (
        "2338.84", "1133.30", "3472.14"
    )


def test_a_base_above_the_ceiling_pays_on_the_ceiling():
    result = contributions(rules("310000", "2025-07-01"), base=Decimal("50000.00"))

    assert amounts(result, "pension") == ("37302.00", "5968.32", "2984.16")
    assert amounts(result, "housing_fund") == ("37302.00", "2611.00", "2611.00")  # 2611.14
    assert (str(result.employer), str(result.employee), str(result.total)) == (
        "12555.71", "6527.71", "19083.42"
    )


def test_beijing_employee_pays_the_fixed_3_yuan_on_top_of_medical():
    result = contributions(rules("110000", "2025-07-01"), base=Decimal("10000.00"))

    assert amounts(result, "medical") == ("10000.00", "980.00", "203.00")
    assert (str(result.employer), str(result.employee)) == ("3850.00", "2253.00")


def test_the_work_injury_rate_within_the_range_replaces_the_employer_rate_only():
    result = contributions(rules("110000", "2025-07-01"), base=Decimal("10000.00"),
                           work_injury_rate=Decimal("0.019"))

    assert amounts(result, "work_injury") == ("10000.00", "190.00", "0.00")


def test_leaving_out_the_housing_fund_leaves_only_social_insurance():
    result = contributions(rules("310000", "2025-07-01"), base=Decimal("8000.00"),
                           housing_fund=False)

    assert [i.kind for i in result.items] == [
        "pension", "medical", "maternity", "unemployment", "work_injury"
    ]
    assert str(result.total) == "2972.80"


@pytest.mark.parametrize(("field", "value", "code"), [
    ("housing_fund_rate", "0.08", "rate_out_of_range"),
    ("housing_fund_rate", "0.04", "rate_out_of_range"),
    ("work_injury_rate", "0.02", "rate_out_of_range"),
])
def test_a_chosen_rate_outside_the_city_range_is_refused_naming_the_field(field, value, code):
    with pytest.raises(ValidationFailed) as caught:
        contributions(rules("310000", "2025-07-01"), base=Decimal("8000.00"),
                      **{field: Decimal(value)})

    assert [(d.field, d.code) for d in caught.value.details] == [(field, code)]


def test_a_work_injury_rate_where_the_city_sets_none_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        contributions(rules("330100", "2025-07-01"), base=Decimal("8000.00"),
                      work_injury_rate=Decimal("0.004"))

    assert [(d.field, d.code) for d in caught.value.details] == [
        ("work_injury_rate", "rate_not_choosable")
    ]
