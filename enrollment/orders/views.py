"""Pages of roster orders (增减员).

Portal: the client's orders and each line's status, a new order by form or Excel upload
(client administrators), papers for lines waiting for them. Staff: the work queue by the
48-hour deadline, orders, a line with its history and the workflow's transitions, and the
intake of an e-mailed order. Thin: forms parse, services decide, selectors read."""

import datetime
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agency.access import portal_required, staff_required
from agency.errors import DomainError, ValidationFailed
from agency.files import download_response
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.roles import REVEAL_ROLES, Role
from clients.selectors import client_get, client_of_viewer
from clients.services import MAX_PERSONS_PER_REP
from enrollment.models import (
    ImportState,
    LineAction,
    LineStatus,
    OrderImport,
    RosterLine,
    RosterOrder,
    TaskStatus,
)
from enrollment.orders.api import template_response
from enrollment.orders.bulk_forms import BulkTransitionForm
from enrollment.orders.forms import (
    EmailIntakeForm,
    ExcelUploadForm,
    OrderRowFormSet,
    PaperForm,
    QueueFilterForm,
    TransitionForm,
    city_choices,
)
from enrollment.orders.import_jobs import import_in_background, order_import_start
from enrollment.orders.selectors import ORDER_PROCESSORS as STAFF_PROCESSORS
from enrollment.orders.selectors import (
    line_conflicts,
    line_counts,
    line_get,
    line_history,
    line_list,
    order_get,
    order_import_progress,
    order_list_with_counts,
    order_status,
    rep_load,
    work_queue_filtered,
)
from enrollment.orders.services import (
    order_email_intake,
    order_file_download,
    order_import_xlsx,
    order_submit,
    upload_bytes,
)
from enrollment.orders.workflow import (
    BulkTransitionFailed,
    line_bulk_transition,
    line_transition,
)
from enrollment.persons.paper_services import paper_upload
from enrollment.persons.selectors import papers_missing, required_paper_kinds

PAGE_SIZE = 50
BADGE = {
    LineStatus.SUCCEEDED: "ok", LineStatus.PARTIALLY_SUCCEEDED: "warn",
    LineStatus.PAPERS_MISSING: "warn", LineStatus.RETURNED: "warn", LineStatus.FAILED: "bad",
}


def _order_status_label(status: str) -> str:
    return {"received": _("Received"), "processing": _("Processing"),
            "completed": _("Completed"), "rejected": _("Rejected")}[status]


def _order_rows(orders: Any) -> list[dict[str, Any]]:
    return [{"order": o, "status": _order_status_label(order_status(o)),
             "counts": line_counts(o)} for o in orders]


def _line_rows(lines: Any) -> list[dict[str, Any]]:
    """Lines with their badge and the papers still missing (lines waiting for papers)."""
    lines = list(lines)
    waiting = [ln.person for ln in lines if ln.status == LineStatus.PAPERS_MISSING]
    missing = papers_missing(waiting) if waiting else {}
    return [{"line": ln, "badge": BADGE.get(ln.status, ""),
             "missing": missing.get(ln.person_id, [])} for ln in lines]


def _time_left(handle_by: datetime.datetime, now: datetime.datetime) -> tuple[bool, str]:
    seconds = int((handle_by - now).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    values = {"hours": hours, "minutes": minutes}
    if seconds < 0:
        return True, _("overdue by %(hours)d h %(minutes)d min") % values
    return False, _("%(hours)d h %(minutes)d min left") % values


def _error_messages(error: DomainError) -> list[str]:
    """Every problem of a validation (each names its row and field); else the message."""
    if isinstance(error, ValidationFailed) and error.details:
        return [d.message for d in error.details]
    return [str(error.message)]


# --- portal ---------------------------------------------------------------------------


def _order_list(request: ViewerRequest, face: str, *submitters: str) -> HttpResponse:
    """Orders, newest first, with their status and line counts by status."""
    viewer = request.viewer
    page = Paginator(order_list_with_counts(viewer=viewer), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "enrollment/order/list.html", {
        "face": face, "page": page, "rows": _order_rows(page.object_list),
        "can_submit": viewer.has_role(*submitters),
    })


@portal_required()
@require_GET
def portal_order_list(request: ViewerRequest) -> HttpResponse:
    return _order_list(request, "portal", Role.CLIENT_ADMIN)


@portal_required()
@require_GET
def portal_order_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    viewer = request.viewer
    order = order_get(viewer=viewer, pk=pk)
    return render(request, "enrollment/order/detail.html", {
        "face": "portal", "order": order, "status": _order_status_label(order_status(order)),
        "rows": _line_rows(order.lines.all()),
        "can_upload": viewer.has_role(Role.CLIENT_ADMIN),
    })


@portal_required(Role.CLIENT_ADMIN)
@require_POST
def portal_line_paper_upload(request: ViewerRequest, pk: int, line_pk: int) -> HttpResponse:
    line = line_get(viewer=request.viewer, pk=line_pk)
    if line.order_id != pk:
        raise Http404
    form = PaperForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["kind"] not in required_paper_kinds(line.person):
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            paper_upload(person=line.person, client=line.order.client,
                         kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                         actor=request.user)
        except DomainError as error:
            for message in _error_messages(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The paper was uploaded."))
    return redirect(reverse("portal-orders-detail", args=[pk]) + f"#line-{line.line_no}")


@portal_required(Role.CLIENT_ADMIN)
@require_http_methods(["GET", "POST"])
def portal_order_create(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    cities = city_choices()
    page_errors: list[str] = []
    if request.method != "POST":
        formset = OrderRowFormSet(form_kwargs={"cities": cities})
        return render(request, "enrollment/order/form.html",
                      {"formset": formset, "page_errors": page_errors})
    data = request.POST.copy()
    adding_row = "add_row" in data
    if adding_row:
        total = data.get("form-TOTAL_FORMS", "0")
        data["form-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    formset = OrderRowFormSet(data, form_kwargs={"cities": cities})
    if adding_row or not formset.is_valid():
        if not adding_row:
            page_errors += [str(e) for e in formset.non_form_errors()]
        return render(request, "enrollment/order/form.html",
                      {"formset": formset, "page_errors": page_errors},
                      status=200 if adding_row else 400)
    lines, rows = [], []
    for index, form in enumerate(formset.forms):
        line = form.line()
        if line is not None:
            lines.append(line)
            rows.append(index)
    try:
        client = client_of_viewer(viewer=viewer)
        order = order_submit(client=client, lines=lines, channel=RosterOrder.Channel.PORTAL,
                             actor=request.user)
    except DomainError as error:
        for detail in error.details or []:
            if detail.line is not None and 1 <= detail.line <= len(rows):
                form = formset.forms[rows[detail.line - 1]]
                field = detail.field if detail.field in form.fields else None
                form.add_error(field, detail.message)
            else:
                page_errors.append(detail.message)
        if not error.details:
            page_errors.append(str(error.message))
        return render(request, "enrollment/order/form.html",
                      {"formset": formset, "page_errors": page_errors}, status=400)
    messages.success(request, _("The order was submitted."))
    return redirect("portal-orders-detail", pk=order.pk)


@portal_required(Role.CLIENT_ADMIN)
@require_http_methods(["GET", "POST"])
def portal_order_upload(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    form = ExcelUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST":
        try:
            upload = request.FILES.get("file")
            data = upload_bytes(upload)
            client = client_of_viewer(viewer=viewer)
            filename = (upload.name if upload else "") or ""
            background, rows = import_in_background(data)
            if background:  # a large roster: the progress page follows its import
                order = order_import_start(
                    client=client, data=data, filename=filename,
                    channel=RosterOrder.Channel.EXCEL, actor=request.user, rows=rows)
                return redirect("portal-orders-import", pk=order.pk)
            order = order_import_xlsx(
                client=client, data=data, filename=filename,
                channel=RosterOrder.Channel.EXCEL, actor=request.user,
            )
        except DomainError as error:
            errors = _error_messages(error)
        else:
            messages.success(request, _("The order was imported."))
            return redirect("portal-orders-detail", pk=order.pk)
    return render(request, "enrollment/order/upload.html", {"form": form, "errors": errors},
                  status=400 if errors else 200)


def _import_context(order: RosterOrder, job: OrderImport) -> dict[str, Any]:
    errors = []
    if job.state == ImportState.REJECTED and job.error:
        errors = [d["message"] for d in job.error.get("details", [])] or [job.error["message"]]
    return {"order": order, "job": job, "errors": errors,
            "percent": min(100, job.rows_read * 100 // job.rows_total) if job.rows_total else 0}


@portal_required()
@require_GET
def portal_order_import(request: ViewerRequest, pk: int) -> HttpResponse:
    """The progress page of a large roster imported in the background: the status partial
    in it polls itself every second until the import ends. An order that came in at once
    has nothing to follow: its page."""
    order, job = order_import_progress(viewer=request.viewer, pk=pk)
    if job is None:
        return redirect("portal-orders-detail", pk=order.pk)
    return render(request, "enrollment/order/import_progress.html", _import_context(order, job))


@portal_required()
@require_GET
def portal_order_import_status(request: ViewerRequest, pk: int) -> HttpResponse:
    """The progress page's status (htmx): rows read so far of the total, then a link to
    the order, or the problems of the rows as an upload shows them."""
    order, job = order_import_progress(viewer=request.viewer, pk=pk)
    if job is None:  # came in at once: done
        job = OrderImport(order=order, state=ImportState.RECEIVED,
                          rows_read=order.lines.count())
    return render(request, "enrollment/order/_import_status.html", _import_context(order, job))


@portal_required()
@require_GET
def portal_order_template(request: ViewerRequest) -> HttpResponse:
    return template_response()


# --- staff ----------------------------------------------------------------------------


def _queue(request: ViewerRequest, *, bulk_form: BulkTransitionForm | None = None,
           errors: list[str] | None = None, failures: dict[int, list[str]] | None = None,
           done: str = "", partial: bool = False, status: int = 200) -> HttpResponse:
    """The work queue (filters from the query string), or only its panel (`partial`: what
    htmx swaps in after a bulk move). A fixed number of queries whatever the rows."""
    viewer = request.viewer
    form = QueueFilterForm(request.GET or None, viewer=viewer)
    data = form.cleaned_data if form.is_valid() else {}
    lines = work_queue_filtered(
        viewer=viewer, client_id=data.get("client"), city_code=data.get("city") or "",
        status=data.get("status") or "", action=data.get("action") or "",
    )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    page_lines = list(page.object_list)
    missing = papers_missing([ln.person for ln in page_lines])
    failures = failures or {}
    bulk_form = bulk_form or BulkTransitionForm()
    selected = set(bulk_form.cleaned_data.get("line", [])) if (
        bulk_form.is_bound and bulk_form.is_valid() and (errors or failures)) else set()
    rows = []
    for line in page_lines:
        overdue, left = _time_left(line.handle_by, now)
        rows.append({"line": line, "overdue": overdue, "left": left,
                     "badge": BADGE.get(line.status, ""),
                     "missing": missing[line.person_id] if line.action == LineAction.ADD else [],
                     "selected": line.pk in selected, "failures": failures.get(line.pk, [])})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "full_query": request.GET.urlencode(), "bulk_form": bulk_form,
        "can_process": viewer.has_role(*STAFF_PROCESSORS),
        "bulk_errors": errors or [], "bulk_done": done,
    }
    template = "enrollment/order/_queue.html" if partial else "enrollment/order/queue.html"
    return render(request, template, context, status=status)


@staff_required()
@require_GET
def staff_work_queue(request: ViewerRequest) -> HttpResponse:
    return _queue(request)


@staff_required(*STAFF_PROCESSORS)
@require_POST
def staff_work_queue_bulk(request: ViewerRequest) -> HttpResponse:
    """Move the ticked lines of the queue at once, all or nothing (`line_bulk_transition`).
    With htmx the queue's panel comes back in place (200, the outcome or why nothing moved,
    naming each line that could not); without it a redirect to the queue, or the page with
    the errors (400). The filters ride in the query string."""
    form = BulkTransitionForm(request.POST)
    errors: list[str] = []
    failures: dict[int, list[str]] = {}
    done = ""
    if not form.is_valid():
        errors = [str(e) for field in form for e in field.errors]
    else:
        data = form.cleaned_data
        ids = data["line"]
        lines = list(line_list(viewer=request.viewer).filter(pk__in=ids))
        if len(lines) != len(ids):
            raise Http404
        try:
            moved = line_bulk_transition(lines=lines, to=data["to"], reason=data["reason"],
                                         actor=request.user)
        except BulkTransitionFailed as error:
            errors = [str(error.message), *(d.message for d in error.details)]
            failures = error.failures
        except DomainError as error:
            errors = _error_messages(error)
        else:
            done = _("Lines moved to “%(status)s”: %(count)d.") % {
                "count": len(moved), "status": TaskStatus(data["to"]).label}
    if request.headers.get("HX-Request"):
        return _queue(request, bulk_form=form, errors=errors, failures=failures, done=done,
                      partial=True)
    if errors:
        return _queue(request, bulk_form=form, errors=errors, failures=failures, status=400)
    messages.success(request, done)
    query = request.GET.urlencode()
    return redirect(reverse("staff-orders-queue") + (f"?{query}" if query else ""))


@staff_required()
@require_GET
def staff_order_list(request: ViewerRequest) -> HttpResponse:
    return _order_list(request, "staff", *STAFF_PROCESSORS)


@staff_required()
@require_GET
def staff_order_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    order = order_get(viewer=request.viewer, pk=pk)
    rows = _line_rows(order.lines.all())
    conflicts = line_conflicts(order)
    for row in rows:
        row["conflicts"] = conflicts.get(row["line"].pk, [])
    return render(request, "enrollment/order/detail.html", {
        "face": "staff", "order": order, "status": _order_status_label(order_status(order)),
        "rows": rows, "can_upload": False,
        "rep_load": rep_load(client=order.client), "rep_cap": MAX_PERSONS_PER_REP,
        "can_download_files": request.viewer.has_role(*REVEAL_ROLES),
    })


@staff_required()
@require_GET
def staff_order_file(request: ViewerRequest, pk: int, field: str) -> HttpResponse:
    """The order's workbook, sealed scan or e-mail, as an attachment, after the audit row."""
    order = order_get(viewer=request.viewer, pk=pk)
    try:
        stored = order_file_download(order=order, field=field, actor=request.user,
                                     request=request)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(str(error.message)) from error
        raise
    name = f"order-{order.pk}-{field}{PurePosixPath(stored.name or '').suffix}"
    return download_response(stored, filename=name, content_type="application/octet-stream")


FINISHED_LINE_STATUSES = (LineStatus.SUCCEEDED, LineStatus.CANCELLED)


def _line_page(request: ViewerRequest, line: RosterLine, form: TransitionForm | None = None,
               status: int = 200, *, partial: bool = False, errors: list[str] | None = None,
               done: str = "") -> HttpResponse:
    """A line's page, or only its panel (`partial`: what htmx swaps in after a move)."""
    now = timezone.now()
    overdue, left = _time_left(line.handle_by, now)
    template = "enrollment/order/_line_panel.html" if partial else "enrollment/order/line.html"
    return render(request, template, {
        "line": line, "row": _line_rows([line])[0], "overdue": overdue, "left": left,
        "missing": papers_missing([line.person])[line.person_id],
        "history": line_history(line), "form": form or TransitionForm(),
        # a succeeded or cancelled line has no move left and no deadline running
        "finished": line.status in FINISHED_LINE_STATUSES,
        "can_process": (request.viewer.has_role(*STAFF_PROCESSORS)
                        and line.status not in FINISHED_LINE_STATUSES),
        "line_errors": errors or [], "line_done": done,
    }, status=status)


@staff_required()
@require_GET
def staff_line_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _line_page(request, line_get(viewer=request.viewer, pk=pk))


@staff_required(*STAFF_PROCESSORS)
@require_POST
def staff_line_transition(request: ViewerRequest, pk: int) -> HttpResponse:
    """Move a line; with htmx its panel (status, tasks, the form, history) comes back in
    place, with the outcome or the error (200); without it a redirect to the line."""
    viewer = request.viewer
    line = line_get(viewer=viewer, pk=pk)
    htmx = bool(request.headers.get("HX-Request"))
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _line_page(request, line, form, status=200 if htmx else 400, partial=htmx)
    errors: list[str] = []
    try:
        line_transition(line=line, to=form.cleaned_data["to"],
                        scheme=form.cleaned_data["scheme"], reason=form.cleaned_data["reason"],
                        actor=request.user)
    except DomainError as error:
        errors = _error_messages(error)
    if htmx:
        return _line_page(request, line_get(viewer=viewer, pk=pk),
                          form if errors else None, partial=True, errors=errors,
                          done="" if errors else _("The line was updated."))
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(request, _("The line was updated."))
    return redirect("staff-orders-line", pk=line.pk)


@staff_required(*STAFF_PROCESSORS)
@require_http_methods(["GET", "POST"])
def staff_order_email(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    form = EmailIntakeForm(request.POST or None, request.FILES or None, viewer=viewer)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received_at = data["received_at"]
        try:
            order = order_email_intake(
                client=client_get(viewer=viewer, pk=data["client"]),
                workbook=data["workbook"], sealed_scan=data["sealed_scan"],
                correspondence=data["correspondence"], actor=request.user,
                received_at=received_at, note=data["note"],
            )
        except ValidationFailed as error:
            for detail in error.details:
                if detail.field in form.fields and detail.line is None:
                    form.add_error(detail.field, detail.message)
                else:
                    errors.append(detail.message)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The e-mailed order was entered."))
            return redirect("staff-orders-detail", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "enrollment/order/email.html", {"form": form, "errors": errors},
                  status=status)
