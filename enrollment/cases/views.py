"""Pages of insurance cases (STD-4.1, 6.3).

Staff: the queue (open cases, the nearest deadline first, breached / due-soon badges,
filters by kind, status and client), a case's page (person with the masked ID number,
checklist with "done" buttons, paper uploads, thread with reply, waiting for the client,
change history, closing) and the form to open a case for a client's person. Portal: the
client's cases, a new case, a case's page (steps, papers to upload, messages, cancel).
Thin: a form parses, a service decides, a selector reads (another client's case answers
404)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.files import download_response
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.roles import Role
from clients.selectors import client_of_viewer
from enrollment.cases.forms import (
    CancelForm,
    CaseFilterForm,
    CaseForm,
    CloseForm,
    MessageForm,
    PaperForm,
    StaffCaseForm,
    StepDoneForm,
    WaitForm,
)
from enrollment.cases.selectors import (
    CASE_ROLES,
    case_clients,
    case_clock,
    case_get,
    case_history,
    case_list,
    case_paper_get,
    case_persons,
    case_queue,
    case_steps,
    statutory_state,
)
from enrollment.cases.services import (
    CaseChannel,
    case_close,
    case_message,
    case_open,
    case_paper_download,
    case_paper_upload,
    case_step_done,
    case_wait_for_client,
)
from enrollment.models import OPEN_CASE_STATUSES, Case, CaseStatus, InsuredPerson

PAGE_SIZE = 50


def _page(request: ViewerRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _error(request: ViewerRequest, error: DomainError) -> None:
    messages.error(request, "; ".join([str(error.message),
                                       *(str(d.message) for d in error.details)]))


def _rows(page: Any) -> list[tuple[Case, str, str]]:
    now = timezone.now()
    today = timezone.localdate(now)
    return [(case, case_clock(case, now), statutory_state(case, today)) for case in page]


def _case_page(request: ViewerRequest, case: Case, face: str, *, status: int = 200,
               **forms: Any) -> HttpResponse:
    """A case's page for either face; a refused form comes back with its errors."""
    is_open = case.status in OPEN_CASE_STATUSES
    can_write = face == "staff" or request.viewer.has_role(Role.CLIENT_ADMIN)
    has_papers = any(step.is_paper for step in case.steps.all())
    return render(request, "enrollment/case/detail.html", {
        "face": face, "case": case, "is_open": is_open,
        "clock": case_clock(case, timezone.now()),
        "statutory": statutory_state(case, timezone.localdate()),
        "steps": case_steps(case),
        "can_write": can_write and is_open,
        "step_form": StepDoneForm(),
        "paper_form": (forms.get("paper_form") or PaperForm(case_type=case.type))
        if has_papers and can_write and is_open else None,
        "message_form": forms.get("message_form") or MessageForm(),
        "wait_form": forms.get("wait_form") or WaitForm(),
        "close_form": forms.get("close_form") or (
            CloseForm() if face == "staff" else CancelForm()),
        "history": case_history(case) if face == "staff" else [],
        "back_months": list(case.back_months.all()),  # prefetched by case_get
    }, status=status)


def _paper_upload(request: ViewerRequest, pk: int, face: str) -> HttpResponse:
    case = case_get(viewer=request.viewer, pk=pk)
    form = PaperForm(request.POST, request.FILES, case_type=case.type)
    if form.is_valid():
        try:
            case_paper_upload(case=case, step_key=form.cleaned_data["step_key"],
                              upload=form.cleaned_data["file"], actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The paper is received."))
            return redirect(f"{face}-cases-detail", pk=case.pk)
    return _case_page(request, case_get(viewer=request.viewer, pk=pk), face, status=400,
                      paper_form=form)


def _paper_download(request: ViewerRequest, pk: int, paper_pk: int) -> HttpResponse:
    case = case_get(viewer=request.viewer, pk=pk)
    paper = case_paper_get(viewer=request.viewer, case=case, pk=paper_pk)
    case_paper_download(paper=paper, actor=request.user, request=request)
    name = paper.original_name or paper.file.name.rsplit("/", 1)[-1]
    content_type = {"pdf": "application/pdf", "png": "image/png"}.get(
        name.rsplit(".", 1)[-1].lower(), "image/jpeg")
    return download_response(paper.file, filename=name, content_type=content_type)


def _message(request: ViewerRequest, pk: int, face: str) -> HttpResponse:
    case = case_get(viewer=request.viewer, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            case_message(case=case, body=form.cleaned_data["body"], actor=request.user,
                         from_client=face == "portal")
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect(f"{face}-cases-detail", pk=case.pk)
    return _case_page(request, case, face, status=400, message_form=form)


def _create_page(request: ViewerRequest, face: str, form: Any, client: Any) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_open(
                client=client, person=data["person"], type=data["type"],
                description=data["description"], incident_date=data["incident_date"],
                period_from=data["period_from"], period_to=data["period_to"],
                channel=CaseChannel.STAFF if face == "staff" else CaseChannel.PORTAL,
                actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The case is opened. We handle it within 48 hours."))
            return redirect(f"{face}-cases-detail", pk=case.pk)
    return render(request, "enrollment/case/form.html", {
        "face": face, "form": form, "client": client},
        status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------------------------------
# staff


@staff_required(*CASE_ROLES)
@require_GET
def staff_case_list(request: ViewerRequest) -> HttpResponse:
    """The queue of open cases by deadline, or, by status, the rest."""
    viewer = request.viewer
    form = CaseFilterForm(request.GET or None, clients=case_clients(viewer=viewer))
    data = form.cleaned_data if form.is_valid() else {}
    kind, status, client_id = data.get("type") or None, data.get("status") or None, \
        data.get("client")
    cases = (case_list(viewer=viewer, status=status, type=kind, client_id=client_id)
             if status else case_queue(viewer=viewer, type=kind, client_id=client_id))
    page = _page(request, cases)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enrollment/case/list.html", {
        "face": "staff", "form": form, "page": page, "rows": _rows(page),
        "query": query.urlencode(), "queue": not status,
    })


@staff_required(*CASE_ROLES)
def staff_case_create(request: ViewerRequest) -> HttpResponse:
    """Choose the client (the page reloads with `?client=`), then one of its persons."""
    clients = case_clients(viewer=request.viewer)
    raw = request.POST.get("client") if request.method == "POST" else request.GET.get("client")
    client = clients.filter(pk=int(raw)).first() if raw and raw.isdigit() else None
    persons = (case_persons(client=client) if client is not None
               else InsuredPerson.objects.none())
    form = StaffCaseForm(request.POST or None, clients=clients, persons=persons,
                         initial={"client": client})
    return _create_page(request, "staff", form, client)


@staff_required(*CASE_ROLES)
@require_GET
def staff_case_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _case_page(request, case_get(viewer=request.viewer, pk=pk), "staff")


@staff_required(*CASE_ROLES)
@require_POST
def staff_case_step(request: ViewerRequest, pk: int, key: str) -> HttpResponse:
    case = case_get(viewer=request.viewer, pk=pk)
    form = StepDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        case_step_done(case=case, key=key, actor=request.user, note=note)
    except DomainError as error:
        _error(request, error)
    return redirect("staff-cases-detail", pk=case.pk)


@staff_required(*CASE_ROLES)
@require_POST
def staff_case_paper_upload(request: ViewerRequest, pk: int) -> HttpResponse:
    return _paper_upload(request, pk, "staff")


@staff_required(*CASE_ROLES)
@require_GET
def staff_case_paper(request: ViewerRequest, pk: int, paper_pk: int) -> HttpResponse:
    return _paper_download(request, pk, paper_pk)


@staff_required(*CASE_ROLES)
@require_POST
def staff_case_message(request: ViewerRequest, pk: int) -> HttpResponse:
    return _message(request, pk, "staff")


@staff_required(*CASE_ROLES)
@require_POST
def staff_case_wait(request: ViewerRequest, pk: int) -> HttpResponse:
    case = case_get(viewer=request.viewer, pk=pk)
    form = WaitForm(request.POST)
    if form.is_valid():
        try:
            case_wait_for_client(case=case, actor=request.user, note=form.cleaned_data["note"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("staff-cases-detail", pk=case.pk)
    return _case_page(request, case, "staff", status=400, wait_form=form)


@staff_required(*CASE_ROLES)
@require_POST
def staff_case_close(request: ViewerRequest, pk: int) -> HttpResponse:
    case = case_get(viewer=request.viewer, pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            case_close(case=case, outcome=form.cleaned_data["outcome"],
                       note=form.cleaned_data["note"], actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The case is closed."))
            return redirect("staff-cases-detail", pk=case.pk)
    return _case_page(request, case, "staff", status=400, close_form=form)


# ---------------------------------------------------------------------------------------
# portal


@portal_required()
@require_GET
def portal_case_list(request: ViewerRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = _page(request, case_list(viewer=request.viewer, status=data.get("status") or None,
                                    type=data.get("type") or None))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enrollment/case/list.html", {
        "face": "portal", "form": form, "page": page, "rows": _rows(page),
        "query": query.urlencode(), "queue": False,
        "can_open": request.viewer.has_role(Role.CLIENT_ADMIN),
    })


@portal_required(Role.CLIENT_ADMIN)
def portal_case_create(request: ViewerRequest) -> HttpResponse:
    client = client_of_viewer(viewer=request.viewer)
    form = CaseForm(request.POST or None, persons=case_persons(client=client))
    return _create_page(request, "portal", form, client)


@portal_required()
@require_GET
def portal_case_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _case_page(request, case_get(viewer=request.viewer, pk=pk), "portal")


@portal_required(Role.CLIENT_ADMIN)
@require_POST
def portal_case_paper_upload(request: ViewerRequest, pk: int) -> HttpResponse:
    return _paper_upload(request, pk, "portal")


@portal_required()
@require_GET
def portal_case_paper(request: ViewerRequest, pk: int, paper_pk: int) -> HttpResponse:
    return _paper_download(request, pk, paper_pk)


@portal_required()
@require_POST
def portal_case_message(request: ViewerRequest, pk: int) -> HttpResponse:
    return _message(request, pk, "portal")


@portal_required(Role.CLIENT_ADMIN)
@require_POST
def portal_case_cancel(request: ViewerRequest, pk: int) -> HttpResponse:
    case = case_get(viewer=request.viewer, pk=pk)
    form = CancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        case_close(case=case, outcome=CaseStatus.CANCELLED, note=note, actor=request.user)
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("The case is cancelled."))
    return redirect("portal-cases-detail", pk=case.pk)
