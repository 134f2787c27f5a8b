"""City policies: loading the data file, effective dates, overlaps, editing and locking."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from agency.errors import DomainError, ValidationFailed
from agency.roles import Role
from policies.calculator import contributions
from policies.models import City, PolicyItem, PolicyVersion
from policies.policy_file import PolicyFileError
from policies.selectors import (
    policy_rules_by_city,
    policy_rules_for_month,
    policy_version_at,
)
from policies.services import (
    policy_item_update,
    policy_version_copy,
    policy_version_create,
    policy_version_lock,
    policy_version_update,
)
from tests.factories import CityFactory, UserFactory
from tests.policies.factories import POLICY_FILE, PolicyItemFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def load(path) -> list[str]:
    out = StringIO()
    call_command("load_policies", str(path), stdout=out)
    return out.getvalue().splitlines()


def test_load_policies_creates_every_city_and_version_of_the_file():
    lines = load(POLICY_FILE)

    assert lines[0] == "city 110000: created"
    assert lines[1] == "version 110000/2024-07-01: created"
    assert lines[-1] == "policies loaded: 28 created, 0 updated, 0 unchanged, 0 locked"
    assert City.objects.count() == 6
    assert PolicyVersion.objects.count() == 22
    assert PolicyItem.objects.count() == 113
    shanghai = City.objects.get(code="310000")
    assert (shanghai.name, shanghai.order_cutoff_day) == ("上海市", 15)
    fund = PolicyItem.objects.get(version__city=shanghai, version__effective_from=D(2025, 7, 1),
                                  kind="housing_fund")
    assert (fund.base_floor, fund.employer_rate, fund.employee_rate, fund.rate_choice,
            fund.rate_min, fund.rate_max, fund.rounding) == (
        Decimal("2690.00"), Decimal("0.07"), Decimal("0.07"), "both", Decimal("0.05"),
        Decimal("0.07"), "yuan_half_up",
    )


def test_load_policies_without_a_path_loads_the_copy_shipped_with_the_project():
    out = StringIO()

    call_command("load_policies", stdout=out)

    assert out.getvalue().splitlines()[-1] == (
        "policies loaded: 28 created, 0 updated, 0 unchanged, 0 locked"
    )
    assert PolicyVersion.objects.count() == 22


def test_load_policies_twice_reports_no_change():
    load(POLICY_FILE)
    history_rows = PolicyItem.history.count()

    lines = load(POLICY_FILE)

    assert lines[-1] == "policies loaded: 0 created, 0 updated, 28 unchanged, 0 locked"
    assert PolicyItem.history.count() == history_rows


def test_load_policies_reports_a_changed_figure_as_updated(tmp_path):
    load(POLICY_FILE)
    data = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    shanghai = next(c for c in data["cities"] if c["code"] == "310000")
    shanghai["policies"][1]["items"][0]["base_floor"] = "7500.00"
    changed = tmp_path / "policies.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    lines = load(changed)

    assert [line for line in lines if not line.endswith("unchanged")] == [
        "version 310000/2025-07-01: updated",
        "policies loaded: 0 created, 1 updated, 27 unchanged, 0 locked",
    ]
    pension = PolicyItem.objects.get(version__city__code="310000",
                                     version__effective_from=D(2025, 7, 1), kind="pension")
    assert pension.base_floor == Decimal("7500.00")
    assert pension.history.first().history_type == "~"


def test_load_policies_refuses_a_broken_file_or_an_overlap_and_loads_nothing(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"cities": [{"code": "310000", "name": "上海市", "policies": [{}]}]}',
                      encoding="utf-8")
    PolicyVersionFactory(city=CityFactory(code="110000", name="北京市"),
                         effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))

    with pytest.raises(CommandError) as bad_shape:
        load(broken)
    with pytest.raises(CommandError) as overlap:
        load(POLICY_FILE)

    assert str(bad_shape.value) == "unexpected shape: KeyError('effective_from')"
    assert str(overlap.value) == (
        "政策版本期间重叠 / Policy versions of one city may not overlap (effective_from: "
        "与已有版本 北京市 2025-01-01–2025-12-31 的期间重叠 / Overlaps the version "
        "110000/2025-01-01); nothing was loaded"
    )
    assert (City.objects.count(), PolicyVersion.objects.count()) == (1, 1)


def test_load_policies_leaves_a_locked_version_alone(tmp_path):
    load(POLICY_FILE)
    version = PolicyVersion.objects.get(city__code="310000", effective_from=D(2025, 7, 1))
    policy_version_lock(version=version, actor=None)
    data = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    next(c for c in data["cities"] if c["code"] == "310000")["policies"][1]["notice"] = "x"
    changed = tmp_path / "policies.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    lines = load(changed)

    assert "version 310000/2025-07-01: locked" in lines
    version.refresh_from_db()
    assert version.notice == "本市调整2025年度社保缴费基数上下限 (2025-09-18)"


def test_the_demo_loads_the_shipped_file_and_a_missing_file_is_named(tmp_path):
    from policies.demo import seed as seed_policies

    seed_policies()
    seed_policies()

    assert POLICY_FILE.parent.as_posix().endswith("policies/data")
    assert PolicyVersion.objects.count() == 22
    missing = tmp_path / "city-policies.json"
    with pytest.raises(PolicyFileError) as caught:
        seed_policies(missing)
    assert str(caught.value) == f"{missing}: no such file"


def test_the_last_day_of_one_version_and_the_first_of_the_next(policies):
    shanghai = City.objects.get(code="310000")

    last = policy_version_at(city=shanghai, on=D(2025, 6, 30))
    first = policy_version_at(city=shanghai, on=D(2025, 7, 1))

    assert (last.effective_from, last.effective_to) == (D(2024, 7, 1), D(2025, 6, 30))
    assert (first.effective_from, first.effective_to) == (D(2025, 7, 1), D(2026, 6, 30))
    june = contributions(policy_rules_for_month(city=shanghai, month=D(2025, 6, 1)),
                         base=Decimal("3000.00"))
    july = contributions(policy_rules_for_month(city=shanghai, month=D(2025, 7, 1)),
                         base=Decimal("3000.00"))
    assert (june.items[0].base, june.items[0].employer) == (Decimal("7384.00"), Decimal("1181.44"))
    assert (july.items[0].base, july.items[0].employer) == (Decimal("7460.00"), Decimal("1193.60"))


def test_a_bill_run_reads_every_city_policy_of_a_month_in_two_queries(
    policies, django_assert_num_queries
):
    with django_assert_num_queries(2):
        rules = policy_rules_by_city(month=D(2025, 6, 1))

    assert {code: r.name for code, r in rules.items()} == {
        "110000": "110000/2024-07-01", "310000": "310000/2024-07-01",
        "330100": "330100/2025-01-01", "340100": "340100/2025-01-01",
    }  # Guangzhou and Shenzhen have no policy before 2025-07
    assert [i.kind for i in rules["310000"].items] == [
        "pension", "medical", "maternity", "unemployment", "work_injury", "housing_fund"
    ]


def test_a_month_in_a_gap_has_no_policy(policies):
    shenzhen = City.objects.get(code="440300")

    with pytest.raises(DomainError) as caught:
        policy_rules_for_month(city=shenzhen, month=D(2025, 6, 1))

    assert caught.value.code == "no_policy"
    assert policy_version_at(city=shenzhen, on=D(2025, 7, 1)).effective_from == D(2025, 7, 1)


@pytest.mark.parametrize(("start", "end"), [
    (D(2030, 6, 1), D(2030, 6, 30)),     # inside
    (D(2029, 12, 1), D(2030, 1, 31)),    # over the start
    (D(2030, 12, 1), D(2031, 3, 31)),    # over the end
    (D(2029, 1, 1), None),               # open-ended from before
])
def test_an_overlapping_version_is_refused(start, end):
    existing = PolicyVersionFactory()  # 2030-01-01 – 2030-12-31

    with pytest.raises(ValidationFailed) as caught:
        policy_version_create(city=existing.city, effective_from=start, effective_to=end,
                              actor=None)

    assert [(d.field, d.code) for d in caught.value.details] == [
        ("effective_from", "policy_overlap")
    ]
    assert PolicyVersion.objects.count() == 1


def test_an_adjacent_version_and_another_city_are_accepted():
    existing = PolicyVersionFactory()

    policy_version_create(city=existing.city, effective_from=D(2031, 1, 1), effective_to=None,
                          actor=None)
    policy_version_create(city=CityFactory(code="110000", name="北京市"),
                          effective_from=D(2030, 1, 1), effective_to=D(2030, 12, 31), actor=None)

    assert PolicyVersion.objects.count() == 3


def test_the_database_refuses_overlapping_versions_written_around_the_service():
    existing = PolicyVersionFactory()

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        PolicyVersion.objects.create(city=existing.city, effective_from=D(2030, 7, 1),
                                     effective_to=D(2031, 6, 30))

    assert "policyversion_no_overlap" in str(caught.value)


def test_a_version_must_cover_whole_months():
    city = CityFactory()

    with pytest.raises(ValidationFailed) as caught:
        policy_version_create(city=city, effective_from=D(2030, 1, 2),
                              effective_to=D(2030, 2, 27), actor=None)

    assert [(d.field, d.code) for d in caught.value.details] == [
        ("effective_from", "not_first_of_month"), ("effective_to", "not_last_of_month"),
    ]


def test_a_version_may_run_to_the_last_representable_day():
    version = policy_version_create(city=CityFactory(), effective_from=D(2030, 1, 1),
                                    effective_to=D(9999, 12, 31), actor=None)

    assert version.effective_to == D(9999, 12, 31)


def test_new_version_from_an_old_one_copies_its_items_and_keeps_history():
    manager = UserFactory(role=Role.MANAGER)
    source = PolicyVersionFactory()
    PolicyItemFactory(version=source, kind="pension")
    PolicyItemFactory(version=source, kind="housing_fund", employer_rate=Decimal("0.07"),
                      employee_rate=Decimal("0.07"), rate_choice="both",
                      rate_min=Decimal("0.05"), rate_max=Decimal("0.07"),
                      rounding="yuan_half_up", confidence="unverified")

    copy = policy_version_copy(source=source, effective_from=D(2031, 1, 1),
                               effective_to=D(2031, 12, 31), notice="测试〔2031〕1号",
                               actor=manager)
    pension = copy.items.get(kind="pension")
    policy_item_update(item=pension, fields={"base_floor": Decimal("5200.00")}, actor=manager)

    assert [(i.kind, i.base_floor, i.rate_max, i.confidence)
            for i in copy.items.order_by("id")] == [
        ("pension", Decimal("5200.00"), None, "official_text"),
        ("housing_fund", Decimal("5000.00"), Decimal("0.07"), "unverified"),
    ]
    assert source.items.get(kind="pension").base_floor == Decimal("5000.00")
    history = list(pension.history.order_by("history_date"))
    assert [(h.history_type, h.base_floor, h.history_user) for h in history] == [
        ("+", Decimal("5000.00"), manager), ("~", Decimal("5200.00"), manager),
    ]


def test_an_item_edit_with_bad_figures_names_the_fields():
    item = PolicyItemFactory()

    with pytest.raises(ValidationFailed) as caught:
        policy_item_update(item=item, fields={
            "base_ceiling": Decimal("100.00"), "employee_rate": Decimal("1.5"),
            "rate_choice": "employer",
        }, actor=None)

    assert [(d.field, d.code) for d in caught.value.details] == [
        ("base_ceiling", "below_floor"), ("employee_rate", "out_of_range"),
        ("rate_min", "required"),
    ]


def test_a_locked_version_can_no_longer_be_edited():
    item = PolicyItemFactory()
    version = policy_version_lock(version=item.version, actor=None)
    locked_at = version.locked_at

    with pytest.raises(DomainError) as on_item:
        policy_item_update(item=item, fields={"base_floor": Decimal("1.00")}, actor=None)
    with pytest.raises(DomainError) as on_version:
        policy_version_update(version=version, effective_from=version.effective_from,
                              effective_to=None, notice="", provisional=False, actor=None)

    assert (on_item.value.code, on_item.value.status) == ("policy_locked", 409)
    assert on_version.value.code == "policy_locked"
    item.refresh_from_db()
    assert item.base_floor == Decimal("5000.00")
    assert policy_version_lock(version=version, actor=None).locked_at == locked_at
