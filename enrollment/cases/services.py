"""Writes of insurance cases (STD-4.1's included services, handled within 48 hours,
STD-6.3): opening a case with its checklist, marking steps done, receiving papers, the
thread with the client, waiting for the client and closing.

- The 48-hour clock (`Case.handle_by`, `agency.deadlines.handle_by`) runs from opening
  until the agency's first substantive action: the first step it marks done, the first
  message it writes (asking the client for something included), or closing the case. That
  sets `first_action_at` once and moves an `open` case to `in_progress`.
- A work injury carries the statutory deadline of the 工伤认定 application
  (`agency.deadlines.work_injury_application_due`: injury + 30 days).
- Every status change and step tells the client: an in-app notification to the portal
  user who opened the case (never to whoever acted), an e-mail to the client's contact
  address after the commit, and the webhook `case.updated`.

Every service takes its `actor` (None for a client's API key, named by `actor_label`) and
an explicit `now`, so the clocks can be tested at exact instants."""

import datetime
import logging
from functools import partial
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agency import deadlines
from agency.errors import Conflict, DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User, audit_detail
from agency.roles import PORTAL_ROLES, Role
from agency.services import audit_record, notification_create
from archive.models import ItemKind
from archive.services import archive_receive_file, archive_store
from clients.models import Client, WebhookEvent
from clients.webhook_services import webhook_emit
from enrollment.cases.backpay import backpay_compute
from enrollment.cases.checklists import checklist_of, item_of, label_of
from enrollment.cases.retirement import retirement_end_enrollments
from enrollment.models import (
    OPEN_CASE_STATUSES,
    Case,
    CaseMessage,
    CasePaper,
    CaseStatus,
    CaseStep,
    CaseType,
    Enrollment,
    InsuredPerson,
    Scheme,
)
from enrollment.persons.paper_services import PAPER_MAX_BYTES, PAPER_RETENTION_YEARS

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 5000
BODY_MAX = 20000
NOTE_MAX = 500


class CaseChannel:
    """How a case reached the agency (`Case.channel`)."""

    PORTAL = "portal"
    API = "api"
    STAFF = "staff"
    ALL = (PORTAL, API, STAFF)


CLOSING_OUTCOMES = (CaseStatus.SUCCEEDED, CaseStatus.FAILED, CaseStatus.CANCELLED)
_MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))


# ---------------------------------------------------------------------------------------
# checks shared by the services


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def _label(actor: User | None, actor_label: str) -> str:
    return (actor_label or (actor.get_username() if actor is not None else ""))[:150]


def _is_portal_user(actor: User | None) -> bool:
    return actor is not None and actor.role in PORTAL_ROLES


def _refuse_read_only(actor: User | None) -> None:
    if actor is not None and actor.role == Role.CLIENT_VIEWER:
        raise DomainError(code="permission_denied", status=403,
                          message="只读用户不能办理 / A read-only user cannot do this")


def _person_not_found() -> ValidationFailed:
    # one message for a person who does not exist and one of another client's
    return ValidationFailed([ErrorDetail(
        "not_found", "未找到该参保人 / Person not found", field="person")])


def _type_errors(case_type: str) -> list[ErrorDetail]:
    if case_type not in CaseType.values:
        return [ErrorDetail("invalid_choice", "业务类型无效 / Unknown case type",
                            field="type")]
    return []


def _incident_errors(case_type: str, incident_date: datetime.date | None,
                     today: datetime.date) -> list[ErrorDetail]:
    if incident_date is None:
        if case_type == CaseType.WORK_INJURY:
            return [ErrorDetail("required", "工伤须填写受伤日期 / A work injury needs the "
                                "incident date", field="incident_date")]
        return []
    if incident_date > today:
        return [ErrorDetail("date_in_future", "受伤日期不能晚于今天 / The incident date "
                            "cannot be in the future", field="incident_date")]
    return []


def _period_errors(case_type: str, period_from: datetime.date | None,
                   period_to: datetime.date | None,
                   today: datetime.date) -> list[ErrorDetail]:
    """A back-payment names its months, [from, to) by month, none after this month."""
    if case_type != CaseType.BACK_PAYMENT:
        return []
    errors = []
    if period_from is None:
        errors.append(ErrorDetail("required", "请填写补缴起始月 / The first month is "
                                  "required", field="period_from"))
    if period_to is None:
        errors.append(ErrorDetail("required", "请填写补缴截止月 / The end month is required",
                                  field="period_to"))
    if errors or period_from is None or period_to is None:
        return errors
    if deadlines.month_start(period_from) >= deadlines.month_start(period_to):
        return [ErrorDetail("period_invalid", "补缴截止月须晚于起始月 / The end month must "
                            "come after the first month", field="period_to")]
    if deadlines.month_start(period_to) > deadlines.add_months(deadlines.month_start(today), 1):
        return [ErrorDetail("period_in_future", "补缴月份不能晚于本月 / Back-payment months "
                            "cannot be after this month", field="period_to")]
    return []


def _text_errors(value: str, field: str, limit: int, *, required: bool,
                 what: str) -> list[ErrorDetail]:
    if required and not value.strip():
        return [ErrorDetail("required", f"请填写{what} / The {field} is required",
                            field=field)]
    if len(value) > limit:
        return [ErrorDetail("too_long", f"{what}不能超过 {limit} 个字 / The {field} is at "
                            f"most {limit} characters", field=field)]
    return []


def _case_closed() -> Conflict:
    return Conflict("case_closed", "业务已办结 / The case is closed")


def _locked(case: Case) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related(
        "client", "person", "opened_by", "assignee").get(pk=case.pk)
    if locked.status not in OPEN_CASE_STATUSES:
        raise _case_closed()
    return locked


def _first_action(case: Case, now: datetime.datetime) -> list[str]:
    """The agency's first substantive action stops the 48-hour clock, once; an `open` or
    `waiting_client` case is then in progress. Returns the fields changed."""
    changed = []
    if case.first_action_at is None:
        case.first_action_at = now
        changed.append("first_action_at")
    if case.status in (CaseStatus.OPEN, CaseStatus.WAITING_CLIENT):
        case.status = CaseStatus.IN_PROGRESS
        changed.append("status")
    return changed


def _save(case: Case, actor: User | None, fields: list[str]) -> None:
    if fields:
        record_actor(case, actor)
        case.save(update_fields=fields)


# ---------------------------------------------------------------------------------------
# telling the client and the assignee


def case_event_data(case: Case, change: str) -> dict[str, Any]:
    """The webhook `case.updated`'s data: the case's state and what changed (`opened`,
    `step_done`, `paper_received`, `message`, `waiting_client`, `closed`)."""
    return {
        "id": case.pk, "change": change, "type": case.type, "status": case.status,
        "person": case.person_id, "opened_at": case.opened_at, "handle_by": case.handle_by,
        "first_action_at": case.first_action_at, "statutory_due": case.statutory_due,
        "closed_at": case.closed_at, "outcome": case.outcome,
        "steps": [{"key": step.key, "done_at": step.done_at}
                  for step in case.steps.order_by("position")],
    }


def _send_mail(subject: str, body: str, address: str) -> None:
    """Sent after the commit; a mail server's failure never undoes the case's change."""
    sent = mail.send_mail(subject, body, None, [address], fail_silently=True)
    if not sent:
        logger.warning("case e-mail to %s was not sent", address)


# what the client is told of each change, in Chinese whatever the actor's language
CLIENT_MESSAGES = {
    "opened": gettext_noop("Case #%(pk)s (%(type)s) for %(person)s is received; we handle "
                           "it within 48 hours."),
    "step_done": gettext_noop("Case #%(pk)s (%(type)s) for %(person)s: %(step)s is done."),
    "paper_received": gettext_noop("Case #%(pk)s (%(type)s) for %(person)s: %(step)s is "
                                   "received."),
    "message": gettext_noop("The agency wrote on case #%(pk)s (%(type)s) for %(person)s."),
    "waiting_client": gettext_noop("Case #%(pk)s (%(type)s) for %(person)s waits for you: "
                                   "%(note)s"),
    "closed": gettext_noop("Case #%(pk)s (%(type)s) for %(person)s is closed: %(status)s."),
}


def _tell_client(case: Case, actor: User | None, change: str, **values: str) -> None:
    """In-app to the portal user who opened the case (unless they acted), an e-mail to
    the client's contact address after the commit, and the webhook `case.updated`."""
    text = _zh(CLIENT_MESSAGES[change], **_values(case), **values)
    opener = case.opened_by
    if (opener is not None and _is_portal_user(opener) and opener.client_id == case.client_id
            and opener.is_active and opener != actor):
        notification_create(user=opener, message=text,
                            link=reverse("portal-cases-detail", args=[case.pk]))
    address = case.client.contact_email
    if address:
        subject = _case_subject(case)
        transaction.on_commit(partial(_send_mail, subject, text, address))
    webhook_emit(client_id=case.client_id, event=WebhookEvent.CASE_UPDATED,
                 data=case_event_data(case, change))


def _case_subject(case: Case) -> str:
    with translation.override("zh-hans"):
        return _("Insurance case #%(pk)s (%(type)s)") % {
            "pk": case.pk, "type": CaseType(case.type).label}


def _zh(message: str, **values: Any) -> str:
    """A message to the client, in Chinese whatever the actor's language."""
    with translation.override("zh-hans"):
        return _(message) % values


def _tell_assignee(case: Case, actor: User | None, text: str) -> None:
    assignee = case.assignee
    if assignee is not None and assignee.is_active and assignee != actor:
        notification_create(user=assignee, message=text,
                            link=reverse("staff-cases-detail", args=[case.pk]))


def _values(case: Case) -> dict[str, Any]:
    return {"pk": case.pk, "type": CaseType(case.type).label, "person": case.person.name}


# ---------------------------------------------------------------------------------------
# services


def _active_enrollment(person: InsuredPerson, client: Client) -> Enrollment | None:
    """The person's active enrolment by the client, social insurance first."""
    active = list(Enrollment.objects.filter(person=person, client=client,
                                            status=Enrollment.Status.ACTIVE))
    active.sort(key=lambda e: (e.scheme != Scheme.SOCIAL_INSURANCE, e.pk))
    return active[0] if active else None


@transaction.atomic
def case_open(
    *, client: Client, person: InsuredPerson | None, type: str,
    description: str = "", incident_date: datetime.date | None = None,
    period_from: datetime.date | None = None, period_to: datetime.date | None = None,
    channel: str, actor: User | None, actor_label: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """A new case for a person the client has (or had) enrolled, from the portal, the API
    or staff: to be handled within 48 hours by the client's representative, with the
    type's checklist as its steps. A work injury needs its date (not in the future) and
    carries the 工伤认定 deadline; a back-payment names its months [from, to)."""
    now = _now(now)
    today = timezone.localdate(now)
    _refuse_read_only(actor)
    if _is_portal_user(actor) and actor is not None and actor.client_id != client.pk:
        raise _person_not_found()
    errors = _type_errors(type)
    if person is None or not Enrollment.objects.filter(person=person, client=client).exists():
        errors.append(_person_not_found().details[0])
    if channel not in CaseChannel.ALL:
        errors.append(ErrorDetail("invalid_choice", "渠道无效 / Unknown channel",
                                  field="channel"))
    errors += _text_errors(description, "description", DESCRIPTION_MAX, required=False,
                           what="说明")
    errors += _incident_errors(type, incident_date, today)
    errors += _period_errors(type, period_from, period_to, today)
    if errors:
        raise ValidationFailed(errors)
    assert person is not None  # noqa: S101 - refused above
    back_payment = type == CaseType.BACK_PAYMENT
    case = Case(
        client=client, person=person, enrollment=_active_enrollment(person, client),
        type=type, description=description.strip(), status=CaseStatus.OPEN,
        channel=channel, opened_by=actor, opened_by_label=_label(actor, actor_label),
        assignee_id=client.service_rep_id, opened_at=now, handle_by=deadlines.handle_by(now),
        incident_date=incident_date,
        statutory_due=(deadlines.work_injury_application_due(incident_date)
                       if type == CaseType.WORK_INJURY and incident_date else None),
        period_from=deadlines.month_start(period_from) if back_payment and period_from
        else None,
        period_to=deadlines.month_start(period_to) if back_payment and period_to else None,
    )
    record_actor(case, actor)
    case.save()
    for position, item in enumerate(checklist_of(type), start=1):
        step = CaseStep(case=case, key=item.key, position=position, is_paper=item.is_paper)
        record_actor(step, actor)
        step.save()
    if back_payment:  # the months owed, each with its own month's policy, shown at once
        backpay_compute(case=case)
    values = _values(case)
    _tell_assignee(case, actor, _("New case #%(pk)s (%(type)s) of %(client)s for %(person)s")
                   % {**values, "client": client.name})
    _tell_client(case, actor, "opened")
    return case


def _step_of(case: Case, key: str) -> CaseStep:
    step = CaseStep.objects.select_for_update().filter(case=case, key=key).first()
    if step is None:
        raise ValidationFailed([ErrorDetail("not_found", "该业务没有此项 / The case has no "
                                            "such checklist item", field="key")])
    return step


def _mark_done(step: CaseStep, actor: User | None, note: str,
               now: datetime.datetime) -> None:
    step.done_at = now
    step.done_by = actor if actor is not None and actor.pk else None
    step.note = note.strip()[:NOTE_MAX]
    record_actor(step, actor)
    step.save(update_fields=["done_at", "done_by", "note"])


@transaction.atomic
def case_step_done(
    *, case: Case, key: str, actor: User | None, note: str = "",
    now: datetime.datetime | None = None,
) -> CaseStep:
    """The agency marks one checklist item done; the first one stops the 48-hour clock."""
    now = _now(now)
    if _is_portal_user(actor):
        raise DomainError(code="permission_denied", status=403,
                          message="仅服务人员可办理步骤 / Only the agency marks steps done")
    if errors := _text_errors(note, "note", NOTE_MAX, required=False, what="备注"):
        raise ValidationFailed(errors)
    case = _locked(case)
    step = _step_of(case, key)
    if step.done_at is not None:
        raise Conflict("step_done", "此项已办理 / This item is already done")
    _mark_done(step, actor, note, now)
    _save(case, actor, _first_action(case, now))
    _tell_client(case, actor, "step_done", step=_zh_label(case.type, key))
    return step


def _zh_label(case_type: str, key: str) -> str:
    with translation.override("zh-hans"):
        return str(label_of(case_type, key))


def _sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def _file_errors(upload: UploadedFile) -> list[ErrorDetail]:
    """Only PDF, JPEG and PNG, recognised by their content, up to 10 MB."""
    size = upload.size or 0
    if size > PAPER_MAX_BYTES:
        return [ErrorDetail("file_too_large", "文件超过 10 MB / The file is larger than "
                            "10 MB", field="file")]
    if size == 0:
        return [ErrorDetail("file_empty", "文件为空 / The file is empty", field="file")]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if _sniff(head) is None:
        return [ErrorDetail("file_type", "仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or "
                            "PNG files are accepted", field="file")]
    return []


@transaction.atomic
def case_paper_upload(
    *, case: Case, step_key: str, upload: UploadedFile, actor: User | None,
    now: datetime.datetime | None = None,
) -> CasePaper:
    """A paper of the case's checklist, from the client or the agency, stored and filed
    through the archive's one door (client papers, STD-5.1); its checklist item is done.
    Received from the client it does not stop the clock (the agency has not acted yet)."""
    now = _now(now)
    _refuse_read_only(actor)
    case = _locked(case)
    item = item_of(case.type, step_key)
    errors = [] if item is not None and item.is_paper else [ErrorDetail(
        "invalid_choice", "该业务没有此项材料 / The case has no such paper",
        field="step_key")]
    if errors := errors + _file_errors(upload):
        raise ValidationFailed(errors)
    step = _step_of(case, step_key)
    month = timezone.localdate(now)
    name = upload.name or "paper"
    stored = archive_receive_file(content=upload, original_name=name, month=month)
    paper = CasePaper(case=case, step_key=step_key, original_name=name[:200],
                      sha256=stored.sha256, size=upload.size or 0, uploaded_at=now,
                      uploaded_by=actor if actor is not None and actor.pk else None)
    paper.file.name = stored.name
    paper.save()
    step_label = _zh_label(case.type, step_key)
    archive_store(stored=stored, original_name=name, kind=ItemKind.CLIENT_PAPERS,
                  client_id=case.client_id, month=month, retention_years=PAPER_RETENTION_YEARS,
                  actor=actor, subject=case, title=f"{step_label} · 业务办理 #{case.pk}")
    if step.done_at is None:
        _mark_done(step, actor, "", now)
    from_client = actor is None or _is_portal_user(actor)
    if from_client:
        fields = []
        if case.status == CaseStatus.WAITING_CLIENT:
            case.status = CaseStatus.IN_PROGRESS
            fields.append("status")
        _save(case, actor, fields)
        _tell_assignee(case, actor, _("Case #%(pk)s: the client sent %(step)s")
                       % {"pk": case.pk, "step": label_of(case.type, step_key)})
    else:
        _save(case, actor, _first_action(case, now))
    _tell_client(case, actor, "paper_received", step=step_label)
    return paper


@transaction.atomic
def case_message(
    *, case: Case, body: str, actor: User | None, from_client: bool, actor_label: str = "",
    now: datetime.datetime | None = None,
) -> CaseMessage:
    """A message on the case's thread. The agency's first one stops the 48-hour clock and
    tells the client; the client's tells the assignee and answers a wait."""
    now = _now(now)
    if errors := _text_errors(body, "body", BODY_MAX, required=True, what="内容"):
        raise ValidationFailed(errors)
    case = _locked(case)
    message = CaseMessage.objects.create(
        case=case, author=actor if actor is not None and actor.pk else None,
        author_label=_label(actor, actor_label), from_client=from_client,
        body=body.strip(), created_at=now)
    if from_client:
        fields = []
        if case.status == CaseStatus.WAITING_CLIENT:
            case.status = CaseStatus.IN_PROGRESS
            fields.append("status")
        _save(case, actor, fields)
        _tell_assignee(case, actor, _("The client wrote on case #%(pk)s (%(type)s)")
                       % _values(case))
        if fields:
            webhook_emit(client_id=case.client_id, event=WebhookEvent.CASE_UPDATED,
                         data=case_event_data(case, "message"))
        return message
    _save(case, actor, _first_action(case, now))
    _tell_client(case, actor, "message")
    return message


@transaction.atomic
def case_wait_for_client(
    *, case: Case, actor: User | None, note: str, now: datetime.datetime | None = None,
) -> Case:
    """The agency needs something from the client: the note (what is needed) goes on the
    thread as the agency's message and the case waits for the client."""
    now = _now(now)
    if _is_portal_user(actor):
        raise DomainError(code="permission_denied", status=403,
                          message="仅服务人员可操作 / Only the agency may do this")
    if errors := _text_errors(note, "note", BODY_MAX, required=True, what="所需事项"):
        raise ValidationFailed(errors)
    case = _locked(case)
    CaseMessage.objects.create(case=case, author=actor if actor is not None and actor.pk
                               else None, author_label=_label(actor, ""), from_client=False,
                               body=note.strip(), created_at=now)
    fields = _first_action(case, now)
    case.status = CaseStatus.WAITING_CLIENT
    _save(case, actor, sorted({*fields, "status"}))
    _tell_client(case, actor, "waiting_client", note=note.strip()[:300])
    return case


def _close_errors(case: Case, outcome: str, note: str, actor: User | None) -> list[ErrorDetail]:
    if outcome not in CLOSING_OUTCOMES:
        return [ErrorDetail("invalid_choice", "办结结果无效 / Unknown outcome",
                            field="outcome")]
    if _is_portal_user(actor) and outcome != CaseStatus.CANCELLED:
        return [ErrorDetail("not_allowed", "客户只能撤销业务 / A client may only cancel a "
                            "case", field="outcome")]
    if outcome == CaseStatus.FAILED and not note.strip():
        return [ErrorDetail("required", "请填写未办成的原因 / Say why the case failed",
                            field="note")]
    if outcome == CaseStatus.SUCCEEDED:
        open_steps = [str(label_of(case.type, s.key))
                      for s in case.steps.filter(done_at__isnull=True).order_by("position")]
        if open_steps:
            return [ErrorDetail("steps_open", "尚有未办理的步骤 / Steps are not done yet: "
                                + "、".join(open_steps), field="outcome")]
    return _text_errors(note, "note", BODY_MAX, required=False, what="说明")


@transaction.atomic
def case_close(
    *, case: Case, outcome: str, note: str, actor: User | None,
    now: datetime.datetime | None = None,
) -> Case:
    """Close the case: `succeeded` (only when every checklist item is done), `failed`
    (with the reason) or `cancelled`. A client may only cancel, and only its own case
    while it is open; closing by the agency counts as its action on the clock."""
    now = _now(now)
    _refuse_read_only(actor)
    if _is_portal_user(actor) and actor is not None and actor.client_id != case.client_id:
        raise Http404  # another client's case is not there for them
    case = _locked(case)
    if errors := _close_errors(case, outcome, note, actor):
        raise ValidationFailed(errors)
    fields = ["status", "closed_at", "outcome"]
    if not _is_portal_user(actor) and actor is not None and case.first_action_at is None:
        case.first_action_at = now
        fields.append("first_action_at")
    case.status = outcome
    case.closed_at = now
    case.outcome = note.strip()
    _save(case, actor, fields)
    if outcome == CaseStatus.SUCCEEDED:
        _on_success(case, actor, now)
    if _is_portal_user(actor):
        _tell_assignee(case, actor, _("The client cancelled case #%(pk)s (%(type)s)")
                       % _values(case))
    _tell_client(case, actor, "closed", status=_zh_status(outcome))
    return case


@transaction.atomic
def case_paper_download(*, paper: CasePaper, actor: User | None,
                        request: HttpRequest | None = None) -> CasePaper:
    """Record that a case's paper was downloaded (the view sends it after this)."""
    audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=paper,
                 client_id=paper.case.client_id,
                 detail=audit_detail(case=paper.case_id, step=paper.step_key,
                                     sha256=paper.sha256),
                 request=request)
    return paper


def _zh_status(status: str) -> str:
    with translation.override("zh-hans"):
        return str(CaseStatus(status).label)


def _on_success(case: Case, actor: User | None, now: datetime.datetime) -> None:
    """What a succeeded case sets off, inside `case_close`'s transaction, so that every
    route that closes a case (staff page, API, admin) gets it: a back-payment's months are
    recomputed with the policies in force now known and wait for the client's next bill
    (which charges them once, `billing.generation`); a retirement ends the person's
    enrolments with the client on the day it succeeded."""
    if case.type == CaseType.BACK_PAYMENT:
        backpay_compute(case=case)
    elif case.type == CaseType.RETIREMENT:
        retirement_end_enrollments(case=case, actor=actor, on=timezone.localdate(now))
