"""The task workflow of roster lines with the bureau: each line has one task per scheme;
staff move tasks along `TRANSITIONS`, the line's status follows its tasks, success opens,
ends or adjusts the enrolment, and the client's webhooks hear of finished lines."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from agency import deadlines
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import User
from clients.selectors import contract_in_force
from clients.webhook_services import webhook_emit
from enrollment.models import (
    Enrollment,
    LineAction,
    LineStatus,
    RosterLine,
    RosterTask,
    Scheme,
    TaskStatus,
)
from enrollment.persons.enrollment_services import (
    enrollment_adjust_base,
    enrollment_end,
    enrollment_open,
)
from enrollment.persons.selectors import papers_missing

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
class InvalidTransition(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(code="invalid_transition", message=message, status=409)


def _apply_success(task: RosterTask, line: RosterLine, actor: User | None) -> None:
    """Success creates, adjusts or ends the enrolment."""
    client = line.order.client
    if line.action == LineAction.ADD:
        rate = None
        if task.scheme == Scheme.HOUSING_FUND:
            contract = contract_in_force(client=client, on=line.effective_month)
            rate = contract.housing_fund_rate if contract is not None else None
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
        enrollment_end(enrollment=enrollment,
                       ends_on=deadlines.enrollment_ends_on(line.effective_month),
                       reason=line.reason, actor=actor)
    else:
        enrollment_adjust_base(enrollment=enrollment, base_kind=line.base_kind,
                               base=line.base, from_month=line.effective_month, actor=actor)


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
            details=[ErrorDetail(code="required", message="必填 / Required", field="reason")],
        )
    if to == TaskStatus.SUBMITTED and line.action == LineAction.ADD:
        missing = papers_missing([line.person])[line.person_id]
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
    record_actor(task, actor)
    task.save()
    _line_refresh(line)
    return task


def _line_refresh(line: RosterLine) -> None:
    before = line.status
    tasks = list(line.tasks.all())
    line.status_from(tasks)
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


BULK_MAX_LINES = 100  # lines one bulk move may name (the work queue shows 50 a page)


class BulkTransitionFailed(ValidationFailed):
    """A bulk move that moved nothing: `failures` maps each line that could not move (its
    id) to why; the details name each such line (#order/line name: reason)."""

    def __init__(self, failures: list[tuple[RosterLine, list[str]]]) -> None:
        details = [
            ErrorDetail(code="invalid_transition",
                        message=f"#{line.order_id}/{line.line_no} {line.name}: {message}")
            for line, messages in failures for message in messages
        ]
        super().__init__(details, message=(
            f"{len(failures)} 条明细不能变更，全部未改动 / {len(failures)} line(s) cannot "
            "move: nothing was changed"))
        self.failures = {line.pk: messages for line, messages in failures}


@transaction.atomic
def line_bulk_transition(
    *, lines: Sequence[RosterLine], to: str, actor: User | None, reason: str = ""
) -> list[RosterLine]:
    """Staff move several lines (all their tasks) to `to` at once (the work queue's bulk
    actions, issue 16), all or nothing: each line goes through `line_transition`, so each
    line's own rules apply (papers before submitting, a reason to return, the enrolment on
    success); when any line cannot move, nothing moves and `BulkTransitionFailed` names
    every such line and why. Lines are locked in id order (two bulk moves never deadlock)."""
    if not lines:
        raise ValidationFailed([ErrorDetail(
            code="required", field="lines",
            message="请至少选择一条明细 / Select at least one line")])
    if len(lines) > BULK_MAX_LINES:
        raise ValidationFailed([ErrorDetail(
            code="too_many", field="lines",
            message=f"一次最多 {BULK_MAX_LINES} 条明细 / At most {BULK_MAX_LINES} lines at once")])
    if to in REASON_REQUIRED and not reason.strip():
        raise ValidationFailed([ErrorDetail(code="required", field="reason",
                                            message="请填写原因 / A reason is required")])
    moved: list[RosterLine] = []
    failures: list[tuple[RosterLine, list[str]]] = []
    for line in sorted({line.pk: line for line in lines}.values(), key=lambda ln: ln.pk):
        try:
            moved.append(line_transition(line=line, to=to, actor=actor, reason=reason))
        except DomainError as error:  # its savepoint is rolled back; the others go on
            failures.append((line, [str(error.message)]))
    if failures:
        raise BulkTransitionFailed(failures)
    return moved
