"""The policy data file (`policies/data/city-policies.json`, shipped with the project) read
into plain values: the
fields of `City`, `PolicyVersion` and `PolicyItem`, and the calculator's dataclasses.

The file's items come in two shapes: a fixed pair of rates (`employer_rate`,
`employee_rate`, optionally `employer_rate_range` where the client picks the employer
rate, e.g. work injury by industry risk class), or one rate both sides share that the
client picks in a range (`rate_min`, `rate_max`, `default_rate`: the housing fund)."""

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from policies.calculator import ItemRule, PolicyRules

# the copy of the published city policies that ships with the project (never retyped: a
# test compares it with the shared data file it was copied from)
POLICY_FILE = Path(__file__).resolve().parent / "data" / "city-policies.json"

ITEM_KEYS = frozenset({
    "kind", "label", "base_floor", "base_ceiling", "employer_rate", "employee_rate",
    "employer_fixed", "employee_fixed", "rounding", "rate_min", "rate_max", "default_rate",
    "employer_rate_range", "confidence", "note",
})
VERSION_KEYS = frozenset({"effective_from", "effective_to", "notice", "provisional", "items"})
CITY_KEYS = frozenset({"code", "name", "order_cutoff_day", "policies", "note"})
# what the calculator reads of an item, in the order of `ItemRule`
RULE_FIELDS = (
    "kind", "base_floor", "base_ceiling", "employer_rate", "employee_rate", "employer_fixed",
    "employee_fixed", "rounding", "rate_choice", "rate_min", "rate_max", "confidence", "note",
    "label",
)


class PolicyFileError(ValueError):
    """The data file does not say what the loader expects; the message says where."""


@dataclass(frozen=True)
class VersionData:
    effective_from: datetime.date
    effective_to: datetime.date | None
    notice: str
    provisional: bool
    items: tuple[dict[str, Any], ...]  # PolicyItem field values


@dataclass(frozen=True)
class CityData:
    code: str
    name: str
    order_cutoff_day: int
    versions: tuple[VersionData, ...]


def _money(raw: Any, where: str, places: int = 2) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise PolicyFileError(f"{where}: not a number: {raw!r}") from exc
    if not value.is_finite() or value < 0:
        raise PolicyFileError(f"{where}: not a non-negative number: {raw!r}")
    return value.quantize(Decimal(1).scaleb(-places))


def _date(raw: Any, where: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise PolicyFileError(f"{where}: not an ISO date: {raw!r}") from exc


def item_fields(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One item of the file as `PolicyItem` field values."""
    unknown = set(raw) - ITEM_KEYS
    if unknown:
        raise PolicyFileError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("kind", "base_floor", "base_ceiling", "rounding", "confidence"):
        if key not in raw:
            raise PolicyFileError(f"{where}: {key} is missing")

    def rate(key: str) -> Decimal:
        return _money(raw[key], f"{where}.{key}", places=6)

    fields: dict[str, Any] = {
        "kind": str(raw["kind"]),
        "label": str(raw.get("label", "")),
        "base_floor": _money(raw["base_floor"], f"{where}.base_floor"),
        "base_ceiling": _money(raw["base_ceiling"], f"{where}.base_ceiling"),
        "employer_fixed": _money(raw.get("employer_fixed", "0"), f"{where}.employer_fixed"),
        "employee_fixed": _money(raw.get("employee_fixed", "0"), f"{where}.employee_fixed"),
        "rounding": str(raw["rounding"]),
        "confidence": str(raw["confidence"]),
        "note": str(raw.get("note", "")),
        "rate_choice": "",
        "rate_min": None,
        "rate_max": None,
    }
    if "default_rate" in raw:  # one rate for both sides, chosen in [rate_min, rate_max]
        if "employer_rate" in raw or "employee_rate" in raw:
            raise PolicyFileError(f"{where}: default_rate and employer/employee_rate together")
        fields["employer_rate"] = fields["employee_rate"] = rate("default_rate")
        fields["rate_choice"] = "both"
        fields["rate_min"], fields["rate_max"] = rate("rate_min"), rate("rate_max")
    else:
        if "employer_rate" not in raw or "employee_rate" not in raw:
            raise PolicyFileError(f"{where}: employer_rate and employee_rate are needed")
        fields["employer_rate"], fields["employee_rate"] = (
            rate("employer_rate"), rate("employee_rate")
        )
        if "employer_rate_range" in raw:
            low, high = raw["employer_rate_range"]
            fields["rate_choice"] = "employer"
            fields["rate_min"] = _money(low, f"{where}.employer_rate_range", places=6)
            fields["rate_max"] = _money(high, f"{where}.employer_rate_range", places=6)
    return fields


def parse_policies(data: Mapping[str, Any]) -> tuple[CityData, ...]:
    try:
        return _parse_policies(data)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PolicyFileError):
            raise
        raise PolicyFileError(f"unexpected shape: {exc!r}") from exc


def _parse_policies(data: Mapping[str, Any]) -> tuple[CityData, ...]:
    cities = data.get("cities")
    if not isinstance(cities, list):
        raise PolicyFileError("cities: a list is expected")
    out = []
    for c, city in enumerate(cities):
        where = f"cities[{c}]"
        unknown = set(city) - CITY_KEYS
        if unknown:
            raise PolicyFileError(f"{where}: unknown keys {sorted(unknown)}")
        versions = []
        for v, version in enumerate(city.get("policies", [])):
            vwhere = f"{where}.policies[{v}]"
            unknown = set(version) - VERSION_KEYS
            if unknown:
                raise PolicyFileError(f"{vwhere}: unknown keys {sorted(unknown)}")
            to = version.get("effective_to")
            versions.append(VersionData(
                effective_from=_date(version["effective_from"], f"{vwhere}.effective_from"),
                effective_to=_date(to, f"{vwhere}.effective_to") if to else None,
                notice=str(version.get("notice", "")),
                provisional=bool(version.get("provisional", False)),
                items=tuple(
                    item_fields(item, f"{vwhere}.items[{i}]")
                    for i, item in enumerate(version["items"])
                ),
            ))
        out.append(CityData(
            code=str(city["code"]), name=str(city["name"]),
            order_cutoff_day=int(city.get("order_cutoff_day", 15)), versions=tuple(versions),
        ))
    return tuple(out)


def read_policy_file(path: Path | str) -> tuple[CityData, ...]:
    path = Path(path)
    if not path.is_file():
        raise PolicyFileError(f"{path}: no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PolicyFileError(f"{path}: not JSON ({exc})") from exc
    return parse_policies(data)


def item_rule(fields: Mapping[str, Any]) -> ItemRule:
    """The calculator's view of one item, from `PolicyItem` field values."""
    return ItemRule(*(fields[name] for name in RULE_FIELDS))


def policy_rules(
    *, city_code: str, version: VersionData, version_id: int | None = None
) -> PolicyRules:
    return PolicyRules(
        city_code=city_code,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        items=tuple(item_rule(fields) for fields in version.items),
        notice=version.notice,
        provisional=version.provisional,
        version_id=version_id,
    )
