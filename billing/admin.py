"""Billing in the back-office.

The agency's tax details (`AgencyEntity`) and each client's invoicing details
(`InvoiceTitle`) are kept here. Bills, payments and invoices are only shown: they are
written by `billing.services` alone (generate, issue, confirm, payments, invoices), which
keep the totals, the frozen state of an issued bill, the policy locks and the invoice
series right; an edit here would bypass every one of those rules. The number series is
shown, never changed (it allocates numbers without gaps under a row lock)."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from billing.models import (
    AgencyEntity,
    Allocation,
    BankStatement,
    Bill,
    BillLine,
    Difference,
    Invoice,
    InvoiceItem,
    InvoiceSequence,
    InvoiceTitle,
    PayerAccount,
    Payment,
    Receipt,
    ReconciliationRun,
    Refund,
)


class ReadOnlyAdminMixin:
    """Shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _all_fields(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.fields)


@admin.register(AgencyEntity)
class AgencyEntityAdmin(SimpleHistoryAdmin):
    """The seller on the agency's invoices: invoicing is refused until it is set."""

    list_display = ("name", "uscc", "vat_method", "bank", "bank_account")


@admin.register(InvoiceTitle)
class InvoiceTitleAdmin(SimpleHistoryAdmin):
    list_display = ("buyer_name", "buyer_uscc", "client", "kind", "email")
    list_filter = ("kind",)
    search_fields = ("buyer_name", "buyer_uscc", "client__name")
    raw_id_fields = ("client",)


class BillLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BillLine
    extra = 0
    fields = ("person", "city", "line_type", "month_from", "month_to", "social_insurance",
              "housing_fund", "service_fee", "total", "description", "policy_version")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[BillLine]:
        return super().get_queryset(request).select_related("person", "city",
                                                            "policy_version__city")


class PaymentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("amount", "paid_on", "method", "reference", "recorded_by", "recorded_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Bill)
class BillAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Bills with their lines and payments, shown only: an issued bill is frozen and a
    draft is regenerated, both by the services."""

    list_display = ("bill_number", "client", "month", "status", "total", "paid", "issued_at",
                    "invoice_due_by")
    list_filter = ("status", "month")
    search_fields = ("client__name",)
    list_select_related = ("client",)
    date_hierarchy = "month"
    readonly_fields = ("bill_number", *_all_fields(Bill))
    inlines = [BillLineInline, PaymentInline]

    @admin.display(description=_("bill number"))
    def bill_number(self, bill: Bill) -> str:
        return bill.number


class InvoiceItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceItem
    extra = 0
    fields = ("position", "name", "amount", "tax_rate", "tax", "taxable")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Invoices with their items, shown only: issued by `invoice_issue`, their tax
    platform numbers recorded by `invoice_record_numbers`."""

    list_display = ("number", "bill", "kind", "buyer_name", "issued_on", "due_by", "amount",
                    "tax", "tax_platform_number")
    list_filter = ("kind", "vat_method")
    search_fields = ("number", "buyer_name", "buyer_uscc", "tax_platform_number")
    list_select_related = ("bill__client",)
    readonly_fields = _all_fields(Invoice)
    inlines = [InvoiceItemInline]


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("year", "last")


# --- money in and out (issue 12) ----------------------------------------------------------
# The accounts clients pay from are kept here (the matcher finds a client by them; a
# confirmation adds them by itself). Statements, receipts, allocations and refunds are
# shown only: `billing.money_services` writes them, with the payments on the bills.


@admin.register(PayerAccount)
class PayerAccountAdmin(SimpleHistoryAdmin):
    list_display = ("name", "account", "client")
    search_fields = ("name", "account", "client__name")
    list_select_related = ("client",)
    raw_id_fields = ("client",)


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("file_name", "uploaded_at", "uploaded_by", "rows", "receipts_added",
                    "duplicates")
    list_select_related = ("uploaded_by",)
    readonly_fields = _all_fields(BankStatement)


class AllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Allocation
    fk_name = "receipt"
    extra = 0
    fields = ("client", "bill", "amount", "payment", "confirmed_by", "confirmed_at",
              "undone_by", "undone_at", "undo_reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Allocation]:
        return super().get_queryset(request).select_related(
            "client", "bill__client", "payment__bill", "confirmed_by", "undone_by")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("received_on", "payer_name", "amount", "status", "client", "reference")
    list_filter = ("status",)
    search_fields = ("payer_name", "payer_account", "reference", "serial", "client__name")
    list_select_related = ("client",)
    date_hierarchy = "received_on"
    readonly_fields = _all_fields(Receipt)
    inlines = [AllocationInline]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("client", "bill", "amount", "from_credit", "confirmed_at", "undone_at")
    list_filter = ("from_credit",)
    search_fields = ("client__name",)
    list_select_related = ("client", "bill__client")
    readonly_fields = _all_fields(Allocation)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("client", "amount", "status", "requested_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("client__name", "reason")
    list_select_related = ("client",)
    readonly_fields = _all_fields(Refund)


class DifferenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Difference
    extra = 0
    fields = ("kind", "status", "client", "name", "id_number_masked", "item", "billed_base",
              "charged_base", "billed_amount", "charged_amount", "delta", "note")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Difference]:
        return super().get_queryset(request).select_related("client")


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Bureau reconciliation runs (稽核), shown only: made by `reconciliation_run` from the
    bureau's file, never changed afterwards (their differences are decided on the staff
    pages, each decision in the difference's history)."""

    list_display = ("city", "month", "scheme", "file_name", "rows", "persons_matched",
                    "differences_found", "uploaded_by", "uploaded_at")
    list_filter = ("scheme", "city")
    date_hierarchy = "month"
    list_select_related = ("city", "uploaded_by")
    readonly_fields = _all_fields(ReconciliationRun)
    inlines = [DifferenceInline]


@admin.register(Difference)
class DifferenceAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """A run's differences with their history: accepted or marked as the bureau's error
    by `billing.reconciliation_services` alone (an accepted one becomes a 补差 line once)."""

    list_display = ("run", "kind", "status", "client", "name", "item", "delta",
                    "settled_line")
    list_filter = ("kind", "status")
    search_fields = ("name", "client__name", "note")
    list_select_related = ("run__city", "client")
    raw_id_fields = ("run", "person", "client", "bill_line", "settled_line")
    readonly_fields = _all_fields(Difference)
