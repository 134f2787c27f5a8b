"""Staff pages of the people side: the revisit schedule, a client's revisits and the form
to record one (STD-7.4); training sessions (STD-3.5.1); the month's assessments
(STD-3.5.2). Thin: parse with a form, call a selector or service, render.

Who: every staff role except archivist and finance reads the revisit schedule (a
representative only their own clients) and records revisits; managers and admins record
training and assessments and see the assessments."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.access import staff_required
from agency.deadlines import add_months, month_start
from agency.errors import DomainError
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.models import User
from agency.roles import Role
from compliance.people import (
    MANAGING_ROLES,
    REVISIT_RECORD_ROLES,
    REVISIT_SCHEDULE_ROLES,
    REVISIT_SOON_DAYS,
    assessment_record,
    assessment_sheet,
    revisit_client_get,
    revisit_history,
    revisit_record,
    revisit_schedule,
    training_gaps,
    training_list,
    training_record,
)
from compliance.people_forms import (
    AssessmentForm,
    AssessmentMonthForm,
    RevisitFilterForm,
    RevisitForm,
    TrainingFilterForm,
    TrainingForm,
)

PAGE_SIZE = 50
GAP_WINDOW_DAYS = 180


def _page_query(request: ViewerRequest) -> str:
    """The query string without `page`, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- revisits -----------------------------------------------------------------------------


@staff_required(*REVISIT_SCHEDULE_ROLES)
def staff_revisit_list(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    is_rep = viewer.has_role(Role.SERVICE_REP)
    reps = [] if is_rep else list(User.objects.filter(role=Role.SERVICE_REP, is_active=True)
                                  .order_by("display_name", "username"))
    form = RevisitFilterForm(request.GET or None, reps=reps)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    rows = revisit_schedule(viewer=viewer, today=today, search=filters.get("q") or "",
                            tier=filters.get("tier") or "", rep_id=filters.get("rep"),
                            overdue_only=bool(filters.get("overdue")))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/people/revisit_list.html", {
        "form": form, "page": page, "today": today, "show_rep_filter": not is_rep,
        "soon": today + datetime.timedelta(days=REVISIT_SOON_DAYS),
        "overdue_count": sum(1 for r in rows if r.overdue),
        "query": _page_query(request),
    })


@staff_required(*REVISIT_SCHEDULE_ROLES)
def staff_revisit_client(request: ViewerRequest, pk: int) -> HttpResponse:
    client = revisit_client_get(viewer=request.viewer, pk=pk)
    today = timezone.localdate()
    due = revisit_schedule(viewer=request.viewer, today=today, client_id=client.pk)
    page = Paginator(revisit_history(client=client), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "compliance/people/revisit_client.html", {
        "client": client, "due": due[0] if due else None, "page": page, "today": today,
        "can_record": request.viewer.has_role(*REVISIT_RECORD_ROLES),
    })


@staff_required(*REVISIT_RECORD_ROLES)
def staff_revisit_create(request: ViewerRequest) -> HttpResponse:
    raw = request.GET.get("client", "")
    if not raw.isdigit():
        raise Http404
    client = revisit_client_get(viewer=request.viewer, pk=int(raw))
    form = RevisitForm(request.POST or None,
                       initial={"visited_on": timezone.localdate(),
                                "visited_by": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            revisit_record(client=client, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The revisit is recorded."))
            return redirect("staff-revisits-client", pk=client.pk)
    return render(request, "compliance/people/revisit_form.html",
                  {"form": form, "client": client})


# --- training -----------------------------------------------------------------------------


@staff_required()
def staff_training_list(request: ViewerRequest) -> HttpResponse:
    form = TrainingFilterForm(request.GET or None)
    topic = form.cleaned_data.get("topic") if form.is_bound and form.is_valid() else ""
    sessions = training_list()
    if topic:
        sessions = sessions.filter(topic=topic)
    today = timezone.localdate()
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/people/training_list.html", {
        "form": form, "page": page, "query": _page_query(request),
        "gaps": [(first, last, (last - first).days + 1) for first, last in training_gaps(
            since=today - datetime.timedelta(days=GAP_WINDOW_DAYS), today=today)],
        "gap_window": GAP_WINDOW_DAYS,
        "can_record": request.viewer.has_role(*MANAGING_ROLES),
    })


@staff_required(*MANAGING_ROLES)
def staff_training_create(request: ViewerRequest) -> HttpResponse:
    form = TrainingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training_record(held_on=data["held_on"], topic=data["topic"],
                            title=data["title"], trainer=data["trainer"],
                            attendees=list(data["attendees"]), actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The training session is recorded."))
            return redirect("staff-trainings-list")
    return render(request, "compliance/people/training_form.html", {"form": form})


# --- assessments --------------------------------------------------------------------------


def _previous_month() -> datetime.date:
    return add_months(month_start(timezone.localdate()), -1)


@staff_required(*MANAGING_ROLES)
def staff_assessment_list(request: ViewerRequest) -> HttpResponse:
    form = AssessmentMonthForm(request.GET or None)
    month = (form.cleaned_data.get("month") if form.is_bound and form.is_valid()
             else None) or _previous_month()
    rows = assessment_sheet(month=month)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/people/assessment_list.html", {
        "form": form, "month": month, "page": page, "query": _page_query(request),
        "missing_count": sum(1 for _user, a in rows if a is None),
        "record_form": AssessmentForm(initial={"month": month}),
    })


@staff_required(*MANAGING_ROLES)
def staff_assessment_create(request: ViewerRequest) -> HttpResponse:
    initial = {"month": request.GET.get("month") or _previous_month(),
               "staff": request.GET.get("staff")}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = assessment_record(
                staff=data["staff"], month=data["month"], score=data["score"],
                outcome=data["outcome"], note=data["note"], actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect(f"{reverse('staff-assessments-list')}"
                            f"?month={assessment.month:%Y-%m}")
    return render(request, "compliance/people/assessment_form.html", {"form": form})
