"""The audit log's own reads and writes: the search behind /staff/audit/ (admins and
managers), its CSV export (itself audited), and the audit rows of user management in the
back-office (who created a user, changed a role, deactivated, set a password, deleted).

The rows themselves are written by `agency.services.audit_record` in each action's
service; they are never changed or deleted (`AuditEvent` is append-only)."""

import csv
import datetime
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from agency.errors import DomainError
from agency.models import AuditEvent, User
from agency.roles import Role
from agency.services import audit_record
from agency.viewer import Viewer
from agency.xlsx import safe_cell_value

# who may read the audit log (the page, its export)
AUDIT_ROLES = (Role.ADMIN, Role.MANAGER)
# an export larger than this is refused: narrow the filters (date range, actor...)
EXPORT_MAX_ROWS = 100_000
CSV_COLUMNS = ("id", "at", "actor", "action", "target_type", "target_id", "client_id",
               "ip_address", "request_id", "detail")


@dataclass(frozen=True)
class AuditFilters:
    """What the search narrows by; empty values do not filter. Dates are local days
    (Asia/Shanghai), both ends included."""

    actor: str = ""
    action: str = ""
    client_id: int | None = None
    target_type: str = ""
    target_id: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def as_detail(self) -> dict[str, Any]:
        """The filters that were set, JSON-friendly (for the export's own audit row)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, ""):
                continue
            out[f.name] = value.isoformat() if isinstance(value, datetime.date) else value
        return out


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_event_search(*, viewer: Viewer, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The audit rows matching `filters`, newest first; none for a role that may not read
    the log. One query per page of rows whatever the rows hold (nothing is joined: the
    row keeps its actor's name)."""
    if not viewer.has_role(*AUDIT_ROLES):
        return AuditEvent.objects.none()
    rows = AuditEvent.objects.order_by("-at", "-id")
    if filters.actor:
        rows = rows.filter(actor_label__icontains=filters.actor)
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.client_id is not None:
        rows = rows.filter(client_id_ref=filters.client_id)
    if filters.target_type:
        rows = rows.filter(target_type=filters.target_type.strip().lower())
    if filters.target_id:
        rows = rows.filter(target_id=filters.target_id.strip())
    if filters.date_from is not None:
        rows = rows.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        rows = rows.filter(at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    return rows


def _csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell_value(v) for v in values])
    return out.getvalue()


def _csv_row(event: AuditEvent) -> list[Any]:
    return [
        event.pk, timezone.localtime(event.at).isoformat(timespec="seconds"),
        event.actor_label, event.action, event.target_type, event.target_id,
        "" if event.client_id_ref is None else event.client_id_ref,
        event.ip_address or "", event.request_id,
        json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
    ]


@dataclass(frozen=True)
class AuditExport:
    count: int
    lines: Iterator[str]


def audit_export_csv(
    *, viewer: Viewer, filters: AuditFilters, actor: User, request: HttpRequest | None = None,
) -> AuditExport:
    """The rows `filters` match as CSV lines (UTF-8 with a BOM for Excel), written lazily
    so a large export streams. The export is itself audited (action `export`, what
    `audit_events`, the count and the filters), before any row leaves; the rows are the
    ones that existed before that row (the export does not contain itself)."""
    if not viewer.has_role(*AUDIT_ROLES):
        raise DomainError(code="permission_denied", status=403,
                          message="无权导出审计日志 / Not allowed to export the audit log")
    rows = audit_event_search(viewer=viewer, filters=filters)
    count = rows.count()
    if count > EXPORT_MAX_ROWS:
        raise DomainError(
            code="too_many_rows", status=400,
            message=f"超过 {EXPORT_MAX_ROWS} 行，请缩小筛选范围 / More than "
                    f"{EXPORT_MAX_ROWS} rows: narrow the filters")
    with transaction.atomic():
        event = audit_record(
            actor=actor, action=AuditEvent.Action.EXPORT, request=request,
            detail={"what": "audit_events", "count": count, "filters": filters.as_detail()},
        )
    snapshot = rows.filter(pk__lt=event.pk)

    def lines() -> Iterator[str]:
        yield "\ufeff" + _csv_line(list(CSV_COLUMNS))
        for row in snapshot.iterator(chunk_size=2000):
            yield _csv_line(_csv_row(row))

    return AuditExport(count=count, lines=lines())


# --- user management in the back-office ---------------------------------------------------

# the fields of a user that decide what they may do
USER_RIGHT_FIELDS = ("role", "client_id", "is_active", "is_staff", "is_superuser")


def user_rights(user: User) -> dict[str, Any]:
    """What `audit_user_saved` compares: the user's rights as they are now."""
    return {name: getattr(user, name) for name in USER_RIGHT_FIELDS}


def audit_user_saved(
    *, user: User, before: dict[str, Any] | None, actor: User,
    changed: tuple[str, ...] = (), request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """The audit rows of saving `user` (call it in the save's transaction). `before` is
    `user_rights(user)` before the save, None for a new user; `changed` names other
    fields the form changed (`groups`, `user_permissions`).

    A new user: one `user_created`. A change: `user_role_changed` (from, to),
    `user_deactivated` / `user_reactivated`, and `user_changed` for the other rights
    (client, staff, superuser flags, groups, permissions), each once when it applies."""
    after = user_rights(user)
    client_id = after["client_id"]

    def row(action: str, detail: dict[str, Any]) -> AuditEvent:
        return audit_record(actor=actor, action=action, target=user, client_id=client_id,
                            detail={"username": user.get_username(), **detail},
                            request=request)

    if before is None:
        return [row(AuditEvent.Action.USER_CREATED, {
            "role": after["role"], "client": client_id, "is_active": after["is_active"],
            "is_staff": after["is_staff"], "is_superuser": after["is_superuser"]})]
    events = []
    if before["role"] != after["role"]:
        events.append(row(AuditEvent.Action.USER_ROLE_CHANGED,
                          {"from": before["role"], "to": after["role"]}))
    if before["is_active"] != after["is_active"]:
        events.append(row(AuditEvent.Action.USER_REACTIVATED if after["is_active"]
                          else AuditEvent.Action.USER_DEACTIVATED, {}))
    others: dict[str, Any] = {
        name: [before[name], after[name]]
        for name in ("client_id", "is_staff", "is_superuser") if before[name] != after[name]}
    others.update({name: "changed" for name in changed
                   if name in ("groups", "user_permissions")})
    if others:
        events.append(row(AuditEvent.Action.USER_CHANGED, {"changes": others}))
    return events


def audit_user_password_set(*, user: User, actor: User,
                            request: HttpRequest | None = None) -> AuditEvent:
    """An administrator set (or removed) another user's password in the back-office."""
    return audit_record(actor=actor, action=AuditEvent.Action.USER_PASSWORD_SET, target=user,
                        client_id=user.client_id, request=request,
                        detail={"username": user.get_username()})


def audit_user_deleted(*, user: User, actor: User,
                       request: HttpRequest | None = None) -> AuditEvent:
    """A user deleted in the back-office (written before the delete: the row keeps the
    id and name). A user who acted in the audit log cannot be deleted (PROTECT)."""
    return audit_record(actor=actor, action=AuditEvent.Action.USER_DELETED, target=user,
                        client_id=user.client_id, request=request,
                        detail={"username": user.get_username(), "role": user.role})
