"""Reads of city policies. Cities and their contribution policies are public reference
data: every authenticated caller (staff, portal user, API key) may read them."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from agency.errors import DomainError
from policies.calculator import Contribution, PolicyRules, contributions
from policies.models import City, PolicyItem, PolicyVersion
from policies.policy_file import RULE_FIELDS, item_rule


def city_list() -> QuerySet[City]:
    return City.objects.order_by("code")


def city_list_with_current(*, on: datetime.date) -> list[tuple[City, PolicyVersion | None]]:
    """Every city with the version in force on `on` (or None), in two queries."""
    in_force = PolicyVersion.objects.filter(
        effective_from__lte=on, superseded_by__isnull=True
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    cities = city_list().prefetch_related(
        Prefetch("policy_versions", queryset=in_force, to_attr="in_force")
    )
    return [(city, next(iter(city.in_force), None)) for city in cities]


def city_get(*, code: str) -> City:
    city = City.objects.filter(code=code).first()
    if city is None:
        raise Http404
    return city


def policy_version_list(*, city: City) -> QuerySet[PolicyVersion]:
    return (
        PolicyVersion.objects.filter(city=city).select_related("city").order_by("-effective_from")
    )


def policy_version_get(*, pk: int) -> PolicyVersion:
    version = (
        PolicyVersion.objects.select_related("city")
        .prefetch_related(Prefetch("items", queryset=PolicyItem.objects.order_by("id")))
        .filter(pk=pk)
        .first()
    )
    if version is None:
        raise Http404
    return version


def policy_version_at(*, city: City, on: datetime.date) -> PolicyVersion | None:
    """The version of `city` in force on `on`, or None (a gap: no policy)."""
    return (
        PolicyVersion.objects.filter(city=city, superseded_by__isnull=True)
        .filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("city")
        .prefetch_related(Prefetch("items", queryset=PolicyItem.objects.order_by("id")))
        .first()
    )


def policy_rules_of(version: PolicyVersion) -> PolicyRules:
    """The calculator's frozen view of a version (items in their stored order)."""
    items = sorted(version.items.all(), key=lambda i: i.pk)
    return PolicyRules(
        city_code=version.city.code,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        items=tuple(item_rule({f: getattr(i, f) for f in RULE_FIELDS}) for i in items),
        notice=version.notice,
        provisional=version.provisional,
        version_id=version.pk,
    )


def policy_rules_for_month(*, city: City, month: datetime.date) -> PolicyRules:
    """The policy in force in `month` (its first day); 400 `no_policy` if none is."""
    version = policy_version_at(city=city, on=month.replace(day=1))
    if version is None:
        raise DomainError(
            code="no_policy",
            message=f"{city.name} {month:%Y-%m} 没有生效的缴费政策 / "
                    f"No contribution policy of {city.code} is in force in {month:%Y-%m}",
        )
    return policy_rules_of(version)


@dataclass(frozen=True)
class Quote:
    """The contribution quote: one person's month in a city at a base (the API's
    `/cities/{code}/quote/` and the quote pages)."""

    city_code: str
    month: datetime.date
    contribution: Contribution

    @property
    def policy_name(self) -> str:
        return self.contribution.policy.name

    @property
    def provisional(self) -> bool:
        return self.contribution.policy.provisional


def quote(
    *,
    city: City,
    month: datetime.date,
    base: Decimal,
    housing_fund_base: Decimal | None = None,
    housing_fund_rate: Decimal | None = None,
    work_injury_rate: Decimal | None = None,
) -> Quote:
    """The monthly contributions at `base` under the policy in force in `month` (400
    `no_policy` if none is; a chosen rate outside the city's range is a 400 naming it)."""
    contribution = contributions(
        policy_rules_for_month(city=city, month=month), base=base,
        housing_fund_base=housing_fund_base, housing_fund_rate=housing_fund_rate,
        work_injury_rate=work_injury_rate,
    )
    return Quote(city_code=city.code, month=month.replace(day=1), contribution=contribution)


def policy_rules_between(
    *, city: City, first: datetime.date, last: datetime.date
) -> list[PolicyRules]:
    """The versions of `city` in force on some day from `first` to `last`, oldest first."""
    versions = (
        PolicyVersion.objects.filter(city=city, effective_from__lte=last,
                                     superseded_by__isnull=True)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=first))
        .select_related("city")
        .prefetch_related(Prefetch("items", queryset=PolicyItem.objects.order_by("id")))
        .order_by("effective_from")
    )
    return [policy_rules_of(v) for v in versions]


def policy_rules_by_city(*, month: datetime.date) -> dict[str, PolicyRules]:
    """Every city's policy in force in `month`, by city code (cities in a gap are absent):
    what a monthly bill run needs, in two queries."""
    on = month.replace(day=1)
    versions = (
        PolicyVersion.objects.filter(effective_from__lte=on, superseded_by__isnull=True)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("city")
        .prefetch_related(Prefetch("items", queryset=PolicyItem.objects.order_by("id")))
    )
    return {v.city.code: policy_rules_of(v) for v in versions}


def policy_version_history(*, version: PolicyVersion, limit: int = 50) -> list[Any]:
    """The latest changes of a version's items (who, when, which figures), newest first."""
    return list(
        PolicyItem.history.filter(version_id=version.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
