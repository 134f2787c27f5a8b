"""Staff, portal and API routes of billing's money pages (views in `billing.money_views`,
endpoints in `billing.money_api`)."""

from django.urls import path

from agency.routing import Route
from billing import money_api, money_views

STAFF: list[Route] = [
    path("billing/statements/", money_views.staff_statements,
         name="staff-billing-statements"),
    path("billing/receipts/", money_views.staff_receipts, name="staff-billing-receipts"),
    path("billing/receipts/confirm/", money_views.staff_receipts_confirm,
         name="staff-billing-receipts-confirm"),
    path("billing/receipts/match/", money_views.staff_receipts_match,
         name="staff-billing-receipts-match"),
    path("billing/receipts/<int:pk>/", money_views.staff_receipt_detail,
         name="staff-billing-receipt-detail"),
    path("billing/receipts/<int:pk>/confirm/", money_views.staff_receipt_confirm,
         name="staff-billing-receipt-confirm"),
    path("billing/receipts/<int:pk>/undo/", money_views.staff_receipt_undo,
         name="staff-billing-receipt-undo"),
    path("billing/ledgers/", money_views.staff_ledgers, name="staff-billing-ledgers"),
    path("billing/ledgers/<int:pk>/", money_views.staff_ledger, name="staff-billing-ledger"),
    path("billing/ledgers/<int:pk>/credit/", money_views.staff_ledger_credit,
         name="staff-billing-ledger-credit"),
    path("billing/ledgers/<int:pk>/refund/", money_views.staff_ledger_refund,
         name="staff-billing-ledger-refund"),
    path("billing/refunds/", money_views.staff_refunds, name="staff-billing-refunds"),
    path("billing/refunds/<int:pk>/decide/", money_views.staff_refund_decide,
         name="staff-billing-refund-decide"),
]
PORTAL: list[Route] = [
    path("billing/ledger/", money_views.portal_ledger, name="portal-billing-ledger"),
]
API: list[Route] = [
    path("ledger/", money_api.LedgerView.as_view(), name="api-ledger"),
]
