"""Staff pages of the archive: search, the month's filing batch, loans. Thin: parse with a
form, call a selector or service, render."""

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import portal_required, staff_required
from agency.directory import client_names
from agency.errors import DomainError
from agency.files import stored_file_response
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.roles import Role
from archive.forms import AppraisalForm, DestructionForm, ItemSearchForm, LoanForm
from archive.models import ArchiveItem, FilingBatch, Loan
from archive.selectors import (
    batch_items,
    batch_list,
    due_today,
    item_get,
    item_list,
    loan_list,
    overdue_unfiled,
    portal_item_get,
    portal_item_list,
)
from archive.services import (
    DESTRUCTION_ROLES,
    PAPER_FILE_ROLES,  # noqa: F401 (re-exported: the rule tests read it here)
    appraisal_record,
    archive_item_download,
    batch_close,
    destruction_approve_and_execute,
    filing_check,
    loan_create,
    loan_return,
)

ARCHIVE_ROLES = (Role.ARCHIVIST, Role.MANAGER, Role.ADMIN)
PAGE_SIZE = 50


def _with_client_names(items: Iterable[ArchiveItem]) -> list[tuple[ArchiveItem, str]]:
    items = list(items)
    names = client_names(item.client_id for item in items)
    return [(item, names.get(item.client_id or 0, "")) for item in items]


@staff_required(*ARCHIVE_ROLES)
def staff_archive_list(request: ViewerRequest) -> HttpResponse:
    form = ItemSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = item_list(viewer=request.viewer, client_id=filters.get("client_id"),
                      kind=filters.get("kind") or None, month=filters.get("month"))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "archive/item_list.html", {
        "form": form, "page": page,
        "rows": _with_client_names(page),
        "overdue_count": overdue_unfiled(today=today).count(),
        "due_today_count": due_today(today=today).count(),
    })


@staff_required(*ARCHIVE_ROLES)
def staff_archive_batch_list(request: ViewerRequest) -> HttpResponse:
    return render(request, "archive/batch_list.html", {"batches": batch_list()})


@staff_required(*ARCHIVE_ROLES)
def staff_archive_batch_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(FilingBatch, pk=pk)
    return render(request, "archive/batch_detail.html", {
        "batch": batch, "items": batch_items(batch=batch),
    })


@require_POST
@staff_required(*ARCHIVE_ROLES)
def staff_archive_item_check(request: ViewerRequest, pk: int) -> HttpResponse:
    item = item_get(viewer=request.viewer, pk=pk)
    try:
        filing_check(item=item, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    batch = get_object_or_404(FilingBatch, month=item.month)
    return redirect("staff-archive-batches-detail", pk=batch.pk)


@require_POST
@staff_required(*ARCHIVE_ROLES)
def staff_archive_batch_close(request: ViewerRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(FilingBatch, pk=pk)
    try:
        batch_close(batch=batch, actor=request.user)
    except DomainError as error:
        messages.error(request, "; ".join([str(error.message),
                                           *(d.message for d in error.details)]))
    else:
        messages.success(request, _("The month is filed."))
    return redirect("staff-archive-batches-detail", pk=batch.pk)


@staff_required(*ARCHIVE_ROLES)
def staff_archive_loan_create(request: ViewerRequest, pk: int) -> HttpResponse:
    item = item_get(viewer=request.viewer, pk=pk)
    form = LoanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            loan_create(item=item, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The item is lent out."))
            return redirect("staff-archive-loans")
    return render(request, "archive/loan_form.html", {"form": form, "item": item})


@staff_required(*ARCHIVE_ROLES)
def staff_archive_loans(request: ViewerRequest) -> HttpResponse:
    return render(request, "archive/loan_list.html", {
        "loans": loan_list(open_only=True), "today": timezone.localdate(),
    })


@require_POST
@staff_required(*ARCHIVE_ROLES)
def staff_archive_loan_return(request: ViewerRequest, pk: int) -> HttpResponse:
    loan = get_object_or_404(Loan, pk=pk)
    try:
        loan_return(loan=loan, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The item is back in the archive."))
    return redirect("staff-archive-loans")


@staff_required(*ARCHIVE_ROLES)
@transaction.atomic
def staff_archive_item_file(request: ViewerRequest, pk: int) -> HttpResponse:
    """An item's file, with an audit row (action download) for each download.

    Files that hold ID numbers (order and client papers, what the enrollment app filed)
    follow the reveal rule (`REVEAL_ROLES`: admin, manager, service representative) in
    `archive_item_download`: an archivist gets 403 on those and keeps the download of the
    archive's other records (agreements, logged correspondence)."""
    item = item_get(viewer=request.viewer, pk=pk)
    try:
        file = archive_item_download(item=item, actor=request.user, request=request)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(str(error.message)) from error
        raise
    return stored_file_response(file)


@portal_required()
def portal_archive_list(request: ViewerRequest) -> HttpResponse:
    """The client's own contract and papers, read-only."""
    page = Paginator(portal_item_list(viewer=request.viewer), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "archive/portal_item_list.html", {"page": page})


@portal_required()
@transaction.atomic
def portal_archive_item_file(request: ViewerRequest, pk: int) -> HttpResponse:
    """The client's own contract or papers, with an audit row for each download."""
    item = portal_item_get(viewer=request.viewer, pk=pk)
    return stored_file_response(archive_item_download(item=item, actor=request.user,
                                                      request=request))


def _item_page(request: ViewerRequest, pk: int, *, appraisal: AppraisalForm,
               destruction: DestructionForm) -> HttpResponse:
    item = item_get(viewer=request.viewer, pk=pk)
    return render(request, "archive/item_detail.html", {
        "item": item, "loans": item.loans.order_by("-lent_on", "-pk"),
        "appraisals": item.appraisals.select_related("decided_by"),
        "destruction": getattr(item, "destruction", None),
        "appraisal_form": appraisal, "destruction_form": destruction,
        "can_destroy": request.viewer.has_role(*DESTRUCTION_ROLES),
    })


@staff_required(*ARCHIVE_ROLES)
def staff_archive_item_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _item_page(request, pk, appraisal=AppraisalForm(), destruction=DestructionForm())


@require_POST
@staff_required(*ARCHIVE_ROLES)
def staff_archive_item_appraise(request: ViewerRequest, pk: int) -> HttpResponse:
    item = item_get(viewer=request.viewer, pk=pk)
    form = AppraisalForm(request.POST)
    if form.is_valid():
        try:
            appraisal_record(item=item, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The appraisal is recorded."))
            return redirect("staff-archive-items-detail", pk=item.pk)
    return _item_page(request, pk, appraisal=form, destruction=DestructionForm())


@require_POST
@staff_required(*DESTRUCTION_ROLES)
def staff_archive_item_destroy(request: ViewerRequest, pk: int) -> HttpResponse:
    item = item_get(viewer=request.viewer, pk=pk)
    form = DestructionForm(request.POST)
    if form.is_valid():
        try:
            destruction_approve_and_execute(item=item, actor=request.user,
                                            reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The item is destroyed; its record is kept."))
            return redirect("staff-archive-items-detail", pk=item.pk)
    return _item_page(request, pk, appraisal=AppraisalForm(), destruction=form)
