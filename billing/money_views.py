"""Pages of money in and out (认款, 往来, 退费). Thin: forms parse, services decide,
selectors read (and scope).

Staff: bank statements (upload, list with counts); the match queue (unmatched and
proposed receipts with the proposal or the candidates; confirm one, confirm in bulk, or
open a receipt to confirm it for another client or split it; a manager undoes a
confirmation with a reason); client ledgers (the clients' balances, one client's
entries, its credit used on an open bill, a refund asked for); refunds (a manager
approves or rejects). Portal: the client's ledger and receipts.

Roles: every billing role reads; admin, manager and finance import, confirm, use credit
and ask for refunds; only a manager or an administrator undoes a confirmation or decides
a refund (the service refuses anyone else: 403)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.roles import Role
from billing import money_services
from billing.models import Receipt, ReceiptStatus, RefundStatus
from billing.money_forms import (
    WAITING,
    CreditApplyForm,
    ReasonForm,
    ReceiptFilterForm,
    RefundRequestForm,
    SplitForm,
    StatementUploadForm,
)
from billing.money_selectors import (
    Ledger,
    ReceiptView,
    client_ledger,
    ledger_client_get,
    ledger_client_list,
    open_bills,
    queue_counts,
    receipt_allocations,
    receipt_get,
    receipt_list,
    receipt_views,
    refund_get,
    refund_list,
    statement_list,
)
from billing.selectors import calendar_gaps
from billing.views import BILLING_STAFF, BILLING_WRITERS
from clients.models import Client
from clients.selectors import client_list

PAGE_SIZE = 50
DECIDERS = (Role.ADMIN, Role.MANAGER)
STATUSES = {WAITING: (ReceiptStatus.UNMATCHED, ReceiptStatus.PROPOSED),
            "unmatched": (ReceiptStatus.UNMATCHED,), "proposed": (ReceiptStatus.PROPOSED,),
            "matched": (ReceiptStatus.MATCHED,), "all": ()}
RECEIPT_BADGE = {ReceiptStatus.UNMATCHED: "bad", ReceiptStatus.PROPOSED: "warn",
                 ReceiptStatus.MATCHED: "ok"}
REFUND_BADGE = {RefundStatus.REQUESTED: "warn", RefundStatus.APPROVED: "ok",
                RefundStatus.REJECTED: ""}
RULES = {
    "bill_number": gettext_lazy("Bill number in the reference"),
    "payer_account": gettext_lazy("The client's paying account"),
    "payer_name": gettext_lazy("The client's paying name"),
    "amount": gettext_lazy("Amount owed"),
    "similar_name": gettext_lazy("Similar name"),
    "manual": gettext_lazy("Chosen by hand"),
}
KINDS = {"bill": gettext_lazy("Bill"), "receipt": gettext_lazy("Receipt"),
         "credit": gettext_lazy("Kept as credit"), "refund": gettext_lazy("Refund")}
FIELD_LABELS = {"date": gettext_lazy("date"), "credit": gettext_lazy("credit amount"),
                "debit": gettext_lazy("debit amount"), "file": gettext_lazy("file")}


# --- helpers ------------------------------------------------------------------------------

def _page(request: ViewerRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: ViewerRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _money_page(request: ViewerRequest, template: str, sub: str, context: dict[str, Any],
                status: int = 200) -> HttpResponse:
    """A staff money page: the billing tabs, the money sub-tabs with what waits, and what
    the viewer's role may do."""
    viewer = request.viewer
    context = {
        "calendar_gaps": calendar_gaps(today=timezone.localdate()),
        "can_write": viewer.has_role(*BILLING_WRITERS), "can_decide": viewer.has_role(*DECIDERS),
        "section": "money", "sub": sub, "counts": queue_counts(viewer=viewer),
        **context,
    }
    return render(request, f"billing/money/{template}", context, status=status)


def _require_writer(request: ViewerRequest) -> None:
    if not request.viewer.has_role(*BILLING_WRITERS):
        raise PermissionDenied


def _messages_of(error: DomainError) -> list[str]:
    return [str(d.message) for d in error.details] or [str(error.message)]


def _refuse_or_message(request: ViewerRequest, error: DomainError) -> None:
    """A refusal for the role answers 403; any other problem is shown on the page."""
    if error.status == 403:
        raise PermissionDenied(str(error.message))
    for message in _messages_of(error):
        messages.error(request, message)


def _row_errors(error: DomainError) -> list[dict[str, Any]]:
    rows = [{"line": d.line, "field": str(FIELD_LABELS.get(d.field or "", d.field or "")),
             "message": str(d.message)} for d in error.details or []]
    return rows or [{"line": None, "field": "", "message": str(error.message)}]


def _entries(ledger: Ledger) -> list[dict[str, Any]]:
    """The ledger's entries newest first (the running balance stays each entry's own)."""
    return [{"entry": e, "label": KINDS[e.kind]} for e in reversed(ledger.entries)]


def _rows(views: list[ReceiptView]) -> list[dict[str, Any]]:
    """Receipts as the tables show them: status badge, the rule and candidates' reasons."""
    return [{"view": v, "badge": RECEIPT_BADGE[ReceiptStatus(v.receipt.status)],
             "rule": RULES.get(v.rule, v.rule),
             "candidates": [(c, RULES.get(c.reason, c.reason)) for c in v.candidates]}
            for v in views]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


# --- statements ---------------------------------------------------------------------------

@staff_required(*BILLING_STAFF)
@require_http_methods(["GET", "POST"])
def staff_statements(request: ViewerRequest) -> HttpResponse:
    """Upload a bank statement (Excel or CSV of any bank): its credits become receipts,
    matched at once; the statements uploaded, with what each added."""
    form = StatementUploadForm()
    errors: list[dict[str, Any]] = []
    if request.method == "POST":
        _require_writer(request)
        form = StatementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                statement = money_services.statement_import(
                    data=upload.read(), file_name=upload.name or "", actor=request.user)
            except DomainError as error:
                errors = _row_errors(error)
            else:
                messages.success(request, _(
                    "Statement imported: %(added)d receipts added, %(duplicates)d already "
                    "imported.") % {"added": statement.receipts_added,
                                    "duplicates": statement.duplicates})
                return redirect(reverse("staff-billing-receipts")
                                + f"?status=all&statement={statement.pk}")
    return _money_page(request, "staff_statements.html", "statements", {
        "form": form, "upload_errors": errors, "page": _page(request,
                                                             statement_list(
                                                                 viewer=request.viewer)),
    }, status=400 if request.method == "POST" else 200)


# --- the match queue ----------------------------------------------------------------------

@staff_required(*BILLING_STAFF)
@require_GET
def staff_receipts(request: ViewerRequest) -> HttpResponse:
    """Receipts waiting (unmatched first guesses, proposals to confirm) or any status."""
    data = request.GET.copy()
    data.setdefault("status", WAITING)
    form = ReceiptFilterForm(data)
    form.is_valid()
    status = form.cleaned_data.get("status") or WAITING
    statement_id = _int(request.GET.get("statement"))
    receipts = receipt_list(viewer=request.viewer, statuses=STATUSES[status],
                            q=form.cleaned_data.get("q") or "", statement_id=statement_id)
    page = _page(request, receipts)
    views = receipt_views(list(page.object_list))
    return _money_page(request, "staff_queue.html", "queue", {
        "form": form, "page": page, "query": _query_without_page(request),
        "rows": _rows(views),
        "statement_id": statement_id,
        "proposed_ids": [v.receipt.pk for v in views
                         if v.receipt.status == ReceiptStatus.PROPOSED],
    })


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_receipts_confirm(request: ViewerRequest) -> HttpResponse:
    """Confirm the proposals ticked (or every one shown)."""
    ids = [_int(v) for v in request.POST.getlist("shown" if request.POST.get("all")
                                                  else "receipt")]
    receipts = list(receipt_list(viewer=request.viewer, statuses=(ReceiptStatus.PROPOSED,))
                    .filter(pk__in=[i for i in ids if i]).order_by("received_on", "pk"))
    if not receipts:
        messages.warning(request, _("Tick the proposals to confirm."))
    else:
        result = money_services.receipts_confirm_bulk(receipts=receipts, actor=request.user)
        if result.confirmed:
            messages.success(request, _("%(count)d receipts confirmed.")
                             % {"count": len(result.confirmed)})
        for receipt, error in result.failed:
            messages.error(request, f"{receipt.payer_name or '—'} {receipt.amount}: "
                                    f"{error.message}")
    return redirect(reverse("staff-billing-receipts") + (
        f"?{request.POST['back']}" if request.POST.get("back") else ""))


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_receipts_match(request: ViewerRequest) -> HttpResponse:
    """Match every waiting receipt again (after bills were issued or accounts added)."""
    waiting = list(receipt_list(viewer=request.viewer, statuses=STATUSES[WAITING]))
    money_services.receipts_match(receipts=waiting, actor=request.user)
    proposed = sum(1 for r in waiting if r.status == ReceiptStatus.PROPOSED)
    messages.success(request, _("%(count)d waiting receipts matched again: %(proposed)d "
                                "with a proposal.") % {"count": len(waiting),
                                                       "proposed": proposed})
    return redirect("staff-billing-receipts")


def _chosen_client(request: ViewerRequest, receipt: Receipt,
                   proposed: Client | None) -> Client | None:
    pk = _int(request.GET.get("client")) or _int(request.POST.get("client"))
    if pk is not None:
        return ledger_client_get(viewer=request.viewer, pk=pk)
    return proposed


def _split_form(receipt: Receipt, client: Client, proposal: dict[int, Any]) -> SplitForm:
    """The split of the receipt for `client`, filled with the proposal (its own client)
    or the matcher's rules."""
    bills = list(open_bills(client=client))
    if not proposal:
        parts, _credit = money_services.allocation_plan(bills=bills, amount=receipt.amount)
        proposal = {bill.pk: amount for bill, amount in parts}
    initial: dict[str, Any] = {"client": client.pk}
    initial.update({f"bill_{pk}": amount for pk, amount in proposal.items()})
    return SplitForm(initial=initial, bills=bills)


def _receipt_page(request: ViewerRequest, receipt: Receipt, *,
                  split_form: SplitForm | None = None, undo_form: ReasonForm | None = None,
                  status: int = 200) -> HttpResponse:
    view = receipt_views([receipt])[0]
    waiting = receipt.status != ReceiptStatus.MATCHED
    chosen = _chosen_client(request, receipt, view.client) if waiting else None
    if waiting and chosen is not None and split_form is None:
        own = {b.pk: a for b, a in view.bills} if chosen == view.client else {}
        split_form = _split_form(receipt, chosen, own)
    return _money_page(request, "staff_receipt.html", "queue", {
        "receipt": receipt, "view": view, "row": _rows([view])[0],
        "allocations": list(receipt_allocations(receipt=receipt)), "chosen": chosen,
        "clients": list(client_list(viewer=request.viewer).order_by("name").only("id", "name"))
        if waiting else [],
        "split_form": split_form, "undo_form": undo_form or ReasonForm(),
    }, status=status)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_receipt_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _receipt_page(request, receipt_get(viewer=request.viewer, pk=pk))


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_receipt_confirm(request: ViewerRequest, pk: int) -> HttpResponse:
    """Confirm the proposal, or (with `client`) the split typed for that client."""
    receipt = receipt_get(viewer=request.viewer, pk=pk)
    if "client" not in request.POST:
        try:
            money_services.receipt_confirm(receipt=receipt, actor=request.user)
        except DomainError as error:
            _refuse_or_message(request, error)
            return redirect("staff-billing-receipt-detail", pk=pk)
        messages.success(request, _("The receipt was confirmed."))
        return redirect("staff-billing-receipts")
    client = ledger_client_get(viewer=request.viewer, pk=_int(request.POST["client"]) or 0)
    form = SplitForm(request.POST, bills=list(open_bills(client=client)))
    if form.is_valid():
        try:
            money_services.receipt_confirm(receipt=receipt, allocations=form.parts(),
                                           client=client, actor=request.user)
        except DomainError as error:
            if error.status == 403:
                raise PermissionDenied(str(error.message)) from error
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The receipt was confirmed for %(client)s.")
                             % {"client": client.name})
            return redirect("staff-billing-receipts")
    return _receipt_page(request, receipt, split_form=form, status=400)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_receipt_undo(request: ViewerRequest, pk: int) -> HttpResponse:
    """A manager undoes a confirmation, giving the reason (finance: 403)."""
    receipt = receipt_get(viewer=request.viewer, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            money_services.allocation_undo(receipt=receipt, reason=form.cleaned_data["reason"],
                                           actor=request.user)
        except DomainError as error:
            if error.status == 403:
                raise PermissionDenied(str(error.message)) from error
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The confirmation was undone; the receipt waits in "
                                        "the queue again."))
            return redirect("staff-billing-receipt-detail", pk=pk)
    return _receipt_page(request, receipt, undo_form=form, status=400)


# --- ledgers ------------------------------------------------------------------------------

@staff_required(*BILLING_STAFF)
@require_GET
def staff_ledgers(request: ViewerRequest) -> HttpResponse:
    """Clients with money on their ledger: billed, received, refunded, balance, credit."""
    q = (request.GET.get("q") or "").strip()[:100]
    page = _page(request, ledger_client_list(viewer=request.viewer, q=q))
    return _money_page(request, "staff_ledgers.html", "ledgers", {
        "page": page, "q": q, "query": _query_without_page(request)})


def _ledger_page(request: ViewerRequest, client: Client, *,
                 credit_form: CreditApplyForm | None = None,
                 refund_form: RefundRequestForm | None = None,
                 status: int = 200) -> HttpResponse:
    ledger = client_ledger(viewer=request.viewer, client=client)
    bills = list(open_bills(client=client))
    return _money_page(request, "staff_ledger.html", "ledgers", {
        "client": client, "ledger": ledger, "page": _page(request, _entries(ledger)),
        "open_bills": bills,
        "credit_form": credit_form or CreditApplyForm(bills=bills),
        "refund_form": refund_form or RefundRequestForm(),
        "refunds": [{"refund": r, "badge": REFUND_BADGE[RefundStatus(r.status)]}
                    for r in refund_list(viewer=request.viewer, client=client)[:20]],
        "receipts": _rows(receipt_views(list(receipt_list(viewer=request.viewer).filter(
            client=client)[:20]))),
    }, status=status)


@staff_required(*BILLING_STAFF)
@require_GET
def staff_ledger(request: ViewerRequest, pk: int) -> HttpResponse:
    return _ledger_page(request, ledger_client_get(viewer=request.viewer, pk=pk))


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_ledger_credit(request: ViewerRequest, pk: int) -> HttpResponse:
    """Use the client's credit on one of its open bills."""
    client = ledger_client_get(viewer=request.viewer, pk=pk)
    form = CreditApplyForm(request.POST, bills=list(open_bills(client=client)))
    if form.is_valid():
        try:
            money_services.credit_apply(client=client, bill=form.chosen_bill(),
                                        amount=form.cleaned_data["amount"], actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The credit was used on the bill."))
            return redirect("staff-billing-ledger", pk=pk)
    return _ledger_page(request, client, credit_form=form, status=400)


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_ledger_refund(request: ViewerRequest, pk: int) -> HttpResponse:
    """Ask for a refund of the client's credit; a manager decides."""
    client = ledger_client_get(viewer=request.viewer, pk=pk)
    form = RefundRequestForm(request.POST)
    if form.is_valid():
        try:
            money_services.refund_request(client=client, amount=form.cleaned_data["amount"],
                                          reason=form.cleaned_data["reason"],
                                          actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The refund was requested; a manager decides."))
            return redirect("staff-billing-ledger", pk=pk)
    return _ledger_page(request, client, refund_form=form, status=400)


# --- refunds ------------------------------------------------------------------------------

@staff_required(*BILLING_STAFF)
@require_GET
def staff_refunds(request: ViewerRequest) -> HttpResponse:
    """Refunds: those waiting for a manager first."""
    page = _page(request, refund_list(viewer=request.viewer))
    rows = [{"refund": r, "badge": REFUND_BADGE[RefundStatus(r.status)],
             "decidable": r.status == RefundStatus.REQUESTED
             and r.requested_by_id != request.user.pk} for r in page.object_list]
    return _money_page(request, "staff_refunds.html", "refunds", {
        "page": page, "rows": rows, "query": _query_without_page(request)})


@staff_required(*BILLING_WRITERS)
@require_POST
def staff_refund_decide(request: ViewerRequest, pk: int) -> HttpResponse:
    """A manager approves or rejects a refund (finance: 403)."""
    refund = refund_get(viewer=request.viewer, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        money_services.refund_decide(refund=refund, approve=approve, actor=request.user)
    except DomainError as error:
        _refuse_or_message(request, error)
    else:
        messages.success(request, _("The refund was approved.") if approve
                         else _("The refund was rejected."))
    return redirect("staff-billing-refunds")


# --- portal -------------------------------------------------------------------------------

@portal_required()
@require_GET
def portal_ledger(request: ViewerRequest) -> HttpResponse:
    """The client's ledger (往来): bills, receipts, credit and refunds with the balance;
    and its receipts with the bills each paid."""
    client = ledger_client_get(viewer=request.viewer, pk=request.viewer.client_id or 0)
    ledger = client_ledger(viewer=request.viewer, client=client)
    return render(request, "billing/money/portal_ledger.html", {
        "client": client, "ledger": ledger, "page": _page(request, _entries(ledger)),
        "receipts": _rows(receipt_views(list(receipt_list(viewer=request.viewer)[:50]))),
        "query": _query_without_page(request),
    })
