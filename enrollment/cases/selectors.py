"""Reads of insurance cases, scoped to the viewer: a client (portal user or API key) sees
its own cases; a service representative the cases of the clients they represent;
managers and administrators all; other staff none. Anything outside answers 404."""

import datetime
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.http import Http404
from django.utils import timezone

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.roles import Role
from agency.viewer import Viewer, scope_to_viewer
from clients.models import Client
from enrollment.cases.checklists import label_of
from enrollment.models import (
    OPEN_CASE_STATUSES,
    BackPaymentMonth,
    Case,
    CaseMessage,
    CaseStatus,
    CaseStep,
    Enrollment,
    InsuredPerson,
)

# the staff who work cases (a representative only for the clients they represent)
CASE_ROLES = (Role.ADMIN, Role.MANAGER, Role.SERVICE_REP)
DUE_SOON = datetime.timedelta(hours=6)  # the watch warns 6 hours before the 48 are up


def _scope(qs: "QuerySet[Case]", viewer: Viewer) -> "QuerySet[Case]":
    qs = scope_to_viewer(qs, viewer, "client_id")
    if viewer.is_staff:
        if not viewer.has_role(*CASE_ROLES):
            return qs.none()
        if viewer.role == Role.SERVICE_REP:
            return qs.filter(client__service_rep_id=viewer.user_id)
    return qs


def case_list(
    *, viewer: Viewer, status: str | None = None, type: str | None = None,
    client_id: int | None = None,
) -> "QuerySet[Case]":
    """The viewer's cases, newest first, with how many checklist items are done."""
    qs = _scope(Case.objects.select_related("client", "person", "assignee"), viewer)
    if status:
        qs = qs.filter(status=status)
    if type:
        qs = qs.filter(type=type)
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.annotate(
        steps_total=Count("steps"),
        steps_done=Count("steps", filter=Q(steps__done_at__isnull=False)),
    ).order_by("-opened_at", "-pk")


def case_get(*, viewer: Viewer, pk: int) -> Case:
    """One case with its steps, papers and thread; 404 outside the viewer's scope."""
    case = (
        _scope(Case.objects.select_related("client", "person", "assignee", "opened_by",
                                           "enrollment__city"), viewer)
        .prefetch_related(
            Prefetch("steps", queryset=CaseStep.objects.select_related("done_by")
                     .order_by("position")),
            "papers",
            Prefetch("messages", queryset=CaseMessage.objects.select_related("author")),
            Prefetch("back_months", queryset=BackPaymentMonth.objects.select_related("city")
                     .order_by("month")),
        )
        .filter(pk=pk).first()
    )
    if case is None:
        raise Http404
    return case


def _statutory_end() -> Any:
    """`statutory_due` as the instant its day ends in Asia/Shanghai (a date cast to a
    timestamp is its midnight in the database session's zone, UTC)."""
    offset = timezone.localtime(timezone.now()).utcoffset()
    shift = datetime.timedelta(days=1) - (offset or datetime.timedelta())
    return ExpressionWrapper(Cast("statutory_due", DateTimeField()) + Value(shift),
                             output_field=DateTimeField())


def case_queue(
    *, viewer: Viewer, type: str | None = None,
    client_id: int | None = None,
) -> "QuerySet[Case]":
    """Open cases, the nearest deadline first: the earlier of the 48-hour `handle_by` and
    the end of the statutory deadline's day."""
    qs = case_list(viewer=viewer, type=type, client_id=client_id).filter(
        status__in=OPEN_CASE_STATUSES)
    return qs.annotate(
        deadline=Least(F("handle_by"), Coalesce(_statutory_end(), F("handle_by"))),
    ).order_by("deadline", "pk")


def case_clock(case: Case, now: datetime.datetime) -> str:
    """Where the 48-hour clock stands at `now`: "stopped" (the agency has acted, or the
    case is closed), "breached" (past `handle_by`), "due_soon" (within 6 hours) or
    "running"."""
    if case.first_action_at is not None or case.status not in OPEN_CASE_STATUSES:
        return "stopped"
    if case.handle_by < now:
        return "breached"
    if case.handle_by <= now + DUE_SOON:
        return "due_soon"
    return "running"


def statutory_state(case: Case, today: datetime.date) -> str:
    """The statutory deadline of an open case: "" (none, or closed), "overdue", "due_soon"
    (within 7 days) or "pending"."""
    if case.statutory_due is None or case.status not in OPEN_CASE_STATUSES:
        return ""
    days = (case.statutory_due - today).days
    if days < 0:
        return "overdue"
    return "due_soon" if days <= 7 else "pending"


def case_steps(case: Case) -> list[dict[str, Any]]:
    """The checklist as shown: each step with its label (papers with their files)."""
    papers: dict[str, list[Any]] = {}
    for paper in case.papers.all():
        papers.setdefault(paper.step_key, []).append(paper)
    return [{"step": step, "key": step.key, "label": label_of(case.type, step.key),
             "is_paper": step.is_paper, "done_at": step.done_at,
             "papers": papers.get(step.key, [])} for step in case.steps.all()]


def case_paper_get(*, viewer: Viewer, case: Case, pk: int) -> Any:
    paper = case.papers.filter(pk=pk).first()
    if paper is None:
        raise Http404
    return paper


def case_clients(*, viewer: Viewer) -> "QuerySet[Client]":
    """The clients staff may open a case for (a representative: those they represent)."""
    qs = Client.objects.filter(is_active=True).order_by("name")
    if not viewer.is_staff or not viewer.has_role(*CASE_ROLES):
        return qs.none()
    if viewer.role == Role.SERVICE_REP:
        return qs.filter(service_rep_id=viewer.user_id)
    return qs


def case_client(*, viewer: Viewer, client_id: int | None) -> Client:
    """The client a new case is for: a client caller's own; staff name one they serve
    (missing or not theirs: 400 naming `client`); anyone else: 403."""
    if viewer.is_client and viewer.client_id is not None:
        client = Client.objects.filter(pk=viewer.client_id).first()
        if client is None:
            raise Http404
        return client
    if not viewer.is_staff or not viewer.has_role(*CASE_ROLES):
        raise DomainError(code="permission_denied", status=403,
                          message="无权办理业务 / Not allowed to open cases")
    if client_id is None:
        raise ValidationFailed([ErrorDetail(
            "required", "员工须指定 client / Staff must name the client", field="client")])
    client = case_clients(viewer=viewer).filter(pk=client_id).first()
    if client is None:
        raise ValidationFailed([ErrorDetail(
            "not_found", "未找到该客户 / Client not found", field="client")])
    return client


def case_persons(*, client: Client) -> "QuerySet[InsuredPerson]":
    """The persons a case may be opened for: any the client has (or had) enrolled."""
    enrolled = Enrollment.objects.filter(client=client).values("person_id")
    return InsuredPerson.objects.filter(pk__in=enrolled).order_by("name", "pk")


def case_person(*, person_id: int | None) -> InsuredPerson | None:
    """The person an input names, or None (the service refuses a missing person and one
    the client never enrolled with the same message)."""
    if person_id is None:
        return None
    return InsuredPerson.objects.filter(pk=person_id).first()


def _field_name(name: str) -> str:
    return str(getattr(Case._meta.get_field(name), "verbose_name", name))


def case_history(case: Case, limit: int = 30) -> list[Any]:
    """The case's change history (django-simple-history), newest first, each row with the
    names of the fields it changed."""
    rows = list(case.history.select_related("history_user").order_by("-history_date",
                                                                       "-history_id")[:limit])
    out = []
    for index, row in enumerate(rows):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        changed = ([_field_name(c.field) for c in row.diff_against(previous).changes]
                   if previous is not None else [])
        out.append({"row": row, "changed": changed,
                    "status": CaseStatus(row.status).label})
    return out
