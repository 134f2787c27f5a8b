"""Pages of billing. Thin: forms parse, services decide, selectors read (and scope).

Staff: bills by month; generating a month's drafts (a Celery task and a page that polls its
progress); a bill with the actions its status allows, its lines, payments and invoices;
invoices due and issued, with the month's export for the tax platform and the upload of
the numbers it gave; the month's totals by city and by item. Portal: the client's issued
bills and invoices; a client administrator confirms or disputes a bill.

Roles: admin, manager and finance generate, issue, void, correct, record payments and
invoice; a service representative reads and answers disputes; an archivist has no billing
page (404, as for any page outside a role). On the portal every user reads; a client
viewer who posts a confirmation or a dispute gets 403."""

import datetime
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agency.access import portal_required, staff_required
from agency.deadlines import add_months, month_start
from agency.dispatch import BrokerUnavailable, task_send
from agency.errors import DomainError
from agency.files import download_response
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.models import AuditEvent
from agency.months import month_or_none, month_text
from agency.roles import Role
from agency.services import audit_record
from billing import selectors, services
from billing.forms import (
    AdjustmentForm,
    AnswerForm,
    BillFilterForm,
    DisputeForm,
    MonthForm,
    PaymentForm,
    ReasonForm,
    TaxNumbersForm,
)
from billing.models import Bill, BillStatus, Invoice, LineType, Payment
from billing.tasks import bill_generate_month_task
from policies.models import PolicyItem

PAGE_SIZE = 50
BILLING_STAFF = (Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.SERVICE_REP)
BILLING_WRITERS = (Role.ADMIN, Role.MANAGER, Role.FINANCE)
BADGE = {
    BillStatus.DRAFT: "", BillStatus.ISSUED: "warn", BillStatus.CONFIRMED: "ok",
    BillStatus.DISPUTED: "bad", BillStatus.PAID: "ok", BillStatus.VOID: "",
}
# the order of the items on the totals page (养老, 医疗, 生育, 失业, 工伤, 公积金); a city's
# extra item follows
ITEM_ORDER = [PolicyItem.Kind.PENSION, PolicyItem.Kind.MEDICAL, PolicyItem.Kind.MATERNITY,
              PolicyItem.Kind.UNEMPLOYMENT, PolicyItem.Kind.WORK_INJURY,
              PolicyItem.Kind.HOUSING_FUND]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- small helpers ----------------------------------------------------------------------


def _last_month(today: datetime.date) -> datetime.date:
    return add_months(month_start(today), -1)


def _month_param(request: ViewerRequest, default: datetime.date) -> datetime.date:
    return month_or_none(request.GET.get("month", "")) or default


def _query_without_page(request: ViewerRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page(request: ViewerRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _messages_of(error: DomainError) -> list[str]:
    return [str(d.message) for d in error.details] or [str(error.message)]


def _staff_page(request: ViewerRequest, template: str, section: str, context: dict[str, Any],
                status: int = 200) -> HttpResponse:
    """A staff billing page: with the warning when a year's holidays are unknown (invoice
    due dates then count Monday to Friday) and what the viewer's role may do."""
    context = {
        "calendar_gaps": selectors.calendar_gaps(today=timezone.localdate()),
        "can_write": request.viewer.has_role(*BILLING_WRITERS),
        "section": section,
        **context,
    }
    return render(request, template, context, status=status)


def _invoice_overdue(bill: Bill, today: datetime.date) -> bool:
    return (bill.status == BillStatus.PAID and not getattr(bill, "invoiced", False)
            and bill.invoice_due_by is not None and bill.invoice_due_by < today)


def _bill_rows(bills: Iterable[Bill], today: datetime.date) -> list[dict[str, Any]]:
    return [{"bill": b, "badge": BADGE[BillStatus(b.status)],
             "overdue": _invoice_overdue(b, today)} for b in bills]


def _download(request: ViewerRequest, *, target: Bill | Invoice, file: str, data: bytes,
              filename: str, content_type: str) -> HttpResponse:
    """Hand out a bill's or an invoice's file after its audit row (the API writes the same
    row through the same service)."""
    services.billing_file_download(target=target, file=file, filename=filename,
                                   actor=request.user, request=request)
    return download_response(data, filename=filename, content_type=content_type,
                             inline=content_type == "application/pdf")


def _bill_pdf(request: ViewerRequest, bill: Bill) -> HttpResponse:
    from billing.documents import bill_pdf  # imported here: written beside these pages

    return _download(request, target=bill, file="bill_pdf", data=bill_pdf(bill),
                     filename=f"{bill.number}.pdf", content_type="application/pdf")


def _bill_xlsx(request: ViewerRequest, bill: Bill) -> HttpResponse:
    from billing.documents import bill_xlsx

    return _download(request, target=bill, file="bill_xlsx", data=bill_xlsx(bill),
                     filename=f"{bill.number}.xlsx", content_type=XLSX)


def _invoice_pdf(request: ViewerRequest, invoice: Invoice) -> HttpResponse:
    from billing.documents import invoice_pdf

    return _download(request, target=invoice, file="invoice_pdf", data=invoice_pdf(invoice),
                     filename=f"invoice-{invoice.number}.pdf", content_type="application/pdf")


# --- staff: bills -----------------------------------------------------------------------


@staff_required(*BILLING_STAFF)
@require_GET
def staff_bill_list(request: ViewerRequest) -> HttpResponse:
    """Bills of a month (last month unless the filter says otherwise; an emptied month
    field lists every month), by status and client name or USCC."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("month", month_text(_last_month(today)))
    form = BillFilterForm(data)
    form.is_valid()
    filters = form.cleaned_data
    bills = selectors.bill_list(viewer=request.viewer, month=filters.get("month"),
                                status=filters.get("status") or "")
    search = filters.get("q") or ""
    if search:
        bills = bills.filter(Q(client__name__icontains=search)
                             | Q(client__uscc__icontains=search))
    page = _page(request, bills)
    return _staff_page(request, "billing/staff_bill_list.html", "bills", {
        "form": form, "page": page, "rows": _bill_rows(page.object_list, today),
        "month": filters.get("month"), "query": _query_without_page(request),
    })


def _staff_bill_page(request: ViewerRequest, bill: Bill, *,
                     forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    """The bill, the actions its status allows this role, a page of its lines, its
    payments and invoices. `forms` are bound forms to show again with their errors."""
    viewer = request.viewer
    writer = viewer.has_role(*BILLING_WRITERS)
    draft, disputed = bill.status == BillStatus.DRAFT, bill.status == BillStatus.DISPUTED
    invoices = list(selectors.invoice_list(viewer=viewer, bill=bill))
    today = timezone.localdate()
    context: dict[str, Any] = {
        "bill": bill, "badge": BADGE[BillStatus(bill.status)],
        "page": _page(request, selectors.bill_lines(bill=bill)),
        "payments": list(selectors.bill_payments(bill=bill)), "invoices": invoices,
        "invoice_overdue": not invoices and _invoice_overdue(bill, today),
        # a regular line without a service fee: no contract price for its city that month
        "lines_without_fee": selectors.bill_lines(bill=bill, line_type=LineType.REGULAR)
        .filter(service_fee=0).count(),
        "can_regenerate": writer and draft, "can_issue": writer and draft,
        "can_void": writer and draft, "can_answer": disputed,
        "can_correct": writer and disputed and not bill.paid,
        "can_pay": writer and bill.frozen and bill.status != BillStatus.PAID,
        "can_invoice": writer and bill.status == BillStatus.PAID and not invoices,
        "payment_form": PaymentForm(initial={
            "amount": bill.outstanding, "paid_on": today,
            "method": Payment.Method.BANK_TRANSFER}),
        "void_form": ReasonForm(), "answer_form": AnswerForm(), "correct_form": ReasonForm(),
        "adjust_form": AdjustmentForm(),
        **(forms or {}),
    }
    return _staff_page(request, "billing/staff_bill_detail.html", "bills", context,
                       status=status)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_bill_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _staff_bill_page(request, selectors.bill_get(viewer=request.viewer, pk=pk))


def _bill_action(request: ViewerRequest, pk: int, action: Callable[[Bill], str]) -> HttpResponse:
    """A POST action without a form: its success message, or the service's refusal, is
    shown on the bill's page (or the invoices page it was sent from)."""
    bill = selectors.bill_get(viewer=request.viewer, pk=pk)
    try:
        messages.success(request, action(bill))
    except DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    if request.POST.get("back") == "invoices":
        return redirect("staff-billing-invoices-list")
    return redirect("staff-billing-bill-detail", pk=pk)


def _bill_form_action(request: ViewerRequest, pk: int, form_class: type[Any], key: str,
                      action: Callable[[Bill, dict[str, Any]], object],
                      success: str) -> HttpResponse:
    """A POST action with a form: the service's errors go next to its fields and the bill's
    page is shown again (400); nothing was saved (each service is one transaction)."""
    bill = selectors.bill_get(viewer=request.viewer, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = action(bill, form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("staff-billing-bill-detail",
                            pk=result.pk if isinstance(result, Bill) else pk)
    return _staff_bill_page(request, bill, forms={key: form}, status=400)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_bill_regenerate(request: ViewerRequest, pk: int) -> HttpResponse:
    def regenerate(bill: Bill) -> str:
        services.bill_generate(client=bill.client, month=bill.month, actor=request.user)
        return _("The draft was generated again from the enrolments as they stand.")

    return _bill_action(request, pk, regenerate)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_bill_issue(request: ViewerRequest, pk: int) -> HttpResponse:
    def issue(bill: Bill) -> str:
        services.bill_issue(bill=bill, actor=request.user)
        return _("The bill was issued to the client.")

    return _bill_action(request, pk, issue)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_bill_adjust(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_form_action(request, pk, AdjustmentForm, "adjust_form", lambda bill, d: (
        services.bill_adjust(bill=bill, part=d["part"], amount=d["amount"],
                             description=d["description"], actor=request.user)),
        _("The adjustment was added to the draft."))


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_bill_void(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_form_action(request, pk, ReasonForm, "void_form", lambda bill, d: (
        services.bill_void(bill=bill, reason=d["reason"], actor=request.user)),
        _("The draft was voided."))


@staff_required(*BILLING_STAFF)
@require_POST
def staff_bill_answer(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_form_action(request, pk, AnswerForm, "answer_form", lambda bill, d: (
        services.bill_answer_dispute(bill=bill, answer=d["answer"], actor=request.user)),
        _("The answer was sent; the bill waits for the client's confirmation again."))


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_bill_correct(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_form_action(request, pk, ReasonForm, "correct_form", lambda bill, d: (
        services.bill_correct(bill=bill, reason=d["reason"], actor=request.user)),
        _("The disputed bill was voided and a corrected draft generated: check and issue it."))


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_bill_payment(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_form_action(request, pk, PaymentForm, "payment_form", lambda bill, d: (
        services.payment_record(bill=bill, amount=d["amount"], paid_on=d["paid_on"],
                                method=d["method"], reference=d["reference"],
                                actor=request.user)),
        _("The payment was recorded."))


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_bill_invoice(request: ViewerRequest, pk: int) -> HttpResponse:
    def issue(bill: Bill) -> str:
        invoices = services.invoice_issue(bill=bill, actor=request.user)
        return _("Invoice %(numbers)s issued: export the month's invoices for the tax "
                 "platform.") % {"numbers": "、".join(i.number for i in invoices)}

    return _bill_action(request, pk, issue)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_bill_pdf(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_pdf(request, selectors.bill_get(viewer=request.viewer, pk=pk))


@staff_required(*BILLING_STAFF)
@require_GET
def staff_bill_xlsx(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_xlsx(request, selectors.bill_get(viewer=request.viewer, pk=pk))


# --- staff: generating a month ----------------------------------------------------------


@staff_required(*BILLING_WRITERS)
@require_http_methods(["GET", "POST"])
def staff_generate(request: ViewerRequest) -> HttpResponse:
    """Start the month's run on the worker and follow it on the progress page."""
    form = MonthForm(request.POST or None,
                     initial={"month": _last_month(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        month = month_text(form.cleaned_data["month"])
        try:
            result = task_send(bill_generate_month_task, month=month,
                               actor_id=request.user.pk)
        except BrokerUnavailable as error:
            messages.error(request, str(error.message))
            return _staff_page(request, "billing/staff_generate.html", "generate",
                               {"form": form}, status=error.status)
        return redirect(reverse("staff-billing-generate-progress", args=[result.id])
                        + f"?month={month}")
    return _staff_page(request, "billing/staff_generate.html", "generate", {"form": form},
                       status=400 if form.errors else 200)


def _run_status(task_id: uuid.UUID) -> dict[str, Any]:
    """Where a month's run stands, from the task's state: PENDING (not started, or
    unknown), PROGRESS with `{"done", "total"}`, SUCCESS with the counts, FAILURE."""
    result = bill_generate_month_task.AsyncResult(str(task_id))
    state = result.state
    info = result.info if isinstance(result.info, dict) else {}
    done, total = int(info.get("done") or 0), int(info.get("total") or 0)
    finished, failed = state == "SUCCESS", state in ("FAILURE", "REVOKED")
    percent = 100 if finished else (done * 100 // total if total else 0)
    if failed:
        text = _("The run stopped with an error; see the worker's log and start it again.")
    elif state == "PENDING":
        text = _("Waiting for the worker to start the run…")
    else:
        text = _("Generated %(done)s / %(total)s") % {"done": done, "total": total}
    summary = ""
    if finished:
        summary = _("%(generated)s drafts generated, %(issued)s bills already issued (left "
                    "alone), %(failed)s not generated.") % {
            "generated": info.get("generated", 0), "issued": info.get("issued_already", 0),
            "failed": info.get("failed", 0)}
    return {"state": state, "done": done, "total": total, "percent": percent,
            "finished": finished, "failed": failed, "text": text, "summary": summary}


@staff_required(*BILLING_WRITERS)
@require_GET
def staff_generate_progress(request: ViewerRequest, task_id: uuid.UUID) -> HttpResponse:
    month = month_or_none(request.GET.get("month", ""))
    return _staff_page(request, "billing/staff_generate_progress.html", "generate", {
        "status": _run_status(task_id), "month": month,
        "status_url": reverse("staff-billing-generate-status", args=[task_id]),
    })


@staff_required(*BILLING_WRITERS)
@require_GET
def staff_generate_status(request: ViewerRequest, task_id: uuid.UUID) -> JsonResponse:
    response = JsonResponse(_run_status(task_id))
    response["Cache-Control"] = "no-store"
    return response


# --- staff: invoices and totals ---------------------------------------------------------

FIELD_LABELS = {"number": gettext_lazy("invoice number"),
                "tax_platform_number": gettext_lazy("number on the tax platform"),
                "file": gettext_lazy("file from the tax platform (.xlsx)")}


def _row_errors(error: DomainError) -> list[dict[str, Any]]:
    """The file's problems, each with the row (counted from the first data row) and the
    field it names."""
    details = error.details or []
    rows = [{"line": d.line, "field": str(FIELD_LABELS.get(d.field or "", d.field or "")),
             "message": str(d.message)} for d in details]
    return rows or [{"line": None, "field": "", "message": str(error.message)}]


def _invoice_page(request: ViewerRequest, *, numbers_form: TaxNumbersForm | None = None,
                  upload_errors: list[dict[str, Any]] | None = None,
                  status: int = 200) -> HttpResponse:
    viewer = request.viewer
    today = timezone.localdate()
    month = _month_param(request, month_start(today))
    due = _bill_rows(selectors.invoice_due_list(viewer=viewer)[:500], today)
    page = _page(request, selectors.invoice_list(viewer=viewer, month=month))
    return _staff_page(request, "billing/staff_invoice_list.html", "invoices", {
        "month": month, "due": due, "overdue_count": sum(1 for r in due if r["overdue"]),
        "page": page, "query": _query_without_page(request),
        "numbers_form": numbers_form or TaxNumbersForm(), "upload_errors": upload_errors or [],
        "today": today,
    }, status=status)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_invoice_list(request: ViewerRequest) -> HttpResponse:
    """Invoices due (paid bills not yet invoiced; overdue ones in red) and the invoices
    issued in a month (this month unless `?month=`)."""
    return _invoice_page(request)


@staff_required(*BILLING_WRITERS)
@require_GET
def staff_invoice_export(request: ViewerRequest) -> HttpResponse:
    """The month's invoices as the tax platform imports them (an audited export)."""
    from billing.documents import invoices_tax_export

    month = _month_param(request, month_start(timezone.localdate()))
    invoices = list(selectors.invoice_list(viewer=request.viewer, month=month))
    data = invoices_tax_export(invoices)
    filename = f"invoices-{month_text(month)}.xlsx"
    # the buyers' tax details of every client at once: an export, audited like the
    # person export (billing's services have no export to record it through yet)
    with transaction.atomic():
        audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, request=request,
                     detail={"file": "invoices_tax_export", "name": filename,
                             "month": month_text(month), "invoices": len(invoices)})
    return download_response(data, filename=filename, content_type=XLSX)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_invoice_numbers(request: ViewerRequest) -> HttpResponse:
    """Record the numbers the tax platform gave: any bad row refuses the whole file."""
    from billing.documents import tax_numbers_read

    form = TaxNumbersForm(request.POST, request.FILES)
    errors: list[dict[str, Any]] = []
    if form.is_valid():
        try:
            rows = tax_numbers_read(form.cleaned_data["file"])
            count = services.invoice_record_numbers(rows=rows, actor=request.user)
        except DomainError as error:
            errors = _row_errors(error)
        else:
            messages.success(request, _("Tax platform numbers recorded: %(count)d invoices.")
                             % {"count": count})
            return redirect(reverse("staff-billing-invoices-list") + (
                f"?month={request.GET['month']}" if month_or_none(request.GET.get("month", ""))
                else ""))
    return _invoice_page(request, numbers_form=form, upload_errors=errors, status=400)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_invoice_pdf(request: ViewerRequest, pk: int) -> HttpResponse:
    return _invoice_pdf(request, selectors.invoice_get(viewer=request.viewer, pk=pk))


def _item_rows(by_item: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items in the usual order (养老 … 公积金) with their labels; extras after."""
    labels = dict(PolicyItem.Kind.choices)
    rank = {kind.value: n for n, kind in enumerate(ITEM_ORDER)}
    rows = sorted(by_item, key=lambda r: (rank.get(r["kind"], len(rank)), r["kind"]))
    return [{**r, "label": labels.get(r["kind"], r["kind"])} for r in rows]


@staff_required(*BILLING_STAFF)
@require_GET
def staff_month_totals(request: ViewerRequest) -> HttpResponse:
    month = _month_param(request, _last_month(timezone.localdate()))
    totals = selectors.month_totals(viewer=request.viewer, month=month)
    return _staff_page(request, "billing/staff_month_totals.html", "totals", {
        "month": month, "totals": totals, "items": _item_rows(totals.by_item),
    })


# --- portal -----------------------------------------------------------------------------


@portal_required()
@require_GET
def portal_bill_list(request: ViewerRequest) -> HttpResponse:
    page = _page(request, selectors.bill_list(viewer=request.viewer))
    return render(request, "billing/portal_bill_list.html", {
        "page": page, "rows": _bill_rows(page.object_list, timezone.localdate())})


def _portal_bill_page(request: ViewerRequest, bill: Bill, *,
                      dispute_form: DisputeForm | None = None,
                      status: int = 200) -> HttpResponse:
    acts = request.viewer.has_role(Role.CLIENT_ADMIN)
    return render(request, "billing/portal_bill_detail.html", {
        "bill": bill, "badge": BADGE[BillStatus(bill.status)],
        "page": _page(request, selectors.bill_lines(bill=bill)),
        "invoices": list(selectors.invoice_list(viewer=request.viewer, bill=bill)),
        "can_confirm": acts and bill.status in (BillStatus.ISSUED, BillStatus.DISPUTED),
        "can_dispute": acts and bill.status in (BillStatus.ISSUED, BillStatus.CONFIRMED)
        and not bill.paid,
        "dispute_form": dispute_form or DisputeForm(),
    }, status=status)


@portal_required()
@require_GET
def portal_bill_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _portal_bill_page(request, selectors.bill_get(viewer=request.viewer, pk=pk))


def _client_admin_bill(request: ViewerRequest, pk: int) -> Bill:
    """The bill (404 outside the client or while a draft), for a client administrator
    only: a client viewer reads but does not act (403)."""
    bill = selectors.bill_get(viewer=request.viewer, pk=pk)
    if not request.viewer.has_role(Role.CLIENT_ADMIN):
        raise PermissionDenied
    return bill


@portal_required()
@require_POST
def portal_bill_confirm(request: ViewerRequest, pk: int) -> HttpResponse:
    bill = _client_admin_bill(request, pk)
    try:
        services.bill_confirm(bill=bill, actor=request.user)
    except DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: the bill is confirmed."))
    return redirect("portal-billing-bill-detail", pk=pk)


@portal_required()
@require_POST
def portal_bill_dispute(request: ViewerRequest, pk: int) -> HttpResponse:
    bill = _client_admin_bill(request, pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            services.bill_dispute(bill=bill, reason=form.cleaned_data["reason"],
                                  actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Your dispute was sent; the agency will answer it."))
            return redirect("portal-billing-bill-detail", pk=pk)
    return _portal_bill_page(request, bill, dispute_form=form, status=400)


@portal_required()
@require_GET
def portal_bill_pdf(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_pdf(request, selectors.bill_get(viewer=request.viewer, pk=pk))


@portal_required()
@require_GET
def portal_bill_xlsx(request: ViewerRequest, pk: int) -> HttpResponse:
    return _bill_xlsx(request, selectors.bill_get(viewer=request.viewer, pk=pk))


@portal_required()
@require_GET
def portal_invoice_list(request: ViewerRequest) -> HttpResponse:
    page = _page(request, selectors.invoice_list(viewer=request.viewer))
    return render(request, "billing/portal_invoice_list.html", {"page": page})


@portal_required()
@require_GET
def portal_invoice_pdf(request: ViewerRequest, pk: int) -> HttpResponse:
    return _invoice_pdf(request, selectors.invoice_get(viewer=request.viewer, pk=pk))
