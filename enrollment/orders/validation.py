"""Validation of roster-order lines (增减员) before anything is saved: every field of every
line, then what each line means for the person's enrolments, with every problem named by
its line and field (the API's error shape). Every channel (portal form, Excel, API,
e-mail) hands `order_validate` the same line dicts, in the API's JSON shape."""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from agency import deadlines
from agency.calendar import working_calendar
from agency.crypto import lookup_hash
from agency.errors import DomainError, ErrorDetail, RateLimited, ValidationFailed
from clients.models import Client, Contract
from clients.selectors import contract_in_force
from enrollment.models import (
    Enrollment,
    InsuredPerson,
    LineAction,
    Scheme,
)
from enrollment.orders.records import (
    Line,
    check_add,
    check_removal,
    check_rep_load,
    earliest_months,
    known_persons,
    person_of,
    set_effective_month,
)
from enrollment.persons.id_numbers import IdCheck, under_age, validate_id_number
from policies.models import City

MAX_LINES = 20_000
MAX_BASE = Decimal("1000000")
MONTHS_BACK = 12  # 补缴 beyond a year is a case for staff, not a roster line
MONTHS_AHEAD = 12
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
ACTIONS = set(LineAction.values)
HUKOU = set(InsuredPerson.HukouType.values)
REASONS = set(Enrollment.EndReason.values)
SCHEMES = set(Scheme.values)

MSG = {
    "required": "必填 / Required",
    "action_invalid": "类型须为 add、remove 或 adjust_base / Action must be add, remove or "
    "adjust_base",
    "hukou_invalid": "户籍性质无效 / Unknown hukou type",
    "reason_invalid": "减员原因无效 / Unknown removal reason",
    "base_invalid": "缴费基数须为正数金额（最多两位小数）或 min / max / The base must be a "
    "positive amount with at most two decimals, or min / max",
    "date_invalid": "日期无效或超出允许范围（前后12个月） / Invalid date, or more than 12 "
    "months away",
    "city_unknown": "未知的参保城市 / Unknown city",
    "city_not_in_contract": "该城市不在客户的有效合同中 / The city is not in the client's "
    "active contract",
    "scheme_invalid": "险种须为 social_insurance 或 housing_fund / Schemes must be "
    "social_insurance or housing_fund",
    "scheme_not_in_contract": "合同不含住房公积金 / The contract does not cover the "
    "housing fund",
    "duplicate_in_order": "同一派单中该人员在该城市重复出现 / The same person and city appear "
    "twice in this order",
    "already_enrolled": "该人员在该城市已参保或已有处理中的增员 / Already enrolled (or being "
    "added) in this city",
    "not_enrolled": "该人员在该城市未由本单位参保 / Not enrolled by this client in this city",
    "under_age": "未满16周岁 / Under 16 years of age on the effective date",
    "name_mismatch": "姓名与身份证号对应的人员不一致 / The name does not match the person with "
    "this ID number",
    "phone_invalid": "手机号格式错误 / Invalid phone number",
    "date_before_enrolment": "减员日期早于参保开始日期 / The removal date is before the "
    "enrolment began",
}


@dataclass(frozen=True)
class ContractScope:
    """The client's contract in force and the cities it prices."""

    contract: Contract
    city_ids: frozenset[int]

    @property
    def covers_housing_fund(self) -> bool:
        return self.contract.housing_fund_rate is not None


def contract_scope(*, client: Client, on: datetime.date) -> ContractScope | None:
    contract = contract_in_force(client=client, on=on)
    if contract is None:
        return None
    return ContractScope(contract, frozenset(p.city_id for p in contract.prices.all()))


def _err(errors: list[ErrorDetail], line: int, field: str, code: str, message: str = "") -> None:
    errors.append(ErrorDetail(code=code, message=message or MSG[code], field=field, line=line))


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _parse_base(value: Any) -> tuple[str, Decimal | None] | None:
    text = "" if value is None else str(value).strip().replace(",", "")
    if text.lower() in ("min", "max"):
        return text.lower(), None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_BASE or amount != round(amount, 2):
        return None
    return Enrollment.BaseKind.DECLARED, amount.quantize(Decimal("0.01"))


def _parse_date(value: Any, today: datetime.date) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            return None
    earliest, latest = _date_window(today)
    return day if earliest <= day <= latest else None


@lru_cache(maxsize=8)
def _date_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last date a line may take effect on, for an order received `today`
    (worked out once per day, not once per line)."""
    return deadlines.add_months(today, -MONTHS_BACK), deadlines.add_months(today, MONTHS_AHEAD)


@dataclass(frozen=True)
class _Row:
    """One line as it was sent, its number, and the list its problems are added to."""

    n: int
    raw: Mapping[str, Any]
    errors: list[ErrorDetail]

    def text(self, key: str) -> str:
        return _text(self.raw, key)

    def is_blank(self, key: str) -> bool:
        return self.raw.get(key) in (None, "")

    def error(self, field: str, code: str, message: str = "") -> None:
        _err(self.errors, self.n, field, code, message)


def _action(row: _Row) -> str:
    action = row.text("action")
    if not action:
        row.error("action", "required")
    elif action not in ACTIONS:
        row.error("action", "action_invalid")
    return action


def _id_check(row: _Row, today: datetime.date) -> IdCheck | None:
    """The checked ID number (also when it is wrong); None when the line has none."""
    id_raw = row.text("id_number")
    if not id_raw:
        row.error("id_number", "required")
        return None
    check = validate_id_number(id_raw, today=today)
    if not check.ok:
        row.error("id_number", check.code, check.message)
    return check


def _name(row: _Row, action: str) -> str:
    name = row.text("name")
    if action == LineAction.ADD and not name:
        row.error("name", "required")
    return name


def _city(row: _Row, cities: Mapping[str, City], scope: ContractScope) -> City | None:
    city_code = row.text("city")
    if not city_code:
        row.error("city", "required")
        return None
    city = cities.get(city_code)
    if city is None:
        row.error("city", "city_unknown")
    elif city.pk not in scope.city_ids:
        row.error("city", "city_not_in_contract")
    return city


def _hukou_type(row: _Row, action: str) -> str:
    hukou_type = row.text("hukou_type")
    if action == LineAction.ADD and not hukou_type:
        row.error("hukou_type", "required")
    elif hukou_type and hukou_type not in HUKOU:
        row.error("hukou_type", "hukou_invalid")
    return hukou_type


def _base(row: _Row, action: str) -> tuple[str, Decimal | None]:
    """The base (kind, declared amount) an add or a base change asks for; none otherwise."""
    if action not in (LineAction.ADD, LineAction.ADJUST_BASE):
        return "", None
    if row.is_blank("base"):
        row.error("base", "required")
        return "", None
    parsed = _parse_base(row.raw.get("base"))
    if parsed is None:
        row.error("base", "base_invalid")
        return "", None
    return parsed


def _effective_date(
    row: _Row, action: str, check: IdCheck | None, today: datetime.date
) -> datetime.date | None:
    """The date the line takes effect; a person added must be 16 on that day."""
    if row.is_blank("effective_date"):
        row.error("effective_date", "required")
        return None
    effective_date = _parse_date(row.raw.get("effective_date"), today)
    if effective_date is None:
        row.error("effective_date", "date_invalid")
    elif (action == LineAction.ADD and check is not None and check.ok
          and check.birth_date and under_age(check.birth_date, effective_date)):
        row.error("id_number", "under_age")
    return effective_date


def _reason(row: _Row, action: str) -> str:
    reason = row.text("reason")
    if action == LineAction.REMOVE:
        if not reason:
            row.error("reason", "required")
        elif reason not in REASONS:
            row.error("reason", "reason_invalid")
    return reason


def _phone(row: _Row) -> str:
    """The phone number without spaces."""
    phone = row.text("phone").replace(" ", "")
    if phone and not PHONE_RE.match(phone):
        row.error("phone", "phone_invalid")
    return phone


def _schemes(row: _Row) -> list[str]:
    """The schemes the line names (none: decided later from the contract and records)."""
    schemes_raw = row.raw.get("schemes")
    if schemes_raw in (None, ""):
        return []
    if not isinstance(schemes_raw, list | tuple) or not schemes_raw or any(
        s not in SCHEMES for s in schemes_raw
    ):
        row.error("schemes", "scheme_invalid")
        return []
    return sorted(set(schemes_raw))


def _check_fields(
    n: int,
    raw: Mapping[str, Any],
    *,
    cities: Mapping[str, City],
    scope: ContractScope,
    today: datetime.date,
    errors: list[ErrorDetail],
) -> Line | None:
    """What one line says by itself (no database): every field, each error named, in the
    order of the fields."""
    row = _Row(n, raw, errors)
    before = len(errors)
    action = _action(row)
    check = _id_check(row, today)
    name = _name(row, action)
    city = _city(row, cities, scope)
    hukou_type = _hukou_type(row, action)
    base_kind, base = _base(row, action)
    effective_date = _effective_date(row, action, check, today)
    reason = _reason(row, action)
    phone = _phone(row)
    schemes = _schemes(row)
    if len(errors) > before or check is None or city is None or effective_date is None:
        return None
    return Line(
        line_no=n, action=action, check=check, name=name, city=city, hukou_type=hukou_type,
        base_kind=base_kind, base=base, effective_date=effective_date, reason=reason,
        phone=phone, schemes=schemes,
        wants_fund=raw.get("housing_fund") not in (False, "false", "0", 0),
    )


def order_validate(
    *, client: Client, lines: Sequence[Mapping[str, Any]],
    received_at: datetime.datetime | None = None,
) -> list[Line]:
    """Check every line; raise ValidationFailed with every problem of every line. Each
    line that passes knows its person (when known), its schemes, the enrolments it
    removes or adjusts, its effective month and the months it pays late (补缴).

    Reads the database in a handful of queries whatever the number of lines."""
    received_at = received_at or timezone.now()
    today = timezone.localdate(received_at)
    if not lines:
        raise ValidationFailed(
            [ErrorDetail(code="required", message="派单没有明细 / The order has no lines",
                         field="lines")]
        )
    if len(lines) > MAX_LINES:
        raise DomainError(code="too_many_rows",
                          message=f"一次最多 {MAX_LINES} 行 / At most {MAX_LINES} lines per order")
    validation_budget_spend(client_id=client.pk, lines=len(lines), now=received_at)
    scope = contract_scope(client=client, on=today)
    if scope is None:
        raise DomainError(
            code="no_active_contract",
            message="客户没有有效的服务合同 / The client has no active service contract",
        )
    errors: list[ErrorDetail] = []
    parsed = _parsed_lines(lines, scope=scope, today=today, errors=errors)
    checked = _checked_against_records(parsed, client=client, scope=scope, errors=errors)
    earliest = earliest_months({line.city for line in checked}, received_at, working_calendar())
    timed = [line for line in checked
             if set_effective_month(line, earliest=earliest[line.city.pk], errors=errors)]
    if errors:
        errors.sort(key=lambda e: e.line or 0)
        raise ValidationFailed(errors)
    check_rep_load(client=client, lines=timed)
    return timed


def validation_budget_spend(*, client_id: int, lines: int, now: datetime.datetime) -> int:
    """Count `lines` against the client's hourly budget of checked lines
    (`ORDER_VALIDATION_LINES_PER_HOUR`, all its API keys, users and pages together, so more
    keys buy no more); past it the order is refused with 429 until the next hour. Keeps a
    client from testing ID numbers by the hundred thousand. Returns the lines used."""
    limit = settings.ORDER_VALIDATION_LINES_PER_HOUR
    hour = now.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    key = f"order-validation-lines:{client_id}:{hour:%Y%m%d%H}"
    cache.add(key, 0, timeout=3700)
    try:
        used = cache.incr(key, lines)
    except ValueError:  # expired between add and incr
        cache.set(key, lines, timeout=3700)
        used = lines
    if used > limit:
        retry_after = int((hour + datetime.timedelta(hours=1) - now).total_seconds()) + 1
        raise RateLimited(
            f"本小时核验的明细已超过 {limit} 行，请稍后再提交 / More than {limit} lines checked "
            f"this hour: submit again later",
            retry_after=max(retry_after, 1),
        )
    return int(used)


def _parsed_lines(
    lines: Sequence[Mapping[str, Any]], *, scope: ContractScope, today: datetime.date,
    errors: list[ErrorDetail],
) -> list[Line]:
    cities = {c.code: c for c in City.objects.all()}
    parsed: list[Line] = []
    for n, raw in enumerate(lines, start=1):
        if not isinstance(raw, Mapping):
            _err(errors, n, "lines", "invalid", "明细格式错误 / A line must be an object")
            continue
        line = _check_fields(n, raw, cities=cities, scope=scope, today=today, errors=errors)
        if line is not None:
            parsed.append(line)
    return parsed


def _checked_against_records(
    parsed: list[Line], *, client: Client, scope: ContractScope, errors: list[ErrorDetail]
) -> list[Line]:
    """Each line against what the records hold; removals first, so that an add in a new
    city may follow the removal of the same person elsewhere in the same order."""
    for line in parsed:
        line.id_hash = lookup_hash(line.id_number)  # once per line: person_of reads it too
    known = known_persons(sorted({line.id_hash for line in parsed}), client_id=client.pk)
    seen: dict[tuple[str, int], int] = {}
    unique = []
    for line in parsed:
        key = (line.id_number, line.city.pk)
        if key in seen:
            _err(errors, line.line_no, "id_number", "duplicate_in_order",
                 f"{MSG['duplicate_in_order']} (第{seen[key]}行 / line {seen[key]})")
            continue
        seen[key] = line.line_no
        if person_of(line, known, errors):
            unique.append(line)
    checked = [line for line in unique if line.action != LineAction.ADD
               and check_removal(line, client=client, known=known, errors=errors)]
    leaving = {(line.person.pk, line.city.pk, scheme) for line in checked
               if line.action == LineAction.REMOVE and line.person is not None
               for scheme in line.schemes}
    checked += [line for line in unique if line.action == LineAction.ADD
                and check_add(line, covers_housing_fund=scope.covers_housing_fund,
                              known=known, leaving=leaving, errors=errors)]
    return sorted(checked, key=lambda line: line.line_no)
