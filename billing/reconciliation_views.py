"""Staff pages of bureau reconciliation (稽核): upload the bureau's monthly charge detail,
the runs, a run's differences by kind, and the decisions on them. Thin: forms parse,
`billing.reconciliation_services` decides, `billing.reconciliation_selectors` reads.

Roles: admin, manager and finance upload, accept and mark the bureau's errors; a service
representative reads (and downloads the report); an archivist, like any role outside
billing, gets 404."""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from agency.access import staff_required
from agency.errors import DomainError
from agency.files import download_response
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.xlsx import MAX_FILE_BYTES
from billing import reconciliation_selectors as selectors
from billing import reconciliation_services as services
from billing.bureau_files import reconciliation_xlsx
from billing.models import Difference, DifferenceKind, DifferenceStatus, ReconciliationRun
from billing.reconciliation_forms import (
    BureauErrorForm,
    DifferenceFilterForm,
    KindForm,
    UploadForm,
)
from billing.selectors import calendar_gaps
from billing.views import BILLING_STAFF, BILLING_WRITERS
from policies.models import PolicyItem

PAGE_SIZE = 50
PER_KIND = 50  # rows of each kind on the run's page before "show all"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_BADGE = {DifferenceStatus.OPEN: "warn", DifferenceStatus.ACCEPTED: "ok",
                DifferenceStatus.BUREAU_ERROR: ""}
FIELD_LABELS = {"id_number": gettext_lazy("ID number"), "name": gettext_lazy("name"),
                "file": gettext_lazy("file"), "item": gettext_lazy("item")}
COLUMN_LABELS = {"base": gettext_lazy("base"), "employer": gettext_lazy("employer amount"),
                 "employee": gettext_lazy("employee amount"), "total": gettext_lazy("amount"),
                 "employer_rate": gettext_lazy("employer rate"),
                 "employee_rate": gettext_lazy("employee rate"), "rate": gettext_lazy("rate")}


def item_label(item: str) -> str:
    """An item as the pages name it: the policy's label (养老保险), the bureau's own name
    for an item we do not bill, "all items" for a person's whole charge."""
    if not item:
        return _("All items")
    return str(dict(PolicyItem.Kind.choices).get(item, item))


def _field_label(field: str | None) -> str:
    """A row error's field ("pension.employer") as the page names it."""
    if not field:
        return ""
    kind, _dot, column = field.rpartition(".")
    if not kind:
        return str(FIELD_LABELS.get(field, COLUMN_LABELS.get(field, field)))
    return f"{item_label(kind)} · {COLUMN_LABELS.get(column, column)}"


def _page(request: ViewerRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _render(request: ViewerRequest, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    context = {
        "calendar_gaps": calendar_gaps(today=timezone.localdate()),
        "can_write": request.viewer.has_role(*BILLING_WRITERS),
        "section": "reconciliation",
        **context,
    }
    return render(request, template, context, status=status)


# --- runs -----------------------------------------------------------------------------------

def _list_page(request: ViewerRequest, *, form: UploadForm | None = None,
               upload_errors: list[dict[str, Any]] | None = None,
               status: int = 200) -> HttpResponse:
    page = _page(request, selectors.reconciliation_run_list(viewer=request.viewer))
    return _render(request, "billing/reconciliation/run_list.html", {
        "page": page, "form": form or UploadForm(initial={
            "scheme": ReconciliationRun.Scheme.SOCIAL_INSURANCE}),
        "upload_errors": upload_errors or [],
    }, status=status)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_run_list(request: ViewerRequest) -> HttpResponse:
    """The runs, newest first, with the upload form for those who act."""
    return _list_page(request)


def _row_errors(error: DomainError) -> list[dict[str, Any]]:
    rows = [{"line": d.line, "field": _field_label(d.field), "message": str(d.message)}
            for d in error.details if d.line is not None]
    return rows


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_run_upload(request: ViewerRequest) -> HttpResponse:
    """Read the file, compare, and show the run; a file refused (unreadable, a bad row)
    comes back with its problems, row by row, and nothing saved."""
    form = UploadForm(request.POST, request.FILES)
    errors: list[dict[str, Any]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.reconciliation_run(
                city=form.cleaned_data["city"], month=form.cleaned_data["month"],
                scheme=form.cleaned_data["scheme"], data=upload.read(MAX_FILE_BYTES + 1),
                file_name=upload.name or "", actor=request.user)
        except DomainError as error:
            errors = _row_errors(error)
            if not errors:
                add_domain_errors(form, error)
        else:
            messages.success(request, _(
                "The bureau's file was compared: %(rows)d rows, %(matched)d persons matched, "
                "%(found)d differences.") % {"rows": run.rows, "matched": run.persons_matched,
                                              "found": run.differences_found})
            return redirect("staff-billing-reconciliation-detail", pk=run.pk)
    return _list_page(request, form=form, upload_errors=errors, status=400)


def _filters(request: ViewerRequest) -> tuple[str, str]:
    form = DifferenceFilterForm(request.GET)
    form.is_valid()
    return form.cleaned_data.get("status") or "", form.cleaned_data.get("kind") or ""


def _rows(differences: Iterable[Difference]) -> list[dict[str, Any]]:
    return [{"d": d, "item": item_label(d.item),
             "badge": STATUS_BADGE[DifferenceStatus(d.status)],
             "open": d.status == DifferenceStatus.OPEN} for d in differences]


def _query(status: str, kind: str = "") -> str:
    return urlencode({k: v for k, v in (("status", status), ("kind", kind)) if v})


@staff_required(*BILLING_STAFF)
@require_GET
def staff_run_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    """The run and its differences grouped by kind (the first rows of each, or every row
    of one kind a page at a time), filtered by status."""
    viewer = request.viewer
    run = selectors.reconciliation_run_get(viewer=viewer, pk=pk)
    status, kind = _filters(request)
    summary = selectors.difference_summary(viewer=viewer, run=run, status=status)
    groups, page = [], None
    if kind:
        page = _page(request, selectors.difference_list(viewer=viewer, run=run, kind=kind,
                                                        status=status))
        groups = [{"summary": s, "rows": _rows(page.object_list), "more": False}
                  for s in summary if s.kind == kind]
    else:
        for s in summary:
            first = list(selectors.difference_list(viewer=viewer, run=run, kind=s.kind,
                                                   status=status)[:PER_KIND])
            groups.append({"summary": s, "rows": _rows(first), "more": s.count > PER_KIND})
    return _render(request, "billing/reconciliation/run_detail.html", {
        "run": run, "summary": summary, "groups": groups, "page": page,
        "status": status, "kind": kind, "statuses": DifferenceStatus.choices,
        "query": _query(status, kind), "status_query": _query(status),
        "note_form": BureauErrorForm(),
    })


def _back(request: ViewerRequest, run_id: int) -> HttpResponse:
    """Back to the run's page with the filters it was shown with."""
    status, kind = (request.POST.get("status", ""), request.POST.get("kind_filter", ""))
    status = status if status in DifferenceStatus.values else ""
    kind = kind if kind in DifferenceKind.values else ""
    query = _query(status, kind)
    url = reverse("staff-billing-reconciliation-detail", args=[run_id])
    return redirect(f"{url}?{query}" if query else url)


def _messages_of(error: DomainError) -> list[str]:
    return [str(d.message) for d in error.details] or [str(error.message)]


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_difference_accept(request: ViewerRequest, pk: int) -> HttpResponse:
    difference = selectors.difference_get(viewer=request.viewer, pk=pk)
    try:
        services.difference_accept(difference=difference, actor=request.user)
    except DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Accepted: %(name)s, %(delta)s goes on the client's next "
                                    "bill as a top-up (补差).")
                         % {"name": difference.name, "delta": f"{difference.delta:.2f}"})
    return _back(request, difference.run_id)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_difference_bureau_error(request: ViewerRequest, pk: int) -> HttpResponse:
    difference = selectors.difference_get(viewer=request.viewer, pk=pk)
    form = BureauErrorForm(request.POST)
    form.is_valid()
    try:
        services.difference_mark_bureau_error(
            difference=difference, note=form.cleaned_data.get("note") or "",
            actor=request.user)
    except DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Marked as the bureau's error: %(name)s.")
                         % {"name": difference.name})
    return _back(request, difference.run_id)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_run_accept_kind(request: ViewerRequest, pk: int) -> HttpResponse:
    run = selectors.reconciliation_run_get(viewer=request.viewer, pk=pk)
    form = KindForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of differences to accept."))
        return _back(request, run.pk)
    result = services.differences_accept_kind(run=run, kind=form.cleaned_data["kind"],
                                              actor=request.user)
    messages.success(request, _("Accepted: %(accepted)d differences.")
                     % {"accepted": result.accepted})
    if result.skipped:
        messages.warning(request, _(
            "%(skipped)d left open: without a client, or the same person's item of the month "
            "is accepted already.") % {"skipped": result.skipped})
    return _back(request, run.pk)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_run_xlsx(request: ViewerRequest, pk: int) -> HttpResponse:
    """The run's report as a workbook; the download is audited (it names persons)."""
    run = selectors.reconciliation_run_get(viewer=request.viewer, pk=pk)
    filename = f"稽核-{run.city.code}-{run.month:%Y-%m}-{run.pk}.xlsx"
    data = reconciliation_xlsx(run)
    services.reconciliation_report_download(run=run, filename=filename, actor=request.user,
                                            request=request)
    return download_response(data, filename=filename, content_type=XLSX)
