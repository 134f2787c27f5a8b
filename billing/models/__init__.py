"""The models of billing: bills, payments and invoices (`bills`); receipts, allocations,
credits and refunds (`money`); bureau reconciliation (`reconciliation`)."""

from billing.models.bills import (
    FROZEN_STATUSES,
    ZERO,
    AgencyEntity,
    Bill,
    BillLine,
    BillStatus,
    Invoice,
    InvoiceItem,
    InvoiceKind,
    InvoiceSequence,
    InvoiceTitle,
    LineType,
    Payment,
    VatMethod,
)
from billing.models.money import (
    Allocation,
    BankStatement,
    PayerAccount,
    Receipt,
    ReceiptStatus,
    Refund,
    RefundStatus,
)
from billing.models.reconciliation import (
    Difference,
    DifferenceKind,
    DifferenceStatus,
    ReconciliationRun,
)
from billing.models.runs import BillMonthRun

__all__ = [
    "FROZEN_STATUSES", "ZERO", "AgencyEntity", "Allocation", "BankStatement", "Bill",
    "BillLine", "BillMonthRun", "BillStatus", "Difference", "DifferenceKind",
    "DifferenceStatus", "Invoice",
    "InvoiceItem", "InvoiceKind", "InvoiceSequence", "InvoiceTitle", "LineType",
    "PayerAccount", "Payment", "Receipt", "ReceiptStatus", "ReconciliationRun", "Refund",
    "RefundStatus", "VatMethod",
]
