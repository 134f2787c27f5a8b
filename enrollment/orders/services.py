"""Roster orders (增减员): validation before anything is saved, intake from every channel,
and the task workflow with the bureau.

Every channel (portal form, Excel, API, e-mail) hands `order_submit` the same line dicts,
in the API's JSON shape; `enrollment.orders.roster_excel` turns a spreadsheet into them."""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from agency import deadlines
from agency.bulk import bulk_insert_with_history
from agency.calendar import working_calendar
from agency.crypto import lookup_hash
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.models import User
from agency.viewer import SYSTEM_VIEWER
from clients.models import Client, Contract
from clients.webhook_services import webhook_emit
from enrollment.models import (
    Enrollment,
    InsuredPerson,
    LineAction,
    LineStatus,
    Paper,
    RosterLine,
    RosterOrder,
    RosterTask,
    Scheme,
    TaskStatus,
)
from enrollment.orders.roster_excel import ParsedRoster, city_aliases, parse_roster_xlsx
from enrollment.persons.id_numbers import IdCheck, under_age, validate_id_number
from enrollment.persons.selectors import papers_missing, required_paper_kinds
from enrollment.persons.services import (
    NewPerson,
    enrollment_adjust_base,
    enrollment_end,
    enrollment_open,
    person_create_many,
)
from policies.models import City

MAX_LINES = 20_000
OPEN_TASK_STATUSES = ["received", "papers_missing", "submitted", "returned"]
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


@dataclass
class _Line:
    """A line that passed the per-line checks, ready to be saved."""

    line_no: int
    action: str
    check: IdCheck
    name: str
    city: City
    hukou_type: str
    base_kind: str
    base: Decimal | None
    effective_date: datetime.date
    reason: str
    phone: str
    schemes: list[str]
    wants_fund: bool = True
    person: InsuredPerson | None = None
    enrollments: dict[str, Enrollment] = field(default_factory=dict)  # remove / adjust

    @property
    def id_number(self) -> str:
        return self.check.number


@dataclass(frozen=True)
class ContractScope:
    contract: Contract
    city_ids: frozenset[int]

    @property
    def covers_housing_fund(self) -> bool:
        return self.contract.housing_fund_rate is not None


def contract_scope(*, client: Client, on: datetime.date) -> ContractScope | None:
    """The client's active contract on that day and the cities it prices."""
    contract = (
        client.contracts.filter(status="active", starts_on__lte=on, ends_on__gte=on)
        .prefetch_related("prices")
        .order_by("-starts_on")
        .first()
    )
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
    earliest = deadlines.add_months(today, -MONTHS_BACK)
    latest = deadlines.add_months(today, MONTHS_AHEAD)
    return day if earliest <= day <= latest else None


def _check_fields(
    n: int,
    raw: Mapping[str, Any],
    *,
    cities: Mapping[str, City],
    scope: ContractScope,
    today: datetime.date,
    errors: list[ErrorDetail],
) -> _Line | None:
    """What one line says by itself (no database): every field, each error named."""
    before = len(errors)
    action = _text(raw, "action")
    if not action:
        _err(errors, n, "action", "required")
    elif action not in ACTIONS:
        _err(errors, n, "action", "action_invalid")

    id_raw = _text(raw, "id_number")
    check: IdCheck | None = None
    if not id_raw:
        _err(errors, n, "id_number", "required")
    else:
        check = validate_id_number(id_raw, today=today)
        if not check.ok:
            _err(errors, n, "id_number", check.code, check.message)

    name = _text(raw, "name")
    if action == LineAction.ADD and not name:
        _err(errors, n, "name", "required")

    city = None
    city_code = _text(raw, "city")
    if not city_code:
        _err(errors, n, "city", "required")
    elif city_code not in cities:
        _err(errors, n, "city", "city_unknown")
    else:
        city = cities[city_code]
        if city.pk not in scope.city_ids:
            _err(errors, n, "city", "city_not_in_contract")

    hukou_type = _text(raw, "hukou_type")
    if action == LineAction.ADD and not hukou_type:
        _err(errors, n, "hukou_type", "required")
    elif hukou_type and hukou_type not in HUKOU:
        _err(errors, n, "hukou_type", "hukou_invalid")

    base_kind, base = "", None
    if action in (LineAction.ADD, LineAction.ADJUST_BASE):
        if raw.get("base") in (None, ""):
            _err(errors, n, "base", "required")
        else:
            parsed = _parse_base(raw.get("base"))
            if parsed is None:
                _err(errors, n, "base", "base_invalid")
            else:
                base_kind, base = parsed

    effective_date = None
    if raw.get("effective_date") in (None, ""):
        _err(errors, n, "effective_date", "required")
    else:
        effective_date = _parse_date(raw.get("effective_date"), today)
        if effective_date is None:
            _err(errors, n, "effective_date", "date_invalid")
        elif (action == LineAction.ADD and check is not None and check.ok
              and check.birth_date and under_age(check.birth_date, effective_date)):
            _err(errors, n, "id_number", "under_age")

    reason = _text(raw, "reason")
    if action == LineAction.REMOVE:
        if not reason:
            _err(errors, n, "reason", "required")
        elif reason not in REASONS:
            _err(errors, n, "reason", "reason_invalid")

    phone = _text(raw, "phone")
    if phone and not PHONE_RE.match(phone.replace(" ", "")):
        _err(errors, n, "phone", "phone_invalid")

    schemes_raw = raw.get("schemes")
    schemes: list[str] = []
    if schemes_raw not in (None, ""):
        if not isinstance(schemes_raw, list | tuple) or not schemes_raw or any(
            s not in SCHEMES for s in schemes_raw
        ):
            _err(errors, n, "schemes", "scheme_invalid")
        else:
            schemes = sorted(set(schemes_raw))

    if len(errors) > before or check is None or city is None or effective_date is None:
        return None
    return _Line(
        line_no=n, action=action, check=check, name=name, city=city, hukou_type=hukou_type,
        base_kind=base_kind, base=base, effective_date=effective_date, reason=reason,
        phone=phone.replace(" ", ""), schemes=schemes,
        wants_fund=raw.get("housing_fund") not in (False, "false", "0", 0),
    )


@dataclass
class _Known:
    """What the database knows of the persons an order names, read in a few queries."""

    persons: dict[str, InsuredPerson]  # lookup hash → person
    active: dict[tuple[int, int], dict[str, Enrollment]]  # (person, city) → scheme → enrolment
    pending: dict[tuple[int, int], set[str]]  # (person, city) → schemes being added


def _known(hashes: Sequence[str]) -> _Known:
    persons: dict[str, InsuredPerson] = {}
    for start in range(0, len(hashes), 2000):
        chunk = hashes[start:start + 2000]
        for person in InsuredPerson.objects.filter(id_number_hash__in=chunk):
            persons[person.id_number_hash] = person
    ids = [p.pk for p in persons.values()]
    active: dict[tuple[int, int], dict[str, Enrollment]] = {}
    pending: dict[tuple[int, int], set[str]] = {}
    for start in range(0, len(ids), 2000):
        chunk_ids = ids[start:start + 2000]
        for e in Enrollment.objects.filter(person_id__in=chunk_ids,
                                           status=Enrollment.Status.ACTIVE):
            active.setdefault((e.person_id, e.city_id), {})[e.scheme] = e
        for person_id, city_id, scheme in RosterTask.objects.filter(
            line__person_id__in=chunk_ids, line__action=LineAction.ADD,
            status__in=OPEN_TASK_STATUSES,
        ).values_list("line__person_id", "line__city_id", "scheme"):
            pending.setdefault((person_id, city_id), set()).add(scheme)
    return _Known(persons, active, pending)


def _check_against_records(
    line: _Line, *, client: Client, scope: ContractScope, known: _Known,
    errors: list[ErrorDetail],
) -> bool:
    """What the line means for the person's enrolments; fills line.person/schemes."""
    n = line.line_no
    person = known.persons.get(lookup_hash(line.id_number))
    if person is not None and line.name and line.name != person.name:
        _err(errors, n, "name", "name_mismatch")
        return False
    line.person = person
    key = (person.pk, line.city.pk) if person is not None else (0, 0)
    active = known.active.get(key, {})
    if line.action == LineAction.ADD:
        if not line.schemes:
            line.schemes = [Scheme.SOCIAL_INSURANCE]
            if scope.covers_housing_fund and line.wants_fund:
                line.schemes.append(Scheme.HOUSING_FUND)
        if Scheme.HOUSING_FUND in line.schemes and not scope.covers_housing_fund:
            _err(errors, n, "schemes", "scheme_not_in_contract")
            return False
        if set(line.schemes) & (set(active) | known.pending.get(key, set())):
            _err(errors, n, "id_number", "already_enrolled")
            return False
        return True
    mine = {s: e for s, e in active.items() if e.client_id == client.pk}
    if not line.schemes:
        line.schemes = sorted(mine)
    if not line.schemes or any(s not in mine for s in line.schemes):
        _err(errors, n, "id_number", "not_enrolled")
        return False
    starts = [mine[s].starts_on for s in line.schemes]
    if line.action == LineAction.REMOVE and any(
        d is not None and line.effective_date < d for d in starts
    ):
        _err(errors, n, "effective_date", "date_before_enrolment")
        return False
    line.enrollments = {s: mine[s] for s in line.schemes}
    if not line.name and person is not None:
        line.name = person.name
    return True


def order_validate(
    *, client: Client, lines: Sequence[Mapping[str, Any]], today: datetime.date | None = None
) -> list[_Line]:
    """Check every line; raise ValidationFailed with every problem of every line.

    Reads the database in a handful of queries whatever the number of lines."""
    today = today or timezone.localdate()
    if not lines:
        raise ValidationFailed(
            [ErrorDetail(code="required", message="派单没有明细 / The order has no lines",
                         field="lines")]
        )
    if len(lines) > MAX_LINES:
        raise DomainError(code="too_many_rows",
                          message=f"一次最多 {MAX_LINES} 行 / At most {MAX_LINES} lines per order")
    scope = contract_scope(client=client, on=today)
    if scope is None:
        raise DomainError(
            code="no_active_contract",
            message="客户没有有效的服务合同 / The client has no active service contract",
        )
    cities = {c.code: c for c in City.objects.all()}
    errors: list[ErrorDetail] = []
    parsed: list[_Line] = []
    for n, raw in enumerate(lines, start=1):
        if not isinstance(raw, Mapping):
            _err(errors, n, "lines", "invalid", "明细格式错误 / A line must be an object")
            continue
        line = _check_fields(n, raw, cities=cities, scope=scope, today=today, errors=errors)
        if line is not None:
            parsed.append(line)
    known = _known(sorted({lookup_hash(line.id_number) for line in parsed}))
    checked: list[_Line] = []
    seen: dict[tuple[str, int], int] = {}
    for line in parsed:
        key = (line.id_number, line.city.pk)
        if key in seen:
            _err(errors, line.line_no, "id_number", "duplicate_in_order",
                 f"{MSG['duplicate_in_order']} (第{seen[key]}行 / line {seen[key]})")
            continue
        seen[key] = line.line_no
        if _check_against_records(line, client=client, scope=scope, known=known,
                                  errors=errors):
            checked.append(line)
    if errors:
        errors.sort(key=lambda e: e.line or 0)
        raise ValidationFailed(errors)
    return checked


def _missing_papers(persons: Sequence[InsuredPerson]) -> set[int]:
    """The ids of persons who still lack a required paper (one query)."""
    have: dict[int, set[str]] = {}
    ids = [p.pk for p in persons]
    for start in range(0, len(ids), 2000):
        for person_id, kind in Paper.objects.filter(
            person_id__in=ids[start:start + 2000]
        ).values_list("person_id", "kind"):
            have.setdefault(person_id, set()).add(kind)
    return {p.pk for p in persons if set(required_paper_kinds(p)) - have.get(p.pk, set())}


@transaction.atomic
def order_submit(
    *,
    client: Client,
    lines: Sequence[Mapping[str, Any]],
    channel: str,
    actor: User | None,
    actor_label: str = "",
    received_at: datetime.datetime | None = None,
    source_file: File | None = None,
    sealed_scan: UploadedFile | None = None,
    correspondence: UploadedFile | None = None,
    note: str = "",
    sheet: ParsedRoster | None = None,
) -> RosterOrder:
    """增减员: validate every line, then save the order, its lines and one task per scheme.
    If any line is bad, nothing is saved. With `sheet` (an Excel import), the cells it
    could not read are reported with the service's errors, each naming its Excel row.

    Persons, lines and tasks are written in bulk (with their history rows), so an order of
    10,000 lines costs a few dozen queries."""
    received_at = received_at or timezone.now()
    try:
        checked = order_validate(client=client, lines=lines,
                                 today=timezone.localdate(received_at))
        service_errors: list[ErrorDetail] = []
    except ValidationFailed as exc:
        checked, service_errors = [], exc.details
    errors = sheet.merged_errors(service_errors) if sheet is not None else service_errors
    if errors:
        raise ValidationFailed(errors)
    order = RosterOrder(
        client=client, channel=channel, submitted_by=actor,
        submitted_by_label=actor_label or (actor.get_username() if actor else ""),
        received_at=received_at, note=note,
    )
    for field_name, upload in (("source_file", source_file), ("sealed_scan", sealed_scan),
                               ("correspondence", correspondence)):
        if upload is not None:
            getattr(order, field_name).save(upload.name or field_name, upload, save=False)
    order._history_user = actor  # type: ignore[attr-defined]
    order.save()

    new = [line for line in checked if line.person is None]
    created = person_create_many(
        people=[NewPerson(name=line.name, check=line.check, phone=line.phone,
                          hukou_type=line.hukou_type) for line in new],
        actor=actor,
    )
    for line, person in zip(new, created, strict=True):
        line.person = person
    created_ids = {p.pk for p in created}
    known_adders = [line.person for line in checked if line.action == LineAction.ADD
                    and line.person is not None and line.person.pk not in created_ids]
    lacking = _missing_papers(known_adders) | created_ids  # a new person has no papers yet

    calendar = working_calendar()
    handle_by = deadlines.handle_by(received_at)
    earliest = {  # the cut-off is per city: compute it once per city, not per line
        city.pk: deadlines.earliest_effective_month(received_at, city.order_cutoff_day, calendar)
        for city in {line.city for line in checked}
    }
    rows: list[RosterLine] = []
    statuses: list[str] = []
    for line in checked:
        assert line.person is not None  # noqa: S101 - set above for every line
        status = (TaskStatus.PAPERS_MISSING
                  if line.action == LineAction.ADD and line.person.pk in lacking
                  else TaskStatus.RECEIVED)
        statuses.append(status)
        rows.append(RosterLine(
            order=order, line_no=line.line_no, action=line.action, person=line.person,
            name=line.name, hukou_type=line.hukou_type, city=line.city,
            base_kind=line.base_kind, base=line.base, effective_date=line.effective_date,
            effective_month=deadlines.effective_month_from(line.effective_date,
                                                           earliest[line.city.pk]),
            reason=line.reason, phone=line.phone, handle_by=handle_by,
            status=line_status_of([status]),
        ))
    saved = bulk_insert_with_history(rows, RosterLine, user=actor)
    tasks = [
        RosterTask(line=row, scheme=scheme, status=status,
                   enrollment=line.enrollments.get(scheme))
        for row, line, status in zip(saved, checked, statuses, strict=True)
        for scheme in line.schemes
    ]
    bulk_insert_with_history(tasks, RosterTask, user=actor)
    return order


def order_import_xlsx(
    *,
    client: Client,
    data: bytes,
    filename: str,
    channel: str,
    actor: User | None,
    actor_label: str = "",
    received_at: datetime.datetime | None = None,
    sealed_scan: UploadedFile | None = None,
    correspondence: UploadedFile | None = None,
    note: str = "",
) -> RosterOrder:
    """An order from an uploaded roster workbook (portal, API import, or staff entering an
    e-mailed file). The file itself is kept with the order."""
    cities = city_aliases(City.objects.values_list("code", "name"))
    sheet = parse_roster_xlsx(data, cities=cities)
    if not sheet.lines and not sheet.errors:
        raise ValidationFailed([ErrorDetail(
            code="required", field="lines",
            message="表中没有数据行 / The sheet has no data rows")])
    return order_submit(
        client=client, lines=sheet.lines, channel=channel, actor=actor,
        actor_label=actor_label, received_at=received_at,
        source_file=ContentFile(data, name=filename or "roster.xlsx"),
        sealed_scan=sealed_scan, correspondence=correspondence, note=note, sheet=sheet,
    )


# --- the workflow -----------------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    TaskStatus.RECEIVED: {TaskStatus.SUBMITTED, TaskStatus.PAPERS_MISSING, TaskStatus.RETURNED,
                          TaskStatus.CANCELLED},
    TaskStatus.PAPERS_MISSING: {TaskStatus.RECEIVED, TaskStatus.RETURNED, TaskStatus.CANCELLED},
    TaskStatus.SUBMITTED: {TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.RETURNED},
    TaskStatus.FAILED: {TaskStatus.SUBMITTED, TaskStatus.RETURNED, TaskStatus.CANCELLED},
    TaskStatus.RETURNED: {TaskStatus.RECEIVED, TaskStatus.CANCELLED},
    TaskStatus.SUCCEEDED: set(),
    TaskStatus.CANCELLED: set(),
}
REASON_REQUIRED = {TaskStatus.FAILED, TaskStatus.RETURNED}
ATTENTION_ORDER = [TaskStatus.RETURNED, TaskStatus.PAPERS_MISSING, TaskStatus.RECEIVED,
                   TaskStatus.SUBMITTED]


def line_status_of(task_statuses: Sequence[str]) -> str:
    """The line's status from its tasks' (one task per scheme)."""
    statuses = set(task_statuses)
    for status in ATTENTION_ORDER:  # still in progress: what needs attention first
        if status in statuses:
            return status
    done = statuses - {TaskStatus.CANCELLED}
    if not done:
        return LineStatus.CANCELLED
    if done == {TaskStatus.SUCCEEDED}:
        return LineStatus.SUCCEEDED
    if done == {TaskStatus.FAILED}:
        return LineStatus.FAILED
    return LineStatus.PARTIALLY_SUCCEEDED


class InvalidTransition(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(code="invalid_transition", message=message, status=409)


def _apply_success(task: RosterTask, line: RosterLine, actor: User | None) -> None:
    """Success creates, adjusts or ends the enrolment."""
    client = line.order.client
    if line.action == LineAction.ADD:
        rate = None
        if task.scheme == Scheme.HOUSING_FUND:
            scope = contract_scope(client=client, on=line.effective_month)
            rate = scope.contract.housing_fund_rate if scope else None
        task.enrollment = enrollment_open(
            person=line.person, client=client, city=line.city, scheme=task.scheme,
            starts_on=line.effective_month, actor=actor,
            base_kind=line.base_kind or Enrollment.BaseKind.DECLARED, base=line.base,
            rate=rate, first_billed_month=line.effective_month,
        )
        return
    enrollment = task.enrollment or Enrollment.objects.filter(
        person=line.person, client=client, city=line.city, scheme=task.scheme,
        status=Enrollment.Status.ACTIVE,
    ).first()
    if enrollment is None or enrollment.status != Enrollment.Status.ACTIVE:
        raise InvalidTransition(
            "该人员已不在保，无法办结 / The person is no longer enrolled: cannot succeed"
        )
    task.enrollment = enrollment
    if line.action == LineAction.REMOVE:
        enrollment_end(enrollment=enrollment, ends_on=line.effective_date, reason=line.reason,
                       actor=actor)
    else:
        enrollment_adjust_base(enrollment=enrollment, base_kind=line.base_kind,
                               base=line.base, actor=actor)


def task_transition(
    *, task: RosterTask, to: str, actor: User | None, reason: str = ""
) -> RosterTask:
    """Move one task along the workflow; the line's status follows."""
    line = task.line
    allowed = TRANSITIONS.get(task.status, set())
    if to not in allowed:
        target = TaskStatus(to).label if to in TaskStatus.values else to
        raise InvalidTransition(
            f"不能从「{TaskStatus(task.status).label}」变为「{target}」"
            f" / Cannot move a task from {task.status} to {to}"
        )
    if to in REASON_REQUIRED and not reason.strip():
        raise DomainError(
            code="validation_failed", message="请填写原因 / A reason is required",
            details=[ErrorDetail(code="required", message=MSG["required"], field="reason")],
        )
    if to == TaskStatus.SUBMITTED and line.action == LineAction.ADD:
        missing = papers_missing(viewer=SYSTEM_VIEWER, person=line.person)
        if missing:
            raise InvalidTransition(
                "材料不全，不能报送 / Papers are missing: " + ", ".join(missing)
            )
    now = timezone.now()
    if to == TaskStatus.SUCCEEDED:
        _apply_success(task, line, actor)
    task.status = to
    task.reason = reason.strip()
    if to == TaskStatus.SUBMITTED:
        task.submitted_at = now
    if to in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED):
        task.finished_at = now
    task.save()
    _line_refresh(line)
    return task


def _line_refresh(line: RosterLine) -> None:
    before = line.status
    tasks = list(line.tasks.all())
    line.status = line_status_of([t.status for t in tasks])
    line.failure_reason = "; ".join(
        f"{Scheme(t.scheme).label}: {t.reason}" for t in tasks
        if t.status in (TaskStatus.FAILED, TaskStatus.RETURNED) and t.reason
    )[:500]
    line.save(update_fields=["status", "failure_reason"])
    if line.status == before:
        return
    event = {
        LineStatus.SUCCEEDED: "order.line.succeeded",
        LineStatus.PARTIALLY_SUCCEEDED: "order.line.succeeded",
        LineStatus.FAILED: "order.line.failed",
    }.get(LineStatus(line.status))
    if event:
        webhook_emit(client_id=line.order.client_id, event=event, data=line_event_data(line, tasks))


def line_event_data(line: RosterLine, tasks: Sequence[RosterTask]) -> dict[str, Any]:
    return {
        "order": line.order_id,
        "line_id": line.pk,
        "line": line.line_no,
        "action": line.action,
        "name": line.name,
        "id_number_masked": line.person.id_number_masked,
        "city": line.city.code,
        "status": line.status,
        "effective_month": f"{line.effective_month:%Y-%m}",
        "failure_reason": line.failure_reason,
        "tasks": [{"scheme": t.scheme, "status": t.status, "reason": t.reason} for t in tasks],
    }


@transaction.atomic
def line_transition(
    *, line: RosterLine, to: str, actor: User | None, reason: str = "", scheme: str = ""
) -> RosterLine:
    """Staff move a line's tasks (all, or one scheme's) to `to`."""
    line = RosterLine.objects.select_for_update().select_related(
        "order__client", "person", "city").get(pk=line.pk)
    if to not in TaskStatus.values:
        raise InvalidTransition(f"未知状态 / Unknown status {to}")
    tasks = list(line.tasks.all())
    if scheme:
        tasks = [t for t in tasks if t.scheme == scheme]
        if not tasks:
            raise InvalidTransition(f"该明细没有 {scheme} 任务 / The line has no {scheme} task")
    for task in tasks:
        task.line = line
        task_transition(task=task, to=to, actor=actor, reason=reason)
    line.refresh_from_db()
    return line
