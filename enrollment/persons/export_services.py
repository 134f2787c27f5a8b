"""Exports of insured persons (STD-6.1, issue 17).

A masked export (the list as the page shows it: last four of the number, birth year) is
free for every staff member, within their scope. An export of full ID numbers is not: a
member of `REVEAL_ROLES` requests it with a reason (`export_request_create`), for at most
`EXPORT_FULL_ID_MAX_ROWS` persons (setting, default 200) fixed at that moment; a manager
or administrator other than the requester approves or refuses it
(`export_request_decide`); the requester downloads the workbook once, within
`EXPORT_FULL_ID_TTL_HOURS` (setting, default 24) of the approval
(`export_request_download`). The request, the decision and the download each write an
audit row in their own transaction; managers get an in-app notification of a new
request and the requester one of the decision."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.models import AuditEvent, User
from agency.roles import Role
from agency.services import audit_record, notification_create
from agency.viewer import Viewer
from clients.models import Client
from enrollment.models import InsuredPerson, PersonExportRequest
from enrollment.persons.selectors import person_list
from enrollment.persons.services import (
    export_full_id_max_rows,
    person_export,
    persons_workbook,
    require_reveal_role,
)

# who decides on a request for full ID numbers (never the requester themself)
EXPORT_APPROVER_ROLES = (Role.ADMIN, Role.MANAGER)


def export_full_id_ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EXPORT_FULL_ID_TTL_HOURS)


MASKED_COLUMNS = ("姓名", "证件类型", "证件号码（后四位）", "出生年份", "户籍类型", "用工形式")


@transaction.atomic
def person_export_masked(
    *,
    persons: QuerySet[InsuredPerson],
    actor: User | None,
    filters: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> bytes:
    """An .xlsx of the persons as a list shows them: masked number (last four), birth
    year, no birth date, sex, phone or address. Any staff member, audited."""
    return persons_workbook(
        header=MASKED_COLUMNS, persons=persons,
        row=lambda person: (
            person.name, person.get_id_document_type_display(), person.id_number_masked,
            person.birth_date.year if person.birth_date else None,
            person.get_hukou_type_display(), person.get_employment_type_display(),
        ),
        actor=actor, what="insured_persons_masked", filters=filters, request=request,
    )


def _approvers(*, except_user: User) -> QuerySet[User]:
    return User.objects.filter(role__in=EXPORT_APPROVER_ROLES, is_active=True).exclude(
        pk=except_user.pk)


@transaction.atomic
def export_request_create(
    *,
    persons: QuerySet[InsuredPerson],
    actor: User,
    reason: str,
    filters: dict[str, Any] | None = None,
    client: Client | None = None,
    request: HttpRequest | None = None,
) -> PersonExportRequest:
    """Ask for an export of full ID numbers of `persons` (already scoped to the actor):
    a reason is required, and at most `EXPORT_FULL_ID_MAX_ROWS` persons; narrow the
    filters for more. The persons are fixed now: the approver approves what they see."""
    require_reveal_role(
        actor, message="无权导出完整证件号码 / Not allowed to export full ID numbers")
    errors: list[ErrorDetail] = []
    reason = reason.strip()
    if not reason:
        errors.append(ErrorDetail("required", "请填写导出原因 / A reason is required",
                                  field="reason"))
    cap = export_full_id_max_rows()
    ids = list(persons.order_by().values_list("pk", flat=True)[:cap + 1])
    if len(ids) > cap:
        errors.append(ErrorDetail(
            "export_too_large",
            f"完整证件号码导出最多 {cap} 人，请缩小筛选范围 / "
            f"An export of full ID numbers holds at most {cap} persons: narrow the filters",
            field="filters"))
    elif not ids:
        errors.append(ErrorDetail("empty", "没有可导出的人员 / No persons to export",
                                  field="filters"))
    if errors:
        raise ValidationFailed(errors)
    export = PersonExportRequest.objects.create(
        requester=actor, client=client, filters=filters or {}, person_ids=sorted(ids),
        row_count=len(ids), reason=reason[:500],
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.EXPORT, target=export,
        client_id=client.pk if client is not None else None,
        detail={"what": "insured_persons_full_id_requested", "count": len(ids),
                "filters": filters or {}, "reason": reason[:200]},
        request=request,
    )
    link = reverse("staff-persons-export-requests")
    message = (f"{actor.get_username()} 申请导出 {len(ids)} 人的完整证件号码，待审批 / "
               f"{actor.get_username()} asks to export full ID numbers of {len(ids)} persons")
    for approver in _approvers(except_user=actor):
        notification_create(user=approver, message=message, link=link)
    return export


@transaction.atomic
def export_request_decide(
    *,
    export: PersonExportRequest,
    actor: User,
    approve: bool,
    now: datetime.datetime,
    note: str = "",
    request: HttpRequest | None = None,
) -> PersonExportRequest:
    """A manager or administrator approves or refuses a pending request; never their
    own. An approval lets the requester download once before `now` + the TTL."""
    if not actor.has_role(*EXPORT_APPROVER_ROLES):
        raise DomainError(code="permission_denied",
                          message="只有经理可以审批导出 / Only a manager may decide on exports",
                          status=403)
    export = PersonExportRequest.objects.select_for_update().get(pk=export.pk)
    if export.requester_id == actor.pk:
        raise DomainError(code="own_request",
                          message="不能审批自己的导出申请 / You cannot decide on your own request",
                          status=403)
    if export.status != PersonExportRequest.Status.PENDING:
        raise DomainError(code="not_pending",
                          message="该申请已处理 / The request was already decided",
                          status=409)
    export.status = (PersonExportRequest.Status.APPROVED if approve
                     else PersonExportRequest.Status.REFUSED)
    export.decided_by = actor
    export.decided_at = now
    export.decision_note = note.strip()[:500]
    export.expires_at = now + export_full_id_ttl() if approve else None
    export.save(update_fields=["status", "decided_by", "decided_at", "decision_note",
                               "expires_at"])
    audit_record(
        actor=actor, action=AuditEvent.Action.EXPORT, target=export,
        client_id=export.client_id,
        detail={"what": "insured_persons_full_id_decided", "decision": export.status,
                "count": export.row_count, "requester": export.requester.get_username()},
        request=request,
    )
    verdict = "已批准 / approved" if approve else "被拒绝 / refused"
    notification_create(
        user=export.requester, link=reverse("staff-persons-export-requests"),
        message=f"完整证件号码导出申请 #{export.pk} {verdict} / Export request #{export.pk} "
                f"{'approved' if approve else 'refused'}",
    )
    return export


def export_request_download(
    *,
    export: PersonExportRequest,
    actor: User,
    viewer: Viewer,
    now: datetime.datetime,
    request: HttpRequest | None = None,
) -> bytes:
    """The approved workbook, once, for the requester, before it expires. The persons are
    those fixed at the request that the requester may still see now (a representative who
    no longer serves a client loses its persons). Audited (the export row of
    `person_export` and a download row naming the request). A request found expired is
    marked so (kept, the error answered after)."""
    with transaction.atomic():
        export = PersonExportRequest.objects.select_for_update().get(pk=export.pk)
        if export.requester_id != actor.pk:
            raise DomainError(code="permission_denied",
                              message="只有申请人可以下载 / Only the requester may download",
                              status=403)
        expired = export.status == PersonExportRequest.Status.APPROVED and (
            export.expires_at is None or now >= export.expires_at)
        if not expired:
            return _download(export=export, actor=actor, viewer=viewer, now=now,
                             request=request)
        export.status = PersonExportRequest.Status.EXPIRED
        export.save(update_fields=["status"])
    raise DomainError(code="expired",
                      message="下载期限已过，请重新申请 / The download has expired: request again",
                      status=410)


def _download(*, export: PersonExportRequest, actor: User, viewer: Viewer,
              now: datetime.datetime, request: HttpRequest | None) -> bytes:
    if export.status != PersonExportRequest.Status.APPROVED:
        raise DomainError(code="not_downloadable",
                          message="该申请不可下载（未批准、已下载或已过期） / The request is not "
                                  "approved, was already downloaded or has expired",
                          status=409)
    persons = person_list(viewer=viewer).filter(pk__in=export.person_ids)
    data = person_export(persons=persons, actor=actor, request=request,
                         filters={"request": export.pk, **export.filters})
    export.status = PersonExportRequest.Status.DOWNLOADED
    export.downloaded_at = now
    export.save(update_fields=["status", "downloaded_at"])
    audit_record(
        actor=actor, action=AuditEvent.Action.DOWNLOAD, target=export,
        client_id=export.client_id,
        detail={"what": "insured_persons_full_id_downloaded", "count": export.row_count},
        request=request,
    )
    return data
