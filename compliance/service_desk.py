"""The service desk (STD-4.9, 6.2, 6.3, 7.1, 7.2, 7.3): inquiries (咨询), complaints (投诉)
and satisfaction feedback (满意度评价), its services (writes) and selectors (reads).

- An inquiry is answered within 12 hours (`agency.deadlines.respond_by`): the agency's
  first reply stops the clock for good; a client's later reply re-opens the inquiry but
  does not restart the clock. A follow-up question (STD-4.9) may be about one of the
  client's finished roster lines.
- A complaint is handled within 48 hours (`agency.deadlines.handle_by`): the first step out
  of `received` (the investigation) stops the clock. received → investigating → corrective
  action (owner, due date) → closed, which only the client confirms, once every action is
  done (STD-7.3).
- Feedback (score 1–5 and a comment) follows a done inquiry (answered or closed), a closed
  complaint or a revisit, once per matter.

Every service takes its `actor` (None for a client's API key, named by `actor_label`) and
an explicit `now`, so the clocks can be tested at exact instants."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency import deadlines
from agency.errors import Conflict, DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import User
from agency.roles import PORTAL_ROLES, STAFF_ROLES, Role
from agency.services import notification_create
from agency.viewer import Viewer, scope_to_viewer
from clients.models import Client, WebhookEvent
from clients.webhook_services import webhook_emit
from compliance.models import (
    AboutType,
    Channel,
    Complaint,
    CorrectiveAction,
    Feedback,
    Inquiry,
    Message,
    Revisit,
)
from enrollment.models import OPEN_CASE_STATUSES, Case, LineStatus, RosterLine

SUBJECT_MAX = 200
COMMENT_MAX = 2000
DUE_SOON = datetime.timedelta(hours=2)
# the roster lines a follow-up question may be about: the agency has finished with them
FINISHED_LINE_STATUSES = (LineStatus.SUCCEEDED, LineStatus.PARTIALLY_SUCCEEDED,
                          LineStatus.FAILED)
# the staff who work the desk (archivists do not); a representative only their clients'
DESK_ROLES = (Role.ADMIN, Role.MANAGER, Role.SERVICE_REP, Role.FINANCE)
# an inquiry the client may rate: the agency has answered it, or it is closed
INQUIRY_DONE = (Inquiry.Status.ANSWERED, Inquiry.Status.CLOSED)


# ---------------------------------------------------------------------------------------
# checks shared by the services


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def _required(value: str, field: str, what: str) -> list[ErrorDetail]:
    if not value.strip():
        return [ErrorDetail("required", f"请填写{what} / The {field} is required",
                            field=field)]
    return []


def _text_errors(subject: str, body: str) -> list[ErrorDetail]:
    errors = _required(subject, "subject", "主题")
    if len(subject.strip()) > SUBJECT_MAX:
        errors.append(ErrorDetail(
            "too_long", f"主题不能超过 {SUBJECT_MAX} 个字 / The subject is at most "
            f"{SUBJECT_MAX} characters", field="subject"))
    return errors + _required(body, "body", "内容")


def _channel_errors(channel: str) -> list[ErrorDetail]:
    if channel not in Channel.values:
        return [ErrorDetail("invalid_choice", "渠道无效 / Unknown channel", field="channel")]
    return []


def _label(actor: User | None, actor_label: str) -> str:
    return (actor_label or (actor.get_username() if actor is not None else ""))[:150]


def _about_errors(client: Client, about_type: str, about_id: int | None) -> list[ErrorDetail]:
    """A follow-up question (STD-4.9) is about one of the client's finished roster lines or
    closed insurance cases (another client's is "not found", like a missing one)."""
    if not about_type and about_id is None:
        return []
    if about_type not in (AboutType.ORDER_LINE, AboutType.CASE):
        return [ErrorDetail("invalid_choice", "咨询对象类型无效 / Unknown kind of matter",
                            field="about")]
    if about_type == AboutType.CASE:
        if about_id is None:
            return [ErrorDetail("required", "请指明办理事项 / Name the case", field="about")]
        case = Case.objects.filter(pk=about_id, client_id=client.pk).only("status").first()
        if case is None:
            return [ErrorDetail("not_found", "未找到该业务办理事项 / Case not found",
                                field="about")]
        if case.status in OPEN_CASE_STATUSES:
            return [ErrorDetail("not_finished", "该事项尚未办结 / The case is not closed yet",
                                field="about")]
        return []
    if about_id is None:
        return [ErrorDetail("required", "请指明增减员明细 / Name the roster line",
                            field="about")]
    line = RosterLine.objects.filter(pk=about_id, order__client_id=client.pk).only(
        "status").first()
    if line is None:
        return [ErrorDetail("not_found", "未找到该增减员明细 / Roster line not found",
                            field="about")]
    if line.status not in FINISHED_LINE_STATUSES:
        return [ErrorDetail("not_finished", "该增减员明细尚未办结 / The roster line is not "
                            "finished yet", field="about")]
    return []


def _is_portal_user_of(actor: User | None, client_id: int) -> bool:
    return (actor is not None and actor.role in PORTAL_ROLES
            and actor.client_id == client_id)


def _notify_portal_opener(opened_by: User | None, client_id: int, message: str,
                          link: str) -> None:
    if _is_portal_user_of(opened_by, client_id) and opened_by is not None \
            and opened_by.is_active:
        notification_create(user=opened_by, message=message, link=link)


def _notify_assignee(assignee: User | None, actor: User | None, message: str,
                     link: str) -> None:
    if assignee is not None and assignee.is_active and assignee != actor:
        notification_create(user=assignee, message=message, link=link)


def _message(*, body: str, actor: User | None, actor_label: str, from_client: bool,
             at: datetime.datetime, **thread: Any) -> Message:
    return Message.objects.create(author=actor, author_label=_label(actor, actor_label),
                                  from_client=from_client, body=body.strip(), created_at=at,
                                  **thread)


# ---------------------------------------------------------------------------------------
# inquiries (咨询, STD-4.9, 6.2)


@transaction.atomic
def inquiry_open(
    *, client: Client, subject: str, body: str, channel: str, actor: User | None,
    actor_label: str = "", about_type: str = "", about_id: int | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """A client's question, from the portal, the API or staff's entry of a call, e-mail or
    visit: to be answered within 12 hours, by the client's representative if it has one.
    The question is also the first message of the thread."""
    now = _now(now)
    errors = (_text_errors(subject, body) + _channel_errors(channel)
              + _about_errors(client, about_type, about_id))
    if errors:
        raise ValidationFailed(errors)
    inquiry = Inquiry(
        client=client, subject=subject.strip(), body=body.strip(), channel=channel,
        opened_by=actor, opened_by_label=_label(actor, actor_label),
        assignee_id=client.service_rep_id, received_at=now,
        respond_by=deadlines.respond_by(now), status=Inquiry.Status.OPEN,
        about_type=about_type, about_id=about_id if about_type else None,
    )
    record_actor(inquiry, actor)
    inquiry.save()
    _message(inquiry=inquiry, body=body, actor=actor, actor_label=actor_label, at=now,
             from_client=True)
    _notify_assignee(client.service_rep, actor,
                     _("New inquiry from %(client)s: %(subject)s")
                     % {"client": client.name, "subject": inquiry.subject},
                     reverse("staff-inquiries-detail", args=[inquiry.pk]))
    return inquiry


def _locked_inquiry(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.select_for_update(of=("self",)).select_related(
        "client", "opened_by", "assignee").get(pk=inquiry.pk)


def _inquiry_closed() -> Conflict:
    return Conflict("inquiry_closed", "咨询已关闭 / The inquiry is closed")


@transaction.atomic
def inquiry_reply(
    *, inquiry: Inquiry, body: str, actor: User | None, from_client: bool,
    actor_label: str = "", now: datetime.datetime | None = None,
) -> Message:
    """A message on the thread. The agency's reply answers the inquiry: the first one
    stops the 12-hour clock (`first_response_at`), each one that answers an open inquiry
    tells the client (webhook `inquiry.answered`, a notification to the portal user who
    asked). The client's reply re-opens an answered inquiry; its clock stays stopped."""
    now = _now(now)
    if errors := _required(body, "body", "内容"):
        raise ValidationFailed(errors)
    inquiry = _locked_inquiry(inquiry)
    if inquiry.status == Inquiry.Status.CLOSED:
        raise _inquiry_closed()
    message = _message(inquiry=inquiry, body=body, actor=actor, actor_label=actor_label, at=now,
                       from_client=from_client)
    if from_client:
        if inquiry.status == Inquiry.Status.ANSWERED:
            inquiry.status = Inquiry.Status.OPEN
            record_actor(inquiry, actor)
            inquiry.save(update_fields=["status"])
            _notify_assignee(inquiry.assignee, actor,
                             _("The client wrote again on the inquiry %(subject)s")
                             % {"subject": inquiry.subject},
                             reverse("staff-inquiries-detail", args=[inquiry.pk]))
        return message
    if inquiry.status == Inquiry.Status.OPEN:
        if inquiry.first_response_at is None:
            inquiry.first_response_at = now
        inquiry.status = Inquiry.Status.ANSWERED
        record_actor(inquiry, actor)
        inquiry.save(update_fields=["status", "first_response_at"])
        webhook_emit(client_id=inquiry.client_id, event=WebhookEvent.INQUIRY_ANSWERED,
                     data=inquiry_event_data(inquiry, message))
        _notify_portal_opener(
            inquiry.opened_by, inquiry.client_id,
            _("Your inquiry is answered: %(subject)s") % {"subject": inquiry.subject},
            reverse("portal-inquiries-detail", args=[inquiry.pk]))
    return message


def inquiry_event_data(inquiry: Inquiry, message: Message) -> dict[str, Any]:
    return {"id": inquiry.pk, "subject": inquiry.subject, "status": inquiry.status,
            "received_at": inquiry.received_at, "respond_by": inquiry.respond_by,
            "first_response_at": inquiry.first_response_at,
            "answer": {"id": message.pk, "body": message.body}}


@transaction.atomic
def inquiry_close(*, inquiry: Inquiry, actor: User | None,
                  now: datetime.datetime | None = None) -> Inquiry:
    """Close the inquiry (the client or the agency): no more messages."""
    now = _now(now)
    inquiry = _locked_inquiry(inquiry)
    if inquiry.status == Inquiry.Status.CLOSED:
        raise _inquiry_closed()
    inquiry.status = Inquiry.Status.CLOSED
    inquiry.closed_at = now
    record_actor(inquiry, actor)
    inquiry.save(update_fields=["status", "closed_at"])
    return inquiry


def inquiry_clock(inquiry: Inquiry, now: datetime.datetime) -> str:
    """Where the 12-hour clock of an inquiry stands at `now`: "stopped" (answered at least
    once, or closed), "breached" (past respond_by), "due_soon" (within 2 hours) or
    "running"."""
    if inquiry.first_response_at is not None or inquiry.status != Inquiry.Status.OPEN:
        return "stopped"
    if inquiry.respond_by < now:
        return "breached"
    if inquiry.respond_by <= now + DUE_SOON:
        return "due_soon"
    return "running"


# ---------------------------------------------------------------------------------------
# complaints (投诉, STD-6.3, 7.1, 7.3)


@transaction.atomic
def complaint_open(
    *, client: Client, subject: str, body: str, channel: str, actor: User | None,
    actor_label: str = "", now: datetime.datetime | None = None,
) -> Complaint:
    """A client's complaint from any channel: to be handled within 48 hours, by the
    client's representative if it has one. The complaint is the thread's first message."""
    now = _now(now)
    if errors := _text_errors(subject, body) + _channel_errors(channel):
        raise ValidationFailed(errors)
    complaint = Complaint(
        client=client, subject=subject.strip(), body=body.strip(), channel=channel,
        opened_by=actor, opened_by_label=_label(actor, actor_label),
        assignee_id=client.service_rep_id, received_at=now,
        handle_by=deadlines.handle_by(now), status=Complaint.Status.RECEIVED,
    )
    record_actor(complaint, actor)
    complaint.save()
    _message(complaint=complaint, body=body, actor=actor, actor_label=actor_label, at=now,
             from_client=True)
    link = reverse("staff-complaints-detail", args=[complaint.pk])
    message = _("New complaint from %(client)s: %(subject)s") % {
        "client": client.name, "subject": complaint.subject}
    _notify_assignee(client.service_rep, actor, message, link)
    return complaint


def _locked_complaint(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related(
        "client", "opened_by").get(pk=complaint.pk)


def _complaint_closed() -> Conflict:
    return Conflict("complaint_closed", "投诉已关闭 / The complaint is closed")


@transaction.atomic
def complaint_reply(
    *, complaint: Complaint, body: str, actor: User | None, from_client: bool,
    actor_label: str = "", now: datetime.datetime | None = None,
) -> Message:
    """A message on the complaint's thread (the workflow's steps are the agency's, not a
    message's). The agency's message is notified to the portal user who complained."""
    if errors := _required(body, "body", "内容"):
        raise ValidationFailed(errors)
    complaint = _locked_complaint(complaint)
    if complaint.status == Complaint.Status.CLOSED:
        raise _complaint_closed()
    message = _message(complaint=complaint, body=body, actor=actor, actor_label=actor_label,
                       at=now or timezone.now(), from_client=from_client)
    if not from_client:
        _notify_portal_opener(
            complaint.opened_by, complaint.client_id,
            _("The agency wrote about your complaint: %(subject)s")
            % {"subject": complaint.subject},
            reverse("portal-complaints-detail", args=[complaint.pk]))
    return message


@transaction.atomic
def complaint_investigate(*, complaint: Complaint, findings: str, actor: User | None,
                          now: datetime.datetime | None = None) -> Complaint:
    """Record what the investigation found: received → investigating, which stops the
    48-hour clock (`first_action_at`). While investigating the findings may be revised."""
    now = _now(now)
    if errors := _required(findings, "findings", "调查结果"):
        raise ValidationFailed(errors)
    complaint = _locked_complaint(complaint)
    if complaint.status not in (Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING):
        raise Conflict("invalid_transition",
                       "整改已开始或投诉已关闭，不能再改调查结果 / Corrective action has "
                       "started or the complaint is closed: the findings are final")
    complaint.findings = findings.strip()
    complaint.status = Complaint.Status.INVESTIGATING
    if complaint.first_action_at is None:
        complaint.first_action_at = now
    record_actor(complaint, actor)
    complaint.save(update_fields=["findings", "status", "first_action_at"])
    return complaint


def _action_errors(description: str, owner: User | None,
                   due_on: datetime.date | None) -> list[ErrorDetail]:
    errors = _required(description, "description", "整改措施")
    if owner is None or owner.role not in STAFF_ROLES or not owner.is_active:
        errors.append(ErrorDetail("invalid_owner", "负责人须为在职员工 / The owner must be "
                                  "an active staff member", field="owner"))
    if due_on is None:
        errors.append(ErrorDetail("required", "请填写完成期限 / The due date is required",
                                  field="due_on"))
    return errors


@transaction.atomic
def complaint_add_action(
    *, complaint: Complaint, description: str, owner: User | None,
    due_on: datetime.date | None, actor: User | None,
) -> CorrectiveAction:
    """Decide a corrective measure (what, who, by when) after the investigation: the
    complaint moves to corrective action."""
    if errors := _action_errors(description, owner, due_on):
        raise ValidationFailed(errors)
    assert owner is not None and due_on is not None  # noqa: S101 - checked above
    complaint = _locked_complaint(complaint)
    if complaint.status == Complaint.Status.CLOSED:
        raise _complaint_closed()
    if complaint.status == Complaint.Status.RECEIVED:
        raise Conflict("not_investigated", "请先记录调查结果 / Record the investigation's "
                       "findings first")
    action = CorrectiveAction(complaint=complaint, description=description.strip(),
                              owner=owner, due_on=due_on)
    record_actor(action, actor)
    action.save()
    if complaint.status != Complaint.Status.ACTION:
        complaint.status = Complaint.Status.ACTION
        record_actor(complaint, actor)
        complaint.save(update_fields=["status"])
    _notify_assignee(owner, actor,
                     _("Corrective action for the complaint %(subject)s is yours, due on "
                       "%(due)s") % {"subject": complaint.subject, "due": f"{due_on:%Y-%m-%d}"},
                     reverse("staff-complaints-detail", args=[complaint.pk]))
    return action


@transaction.atomic
def complaint_action_done(*, action: CorrectiveAction, actor: User | None,
                          now: datetime.datetime | None = None) -> CorrectiveAction:
    """Mark a corrective measure carried out."""
    now = _now(now)
    action = CorrectiveAction.objects.select_for_update(of=("self",)).select_related(
        "complaint").get(pk=action.pk)
    if action.complaint.status == Complaint.Status.CLOSED:
        raise _complaint_closed()
    if action.done_at is not None:
        raise Conflict("action_done", "该整改措施已完成 / The corrective action is "
                       "already done")
    action.done_at = now
    record_actor(action, actor)
    action.save(update_fields=["done_at"])
    return action


def _confirms_for_client(complaint: Complaint, actor: User | None,
                         viewer: Viewer | None) -> bool:
    if _is_portal_user_of(actor, complaint.client_id):
        return True
    return (viewer is not None and viewer.role == "api_key"
            and viewer.client_id == complaint.client_id)


@transaction.atomic
def complaint_confirm_closed(*, complaint: Complaint, actor: User | None,
                             viewer: Viewer | None = None,
                             now: datetime.datetime | None = None) -> Complaint:
    """The client confirms the complaint is resolved (a portal user of that client, or
    its API key: `viewer`), once corrective action is under way and every measure is
    done: the complaint is closed."""
    now = _now(now)
    complaint = _locked_complaint(complaint)
    if not _confirms_for_client(complaint, actor, viewer):
        raise DomainError(code="permission_denied", status=403,
                          message="只有客户本人可确认投诉已解决 / Only the client confirms "
                          "that a complaint is resolved")
    if complaint.status == Complaint.Status.CLOSED:
        raise _complaint_closed()
    if complaint.status != Complaint.Status.ACTION:
        raise Conflict("no_corrective_action", "尚未采取整改措施 / No corrective action "
                       "has been taken yet")
    if complaint.actions.filter(done_at__isnull=True).exists():
        raise Conflict("actions_open", "仍有整改措施未完成 / Some corrective actions are "
                       "not done yet")
    complaint.status = Complaint.Status.CLOSED
    complaint.client_confirmed_at = now
    complaint.closed_at = now
    record_actor(complaint, actor)
    complaint.save(update_fields=["status", "client_confirmed_at", "closed_at"])
    return complaint


def complaint_can_confirm(complaint: Complaint) -> bool:
    """The client may confirm: corrective action is under way and every measure is done
    (reads `complaint.actions.all()`, prefetched by `complaint_get`)."""
    actions = list(complaint.actions.all())
    return (complaint.status == Complaint.Status.ACTION and bool(actions)
            and all(a.done_at is not None for a in actions))


def complaint_overdue(complaint: Complaint, now: datetime.datetime) -> bool:
    """Past its 48 hours without a first step."""
    return complaint.first_action_at is None and complaint.handle_by < now


# ---------------------------------------------------------------------------------------
# satisfaction feedback (满意度评价, STD-7.2)


def _matter_done(client: Client, about: str, about_id: int) -> bool | None:
    """None: no such matter of the client; else whether it is done (may be rated)."""
    if about == Feedback.About.INQUIRY:
        inquiry = Inquiry.objects.filter(pk=about_id, client_id=client.pk).only(
            "status").first()
        return None if inquiry is None else inquiry.status in INQUIRY_DONE
    if about == Feedback.About.COMPLAINT:
        complaint = Complaint.objects.filter(pk=about_id, client_id=client.pk).only(
            "status").first()
        return None if complaint is None else complaint.status == Complaint.Status.CLOSED
    return Revisit.objects.filter(pk=about_id, client_id=client.pk).exists() or None


def _feedback_errors(client: Client, about: str, about_id: int | None, score: Any,
                     comment: str) -> list[ErrorDetail]:
    errors = []
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        errors.append(ErrorDetail("out_of_range", "评分须为 1 到 5 / The score is 1 to 5",
                                  field="score"))
    if len(comment) > COMMENT_MAX:
        errors.append(ErrorDetail("too_long", f"意见不能超过 {COMMENT_MAX} 个字 / The "
                                  f"comment is at most {COMMENT_MAX} characters",
                                  field="comment"))
    if about not in Feedback.About.values or about_id is None:
        errors.append(ErrorDetail("invalid_choice", "评价对象无效 / Unknown matter",
                                  field="about"))
        return errors
    done = _matter_done(client, about, about_id)
    if done is None:
        errors.append(ErrorDetail("not_found", "未找到该事项 / Matter not found",
                                  field="about"))
    elif not done:
        errors.append(ErrorDetail("not_done", "事项办结后才能评价 / Feedback follows a "
                                  "closed matter", field="about"))
    return errors


def _feedback_given() -> DomainError:
    return DomainError(code="feedback_given", status=409,
                       message="该事项已评价 / Feedback on this matter is already given",
                       details=[ErrorDetail("feedback_given", "该事项已评价 / Feedback on "
                                            "this matter is already given", field="about")])


@transaction.atomic
def feedback_give(*, client: Client, about: str, about_id: int | None, score: Any,
                  comment: str, actor: User | None) -> Feedback:
    """The client's satisfaction (score 1–5, a comment) with a done inquiry (answered or
    closed), a closed complaint or a revisit: once per matter."""
    if errors := _feedback_errors(client, about, about_id, score, comment):
        raise ValidationFailed(errors)
    assert about_id is not None  # noqa: S101 - checked above
    if Feedback.objects.filter(about=about, about_id=about_id).exists():
        raise _feedback_given()
    try:
        with transaction.atomic():  # two at once: the unique constraint decides
            return Feedback.objects.create(client=client, about=about, about_id=about_id,
                                           score=score, comment=comment.strip(),
                                           given_by=actor)
    except IntegrityError:
        raise _feedback_given() from None


@dataclass(frozen=True)
class PendingFeedback:
    """A done matter of the client that has no feedback yet."""

    about: str
    about_id: int
    title: str
    done_at: datetime.datetime | datetime.date


def _has_feedback(about: str) -> Exists:
    return Exists(Feedback.objects.filter(about=about, about_id=OuterRef("pk")))


def feedback_pending(*, viewer: Viewer, limit: int = 20) -> list[PendingFeedback]:
    """What the client may still rate, newest first: done inquiries, closed complaints,
    revisits (three queries)."""
    if not viewer.is_client:
        return []
    inquiries = scope_to_viewer(Inquiry.objects.all(), viewer).filter(
        status__in=INQUIRY_DONE).exclude(_has_feedback(Feedback.About.INQUIRY)).order_by(
        "-received_at")[:limit]
    complaints = scope_to_viewer(Complaint.objects.all(), viewer).filter(
        status=Complaint.Status.CLOSED).exclude(
        _has_feedback(Feedback.About.COMPLAINT)).order_by("-closed_at")[:limit]
    revisits = scope_to_viewer(Revisit.objects.all(), viewer).exclude(
        _has_feedback(Feedback.About.REVISIT)).order_by("-visited_on")[:limit]
    out = [PendingFeedback(Feedback.About.INQUIRY, i.pk, i.subject,
                           i.closed_at or i.first_response_at or i.received_at)
           for i in inquiries]
    out += [PendingFeedback(Feedback.About.COMPLAINT, c.pk, c.subject,
                            c.closed_at or c.received_at) for c in complaints]
    out += [PendingFeedback(Feedback.About.REVISIT, r.pk, f"{r.visited_on:%Y-%m-%d}",
                            r.visited_on) for r in revisits]
    return out


def feedback_of(*, about: str, about_id: int) -> Feedback | None:
    return Feedback.objects.filter(about=about, about_id=about_id).first()


# ---------------------------------------------------------------------------------------
# selectors


def _desk_scope(qs: "QuerySet[Any]", viewer: Viewer) -> "QuerySet[Any]":
    """A client sees its own; a representative the clients they represent; managers,
    admins and finance all; anyone else (archivists) nothing."""
    qs = scope_to_viewer(qs, viewer, "client_id")
    if viewer.is_staff:
        if not viewer.has_role(*DESK_ROLES):
            return qs.none()
        if viewer.role == Role.SERVICE_REP:
            return qs.filter(client__service_rep_id=viewer.user_id)
    return qs


def inquiry_list(*, viewer: Viewer, status: str | None = None) -> "QuerySet[Inquiry]":
    qs = _desk_scope(Inquiry.objects.select_related("client", "assignee"), viewer)
    if status:
        qs = qs.filter(status=status)
    return qs


def inquiry_get(*, viewer: Viewer, pk: int) -> Inquiry:
    """One inquiry with its thread; 404 outside the viewer's scope."""
    inquiry = inquiry_list(viewer=viewer).select_related("opened_by").prefetch_related(
        "messages__author").filter(pk=pk).first()
    if inquiry is None:
        raise Http404
    return inquiry


def inquiry_queue(*, viewer: Viewer) -> "QuerySet[Inquiry]":
    """Inquiries awaiting the agency's response, the most urgent first (respond_by)."""
    return inquiry_list(viewer=viewer, status=Inquiry.Status.OPEN).order_by(
        "respond_by", "pk")


def complaint_list(*, viewer: Viewer, status: str | None = None) -> "QuerySet[Complaint]":
    qs = _desk_scope(Complaint.objects.select_related("client", "assignee"), viewer)
    if status:
        qs = qs.filter(status=status)
    return qs


def complaint_get(*, viewer: Viewer, pk: int) -> Complaint:
    """One complaint with its thread and corrective actions; 404 outside the scope."""
    complaint = complaint_list(viewer=viewer).select_related("opened_by").prefetch_related(
        "messages__author", "actions__owner").filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return complaint


def action_get(*, viewer: Viewer, pk: int) -> CorrectiveAction:
    action = CorrectiveAction.objects.select_related("complaint").filter(
        pk=pk, complaint__in=complaint_list(viewer=viewer)).first()
    if action is None:
        raise Http404
    return action


def service_counts(*, viewer: Viewer, now: datetime.datetime) -> dict[str, int]:
    """The dashboard's figures of the desk (two queries): inquiries awaiting a response,
    those past their 12 hours without one, those due within 2 hours; open complaints and
    those past their 48 hours without a first step."""
    awaiting = Q(status=Inquiry.Status.OPEN)
    unanswered = awaiting & Q(first_response_at__isnull=True)
    inquiries = inquiry_list(viewer=viewer).aggregate(
        open=Count("pk", filter=awaiting),
        breached=Count("pk", filter=unanswered & Q(respond_by__lt=now)),
        due_soon=Count("pk", filter=unanswered & Q(respond_by__gte=now,
                                                   respond_by__lte=now + DUE_SOON)),
    )
    not_closed = ~Q(status=Complaint.Status.CLOSED)
    complaints = complaint_list(viewer=viewer).aggregate(
        open=Count("pk", filter=not_closed),
        overdue=Count("pk", filter=not_closed & Q(first_action_at__isnull=True,
                                                  handle_by__lt=now)),
    )
    return {
        "inquiries_open": inquiries["open"],
        "inquiries_breached": inquiries["breached"],
        "inquiries_due_soon": inquiries["due_soon"],
        "complaints_open": complaints["open"],
        "complaints_overdue": complaints["overdue"],
    }


def desk_clients(*, viewer: Viewer) -> "QuerySet[Client]":
    """The clients staff may enter an inquiry or complaint for (a representative: those
    they represent)."""
    qs = Client.objects.filter(is_active=True).order_by("name")
    if viewer.role == Role.SERVICE_REP:
        return qs.filter(service_rep_id=viewer.user_id)
    return qs if viewer.has_role(*DESK_ROLES) else qs.none()


def action_owners() -> "QuerySet[User]":
    """Who may own a corrective action: active staff."""
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by(
        "display_name", "username")


def inquiry_about_line(*, client_id: int, about_type: str,
                       about_id: int | None) -> RosterLine | None:
    """The client's roster line a follow-up question is (or is to be) about, if any."""
    if about_type != AboutType.ORDER_LINE or about_id is None:
        return None
    return RosterLine.objects.select_related("order").filter(
        pk=about_id, order__client_id=client_id).first()
