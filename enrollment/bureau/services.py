"""Bureau interchange (报盘/回盘, STD-4.6): staff export the submitted tasks of a city,
scheme and action in the file the bureau's batch upload expects, and apply the bureau's
feedback file to those tasks.

The export carries full ID numbers: only `REVEAL_ROLES` may make it, and each export is
audited (who, which city/scheme/action, which tasks).

The feedback is applied row by row, each row in its own transaction (a savepoint inside
`line_transition`): a bureau's file commonly mixes rows staff can apply with rows that
need a look (a person the agency does not know, a task already finished, a refused
transition), and staff expect the good rows applied and a precise report of the rest,
each with its row number and reason, not the whole file refused for one row."""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from agency.errors import DomainError, ErrorDetail
from agency.models import AuditEvent, User
from agency.services import audit_record
from enrollment.bureau.files import (
    BureauRow,
    FeedbackRow,
    Layout,
    export_xlsx,
    layout_for,
    parse_feedback_xlsx,
)
from enrollment.bureau.selectors import submitted_tasks, submitted_tasks_of_person
from enrollment.models import Enrollment, InsuredPerson, RosterTask, Scheme, TaskStatus
from enrollment.orders.workflow import line_transition
from enrollment.persons.services import (
    person_find_by_id_number,
    person_id_number,
    require_reveal_role,
)
from policies.calculator import HOUSING_FUND
from policies.models import City
from policies.selectors import policy_version_at

ID_TYPES = {
    InsuredPerson.DocumentType.RESIDENT_ID: "身份证",
    InsuredPerson.DocumentType.RESIDENCE_PERMIT: "港澳台居民居住证",
    InsuredPerson.DocumentType.FOREIGN_PERMANENT: "外国人永久居留身份证",
    InsuredPerson.DocumentType.PASSPORT: "护照",
}
HUKOU_LABELS = {
    InsuredPerson.HukouType.URBAN_LOCAL: "城镇本地",
    InsuredPerson.HukouType.URBAN_NONLOCAL: "城镇外地",
    InsuredPerson.HukouType.RURAL_LOCAL: "农村本地",
    InsuredPerson.HukouType.RURAL_NONLOCAL: "农村外地",
}
FAILED_WITHOUT_REASON = "经办机构回盘：办理失败（未注明原因） / The bureau reported a failure " \
    "without a reason"


class _Bounds:
    """The floor / ceiling a `min` / `max` base stands for, per city and month (cached)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, datetime.date, str], tuple[Decimal, Decimal] | None] = {}

    def of(self, city: City, month: datetime.date, scheme: str) -> tuple[Decimal, Decimal] | None:
        key = (city.pk, month, scheme)
        if key not in self._seen:
            version = policy_version_at(city=city, on=month)
            items = list(version.items.all()) if version is not None else []
            fund = [i for i in items if i.kind == HOUSING_FUND]
            others = [i for i in items if i.kind != HOUSING_FUND]
            chosen = (fund if scheme == Scheme.HOUSING_FUND else others)[:1]
            self._seen[key] = (
                (chosen[0].base_floor, chosen[0].base_ceiling) if chosen else None
            )
        return self._seen[key]


def _base(task: RosterTask, bounds: _Bounds) -> Decimal | None:
    line = task.line
    if line.base_kind in ("", Enrollment.BaseKind.DECLARED):
        return line.base
    found = bounds.of(line.city, line.effective_month, task.scheme)
    if found is None:
        return None
    return found[0] if line.base_kind == Enrollment.BaseKind.CITY_MIN else found[1]


def bureau_row(task: RosterTask, bounds: _Bounds | None = None) -> BureauRow:
    """One task as the bureau's file lists it (the full ID number, decrypted)."""
    line = task.line
    person = line.person
    return BureauRow(
        name=line.name or person.name,
        id_number=person_id_number(person),
        id_type=ID_TYPES.get(InsuredPerson.DocumentType(person.id_document_type), "身份证"),
        base=_base(task, bounds or _Bounds()),
        first_month=line.effective_month,
        action=line.action,
        city_code=line.city.code,
        city_name=line.city.name,
        scheme=task.scheme,
        phone=line.phone or person.phone,
        person_status=HUKOU_LABELS.get(
            InsuredPerson.HukouType(line.hukou_type or person.hukou_type), ""
        ) if (line.hukou_type or person.hukou_type) else "",
    )


@dataclass(frozen=True)
class BureauExport:
    layout: Layout
    data: bytes
    count: int
    filename: str


@transaction.atomic
def bureau_export(
    *,
    city: City,
    scheme: str,
    action: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> BureauExport:
    """报盘: the city's `submitted` tasks of this scheme and action, in the layout the
    city's bureau expects (else the generic one), as .xlsx; audited."""
    require_reveal_role(
        actor, message="无权导出完整证件号码 / Not allowed to export full ID numbers"
    )
    layout = layout_for(city.code, scheme, action)
    tasks = list(submitted_tasks(city=city, scheme=scheme, action=action))
    bounds = _Bounds()
    data = export_xlsx(layout, (bureau_row(task, bounds) for task in tasks))
    audit_record(
        actor=actor, action=AuditEvent.Action.EXPORT,
        detail={"what": "bureau_file", "layout": layout.code, "city": city.code,
                "scheme": scheme, "action": action, "count": len(tasks),
                "tasks": [t.pk for t in tasks]},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return BureauExport(layout=layout, data=data, count=len(tasks),
                        filename=f"{layout.code}-{city.code}-{scheme}-{action}-{stamp}.xlsx")


@dataclass(frozen=True)
class AppliedRow:
    line: int
    sheet_row: int
    name: str
    outcome: str
    task_id: int

    @property
    def succeeded(self) -> bool:
        return self.outcome == TaskStatus.SUCCEEDED


@dataclass
class FeedbackReport:
    """What the feedback file did: rows applied (succeeded / failed) and rows not applied
    (`problems`: `line` is the data row, the message names the Excel row and why)."""

    applied: list[AppliedRow] = field(default_factory=list)
    problems: list[ErrorDetail] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(1 for row in self.applied if row.outcome == TaskStatus.SUCCEEDED)

    @property
    def failed(self) -> int:
        return sum(1 for row in self.applied if row.outcome == TaskStatus.FAILED)

    @property
    def unmatched(self) -> int:
        return len(self.problems)

    @property
    def summary(self) -> str:
        return (f"成功 {self.succeeded} 条，失败 {self.failed} 条，未处理 {self.unmatched} 条 / "
                f"{self.succeeded} succeeded, {self.failed} failed, "
                f"{self.unmatched} not applied")


def _problem(row: FeedbackRow, code: str, zh: str, en: str) -> ErrorDetail:
    return ErrorDetail(
        code=code, field="id_number", line=row.line,
        message=f"第{row.sheet_row}行 {row.name} {zh} / Row {row.sheet_row}: {en}",
    )


def _apply_row(
    row: FeedbackRow, *, city: City, scheme: str, actor: User | None, report: FeedbackReport
) -> None:
    person = person_find_by_id_number(id_number=row.id_number)
    if person is None:
        report.problems.append(_problem(
            row, "unknown_id", "证件号码不在本机构的人员名册中",
            "no person with this ID number is known"))
        return
    if row.name and row.name != person.name:
        report.problems.append(_problem(
            row, "name_mismatch", f"姓名与证件号码对应的人员（{person.name}）不一致",
            f"the name does not match the person with this ID number ({person.name})"))
        return
    tasks = list(submitted_tasks_of_person(person=person, city=city, scheme=scheme))
    if not tasks:
        report.problems.append(_problem(
            row, "no_submitted_task", "该人员在此城市和险种没有已报送待回盘的业务",
            "the person has no task submitted to the bureau in this city and scheme"))
        return
    if len(tasks) > 1:
        report.problems.append(_problem(
            row, "ambiguous", "该人员有多笔已报送业务，请逐笔处理",
            "the person has several submitted tasks: handle them one by one"))
        return
    task = tasks[0]
    reason = row.reason if row.outcome == TaskStatus.SUCCEEDED else (
        row.reason or FAILED_WITHOUT_REASON)
    try:
        line_transition(line=task.line, to=row.outcome, actor=actor, reason=reason[:500],
                        scheme=scheme)
    except DomainError as exc:
        report.problems.append(_problem(
            row, "transition_refused", f"无法办结：{exc.message}",
            f"the task could not be completed: {exc.message}"))
        return
    report.applied.append(AppliedRow(line=row.line, sheet_row=row.sheet_row, name=person.name,
                                     outcome=row.outcome, task_id=task.pk))


def bureau_feedback_import(
    *, data: bytes, city: City, scheme: str, actor: User | None,
    request: HttpRequest | None = None,
) -> FeedbackReport:
    """回盘: mark the submitted tasks the bureau's feedback names as succeeded (opening,
    ending or adjusting the enrolment) or failed (with the bureau's reason), row by row
    (each row in its own transaction). A row is matched to a `submitted` task by the ID
    number's lookup hash, the scheme and the city. Rows that cannot be read or applied
    are reported. A file that cannot be read at all raises `DomainError` (400). A file
    that was read leaves one audit row (action `import`): its hash, the city, the scheme,
    the counts and the tasks it completed (never a row's ID number)."""
    if scheme not in Scheme.values:
        raise DomainError(code="validation_failed", message="险种无效 / Unknown scheme",
                          details=[ErrorDetail(code="invalid_choice", field="scheme",
                                               message="险种无效 / Unknown scheme")])
    parsed = parse_feedback_xlsx(data)
    report = FeedbackReport(problems=list(parsed.errors))
    for row in parsed.rows:
        _apply_row(row, city=city, scheme=scheme, actor=actor, report=report)
    report.problems.sort(key=lambda d: d.line or 0)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditEvent.Action.IMPORT, target=city, request=request,
                     detail={"what": "bureau_feedback", "city": city.code, "scheme": scheme,
                             "sha256": hashlib.sha256(data).hexdigest(),
                             "succeeded": report.succeeded, "failed": report.failed,
                             "not_applied": report.unmatched,
                             "tasks": [row.task_id for row in report.applied]})
    return report
