"""Writes of city policies: create a version, copy one, edit an item, lock a version
(billing locks the versions an issued bill used), load the policy data file.

Rules every write keeps: versions of one city never overlap (checked here on every
database; PostgreSQL also refuses it by an exclusion constraint); a locked version is
never changed; every change lands in the history (django-simple-history)."""

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.services import audit_record
from policies.models import City, PolicyItem, PolicyVersion
from policies.policy_file import CityData

# the figures an item edit may change
ITEM_FIELDS = (
    "kind", "label", "base_floor", "base_ceiling", "employer_rate", "employee_rate",
    "employer_fixed", "employee_fixed", "rounding", "rate_choice", "rate_min", "rate_max",
    "confidence", "note",
)
ITEM_DEFAULTS: dict[str, Any] = {
    "label": "", "employer_fixed": Decimal("0.00"), "employee_fixed": Decimal("0.00"),
    "rounding": PolicyItem.Rounding.CENT_HALF_UP, "rate_choice": "", "rate_min": None,
    "rate_max": None, "confidence": "official_text", "note": "",
}


def _refuse_locked(version: PolicyVersion) -> None:
    if version.locked:
        raise DomainError(
            code="policy_locked",
            message="该政策版本已用于已出具的账单，不能再修改；请从它新建一个版本 / "
                    "This policy version is used by an issued bill and can no longer be "
                    "edited; create a new version from it",
            status=409,
        )


def _check_period(
    *, city: City, effective_from: datetime.date, effective_to: datetime.date | None,
    exclude_pk: int | None = None,
) -> None:
    errors = []
    if effective_from.day != 1:
        errors.append(ErrorDetail(
            code="not_first_of_month", field="effective_from",
            message="生效日须为某月1日 / A version starts on the first day of a month",
        ))
    if effective_to is not None:
        if effective_to < effective_from:
            errors.append(ErrorDetail(
                code="before_start", field="effective_to",
                message="失效日早于生效日 / The end lies before the start",
            ))
        elif effective_to.day != calendar.monthrange(effective_to.year, effective_to.month)[1]:
            errors.append(ErrorDetail(
                code="not_last_of_month", field="effective_to",
                message="失效日须为某月最后一天 / A version ends on the last day of a month",
            ))
    if errors:
        raise ValidationFailed(errors)
    overlapping = PolicyVersion.objects.filter(city=city, superseded_by__isnull=True).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from)
    )
    if effective_to is not None:
        overlapping = overlapping.filter(effective_from__lte=effective_to)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    other = overlapping.order_by("effective_from").first()
    if other is not None:
        raise ValidationFailed(
            [ErrorDetail(
                code="policy_overlap", field="effective_from",
                message=f"与已有版本 {other} 的期间重叠 / Overlaps the version {other.name}",
            )],
            message="政策版本期间重叠 / Policy versions of one city may not overlap",
        )


def _kind_is_valid(kind: str) -> bool:
    """A code of lower-case ASCII letters, digits and _ that starts with a letter."""
    return bool(kind) and kind[0].isascii() and kind[0].isalpha() and all(
        c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in kind
    )


def _kind_errors(fields: Mapping[str, Any]) -> list[ErrorDetail]:
    if _kind_is_valid(str(fields["kind"])):
        return []
    return [ErrorDetail(code="invalid", field="kind",
                        message="险种代码只能含小写字母、数字和下划线 / "
                                "Kind: lower-case letters, digits and _ only")]


def _base_errors(fields: Mapping[str, Any]) -> list[ErrorDetail]:
    errors = []
    if fields["base_floor"] < 0:
        errors.append(ErrorDetail(code="negative", field="base_floor",
                                  message="基数下限不能为负 / The floor cannot be negative"))
    if fields["base_ceiling"] < fields["base_floor"]:
        errors.append(ErrorDetail(
            code="below_floor", field="base_ceiling",
            message="基数上限低于下限 / The ceiling lies below the floor"))
    return errors


def _amount_errors(fields: Mapping[str, Any]) -> list[ErrorDetail]:
    """Rates between 0 and 1, fixed amounts not negative, a known rounding rule."""
    errors = [
        ErrorDetail(code="out_of_range", field=name,
                    message="费率须在0到1之间 / A rate lies between 0 and 1")
        for name in ("employer_rate", "employee_rate")
        if not Decimal(0) <= fields[name] <= Decimal(1)
    ]
    errors += [
        ErrorDetail(code="negative", field=name,
                    message="固定金额不能为负 / A fixed amount cannot be negative")
        for name in ("employer_fixed", "employee_fixed")
        if fields[name] < 0
    ]
    if fields["rounding"] not in PolicyItem.Rounding.values:
        errors.append(ErrorDetail(code="invalid", field="rounding",
                                  message="舍入规则无效 / Unknown rounding rule"))
    return errors


def _rate_range_errors(fields: Mapping[str, Any]) -> list[ErrorDetail]:
    """A rate one side chooses (`rate_choice`) needs a range 0 ≤ min ≤ max ≤ 1 that holds
    the default employer rate; a range nobody chooses in is refused."""
    choice, low, high = fields["rate_choice"], fields["rate_min"], fields["rate_max"]
    if not choice:
        if low is not None or high is not None:
            return [ErrorDetail(
                code="required", field="rate_choice",
                message="设置费率范围时须说明由哪一方选择 / "
                        "Say which side the allowed range applies to")]
        return []
    if low is None or high is None:
        return [ErrorDetail(code="required", field="rate_min",
                            message="可选费率须有上下限 / A choosable rate needs a range")]
    if not Decimal(0) <= low <= high <= Decimal(1):
        return [ErrorDetail(
            code="out_of_range", field="rate_max",
            message="费率范围须满足 0 ≤ 下限 ≤ 上限 ≤ 1 / The range needs 0 ≤ min ≤ max ≤ 1")]
    if not low <= fields["employer_rate"] <= high:
        return [ErrorDetail(
            code="out_of_range", field="employer_rate",
            message="默认费率须在可选范围内 / The default rate lies within the allowed range")]
    return []


def _check_item(fields: Mapping[str, Any]) -> None:
    """Every problem of an item's figures, in the order of its fields."""
    errors = [*_kind_errors(fields), *_base_errors(fields), *_amount_errors(fields),
              *_rate_range_errors(fields)]
    if errors:
        raise ValidationFailed(errors)


def _item_save(version: PolicyVersion, fields: Mapping[str, Any], actor: User | None,
               item: PolicyItem | None = None) -> PolicyItem:
    values = _with_defaults(fields)
    _check_item(values)
    if item is None:
        item = PolicyItem(version=version)
    if version.items.filter(kind=values["kind"]).exclude(pk=item.pk).exists():
        raise ValidationFailed([ErrorDetail(
            code="duplicate_kind", field="kind",
            message="此版本已有该险种 / This version already has that item",
        )])
    for name, value in values.items():
        setattr(item, name, value)
    record_actor(item, actor)
    item.save()
    return item


def _with_defaults(fields: Mapping[str, Any]) -> dict[str, Any]:
    missing = [n for n in ITEM_FIELDS if n not in fields and n not in ITEM_DEFAULTS]
    if missing:
        raise ValidationFailed([
            ErrorDetail(code="required", field=n, message="必填 / Required") for n in missing
        ])
    return {n: fields[n] if n in fields else ITEM_DEFAULTS[n] for n in ITEM_FIELDS}


def _audit(event: str, target: PolicyVersion | PolicyItem, actor: User | None,
           **detail: Any) -> None:
    """One audit row per policy edit (action `policy_changed`, `event` says which)."""
    version = target if isinstance(target, PolicyVersion) else target.version
    audit_record(actor=actor, action=AuditEvent.Action.POLICY_CHANGED, target=target,
                 detail={"event": event, "city": version.city.code, "version": version.pk,
                         **detail})


@transaction.atomic
def policy_version_create(
    *,
    city: City,
    effective_from: datetime.date,
    effective_to: datetime.date | None,
    notice: str = "",
    provisional: bool = False,
    items: Iterable[Mapping[str, Any]] = (),
    actor: User | None,
) -> PolicyVersion:
    """A new version of `city`'s policy with its items; refuses an overlapping period."""
    version = _version_create(city=city, effective_from=effective_from,
                              effective_to=effective_to, notice=notice,
                              provisional=provisional, items=items, actor=actor)
    _audit("version_created", version, actor, effective_from=f"{effective_from:%Y-%m-%d}")
    return version


def _version_create(
    *, city: City, effective_from: datetime.date, effective_to: datetime.date | None,
    notice: str, provisional: bool, items: Iterable[Mapping[str, Any]], actor: User | None,
) -> PolicyVersion:
    City.objects.select_for_update().filter(pk=city.pk).first()  # one writer per city
    _check_period(city=city, effective_from=effective_from, effective_to=effective_to)
    version = PolicyVersion(
        city=city, effective_from=effective_from, effective_to=effective_to,
        notice=notice, provisional=provisional,
    )
    record_actor(version, actor)
    version.save()
    for fields in items:
        _item_save(version, fields, actor)
    return version


@transaction.atomic
def policy_version_copy(
    *,
    source: PolicyVersion,
    effective_from: datetime.date,
    effective_to: datetime.date | None,
    notice: str,
    provisional: bool = False,
    actor: User | None,
) -> PolicyVersion:
    """"New version from this one": the same items for another period (then edit them)."""
    items = [{name: getattr(i, name) for name in ITEM_FIELDS}
             for i in source.items.order_by("id")]
    version = _version_create(
        city=source.city, effective_from=effective_from, effective_to=effective_to,
        notice=notice, provisional=provisional, items=items, actor=actor,
    )
    _audit("version_copied", version, actor, source=source.pk,
           effective_from=f"{effective_from:%Y-%m-%d}")
    return version


@transaction.atomic
def policy_version_update(
    *,
    version: PolicyVersion,
    effective_from: datetime.date,
    effective_to: datetime.date | None,
    notice: str,
    provisional: bool,
    actor: User | None,
) -> PolicyVersion:
    """Change a version's period, notice or provisional flag (not once locked)."""
    version = _version_update(version=version, effective_from=effective_from,
                              effective_to=effective_to, notice=notice,
                              provisional=provisional, actor=actor)
    _audit("version_updated", version, actor)
    return version


def _version_update(
    *, version: PolicyVersion, effective_from: datetime.date,
    effective_to: datetime.date | None, notice: str, provisional: bool, actor: User | None,
) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    _refuse_locked(version)
    _check_period(city=version.city, effective_from=effective_from,
                  effective_to=effective_to, exclude_pk=version.pk)
    version.effective_from, version.effective_to = effective_from, effective_to
    version.notice, version.provisional = notice, provisional
    record_actor(version, actor)
    version.save()
    return version


@transaction.atomic
def policy_item_update(
    *, item: PolicyItem, fields: Mapping[str, Any], actor: User | None
) -> PolicyItem:
    """Change an item's figures (`fields`: any of `ITEM_FIELDS`); not in a locked version."""
    version = PolicyVersion.objects.select_for_update().get(pk=item.version_id)
    _refuse_locked(version)
    current = {name: getattr(item, name) for name in ITEM_FIELDS}
    changed = sorted(name for name, value in fields.items()
                     if name in current and current[name] != value)
    current.update(fields)
    saved = _item_save(version, current, actor, item=item)
    _audit("item_updated", saved, actor, kind=saved.kind, fields=changed)
    return saved


@transaction.atomic
def policy_item_add(
    *, version: PolicyVersion, fields: Mapping[str, Any], actor: User | None
) -> PolicyItem:
    """Add an item (e.g. a city-specific extra) to a version; not to a locked one."""
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    _refuse_locked(version)
    item = _item_save(version, fields, actor)
    _audit("item_added", item, actor, kind=item.kind)
    return item


@transaction.atomic
def policy_version_lock(*, version: PolicyVersion, actor: User | None) -> PolicyVersion:
    """Freeze a version: billing calls this when it issues a bill that used it. Idempotent.
    (Not audited on its own: the bill issue that locks it is.)"""
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.locked_at is None:
        version.locked_at = timezone.now()
        record_actor(version, actor)
        version.save(update_fields=["locked_at"])
    return version


@transaction.atomic
def policy_version_supersede(
    *,
    version: PolicyVersion,
    items: Iterable[Mapping[str, Any]] | None = None,
    effective_to: datetime.date | None = None,
    notice: str | None = None,
    actor: User | None,
) -> PolicyVersion:
    """Replace a provisional version by its final figures for the same period (a locked
    version is never edited: it is superseded). The new version starts where the old one
    did, is not provisional, and holds `items` (default: the old items, to edit next);
    the old one stays, marked `superseded_by`, for the bills that used it. Billing's next
    run adds a 补差 line for every month already billed under the provisional figures."""
    final = _version_supersede(version=version, items=items, effective_to=effective_to,
                               notice=notice, actor=actor)
    _audit("version_superseded", final, actor, superseded=version.pk)
    return final


def _version_supersede(
    *, version: PolicyVersion, items: Iterable[Mapping[str, Any]] | None,
    effective_to: datetime.date | None, notice: str | None, actor: User | None,
) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().select_related("city").get(pk=version.pk)
    if version.superseded_by_id is not None:
        raise DomainError(code="policy_superseded", status=409,
                          message="该政策版本已被替换 / This version is already superseded")
    if not version.provisional:
        raise DomainError(
            code="policy_not_provisional", status=409,
            message="只有暂行版本可被正式版本替换 / Only a provisional version is replaced "
                    "by final figures; start a new version for a new period instead",
        )
    if items is None:
        items = [{name: getattr(i, name) for name in ITEM_FIELDS}
                 for i in version.items.order_by("id")]
    # out of the way of the period checks (and constraints) until the final one is saved
    PolicyVersion.objects.filter(pk=version.pk).update(superseded_by=version)
    final = _version_create(
        city=version.city, effective_from=version.effective_from,
        effective_to=version.effective_to if effective_to is None else effective_to,
        notice=version.notice if notice is None else notice, provisional=False,
        items=items, actor=actor,
    )
    version.superseded_by = final
    record_actor(version, actor)
    version.save(update_fields=["superseded_by"])
    return final


# --- loading the data file -------------------------------------------------------------

@dataclass
class LoadReport:
    """What `policies_load` did: one line per city and per version."""

    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (what, key, outcome)

    def add(self, what: str, key: str, outcome: str) -> None:
        self.lines.append((what, key, outcome))

    def count(self, outcome: str) -> int:
        return sum(1 for _what, _key, o in self.lines if o == outcome)

    @property
    def changed(self) -> bool:
        return any(o != "unchanged" for _w, _k, o in self.lines)


def _item_values(item: PolicyItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


def _same_items(version: PolicyVersion, items: tuple[dict[str, Any], ...]) -> bool:
    have = {i.kind: _item_values(i) for i in version.items.all()}
    want = {f["kind"]: _with_defaults(f) for f in items}
    return have == want


@transaction.atomic
def policies_load(*, cities: Iterable[CityData], actor: User | None = None) -> LoadReport:
    """Bring cities and their versions in line with the data file (idempotent).

    A version is matched by city and first day; its period, notice, flag and items are
    set to the file's. A locked version is left as it is and reported `locked`."""
    report = LoadReport()
    for data in cities:
        city = City.objects.filter(code=data.code).first()
        if city is None:
            city = City(code=data.code, name=data.name, order_cutoff_day=data.order_cutoff_day)
            record_actor(city, actor)
            city.save()
            report.add("city", data.code, "created")
        elif (city.name, city.order_cutoff_day) != (data.name, data.order_cutoff_day):
            city.name, city.order_cutoff_day = data.name, data.order_cutoff_day
            record_actor(city, actor)
            city.save()
            report.add("city", data.code, "updated")
        else:
            report.add("city", data.code, "unchanged")
        for v in data.versions:
            key = f"{data.code}/{v.effective_from:%Y-%m-%d}"
            version = PolicyVersion.objects.filter(
                city=city, effective_from=v.effective_from, superseded_by__isnull=True
            ).first()
            if version is None:
                _version_create(
                    city=city, effective_from=v.effective_from, effective_to=v.effective_to,
                    notice=v.notice, provisional=v.provisional, items=v.items, actor=actor,
                )
                report.add("version", key, "created")
                continue
            same_head = (version.effective_to, version.notice, version.provisional) == (
                v.effective_to, v.notice, v.provisional
            )
            if same_head and _same_items(version, v.items):
                report.add("version", key, "unchanged")
                continue
            if version.locked:
                if version.provisional and not v.provisional:  # the final figures came
                    _version_supersede(version=version, effective_to=v.effective_to,
                                       notice=v.notice, items=v.items, actor=actor)
                    report.add("version", key, "superseded")
                else:
                    report.add("version", key, "locked")
                continue
            _version_update(
                version=version, effective_from=v.effective_from, effective_to=v.effective_to,
                notice=v.notice, provisional=v.provisional, actor=actor,
            )
            by_kind = {i.kind: i for i in version.items.all()}
            for fields in v.items:
                item = by_kind.pop(fields["kind"], None)
                if item is None or _item_values(item) != fields:
                    _item_save(version, fields, actor, item=item)
            for stale in by_kind.values():
                stale.delete()
            report.add("version", key, "updated")
    _audit_load(report, actor)
    return report


def _audit_load(report: LoadReport, actor: User | None) -> None:
    """One audit row for a load that changed something, naming what it changed."""
    if report.changed:
        audit_record(
            actor=actor, action=AuditEvent.Action.POLICY_CHANGED,
            actor_label="" if actor is not None else "policy data file",
            detail={"event": "policies_loaded",
                    "changed": [f"{what}:{key}:{outcome}" for what, key, outcome
                                in report.lines if outcome != "unchanged"][:200]})
