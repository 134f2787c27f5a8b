"""API routes of billing (the endpoints are in `billing.api`)."""

from django.urls import path

from agency.routing import Route
from billing import api

API: list[Route] = [
    path("bills/", api.BillListView.as_view(), name="api-bills-list"),
    path("bills/generate/", api.BillGenerateView.as_view(), name="api-bills-generate"),
    path("bills/<int:pk>/", api.BillDetailView.as_view(), name="api-bills-detail"),
    path("bills/<int:pk>/lines/", api.BillLinesView.as_view(), name="api-bills-lines"),
    path("bills/<int:pk>/issue/", api.BillIssueView.as_view(), name="api-bills-issue"),
    path("bills/<int:pk>/confirm/", api.BillConfirmView.as_view(), name="api-bills-confirm"),
    path("bills/<int:pk>/dispute/", api.BillDisputeView.as_view(), name="api-bills-dispute"),
    path("bills/<int:pk>/payments/", api.BillPaymentView.as_view(),
         name="api-bills-payments"),
    path("bills/<int:pk>/adjustments/", api.BillAdjustmentView.as_view(),
         name="api-bills-adjustments"),
    path("bills/<int:pk>/invoice/", api.BillInvoiceView.as_view(), name="api-bills-invoice"),
    path("invoices/", api.InvoiceListView.as_view(), name="api-invoices-list"),
    path("invoices/<int:pk>/", api.InvoiceDetailView.as_view(), name="api-invoices-detail"),
    path("bills/<int:pk>/pdf/", api.BillPdfView.as_view(), name="api-bills-pdf"),
    path("bills/<int:pk>/xlsx/", api.BillXlsxView.as_view(), name="api-bills-xlsx"),
    path("invoices/<int:pk>/pdf/", api.InvoicePdfView.as_view(), name="api-invoices-pdf"),
]
