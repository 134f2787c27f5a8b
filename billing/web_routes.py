"""Staff and portal routes of billing (the views are in `billing.views`)."""

from django.urls import path

from agency.routing import Route
from billing import views

STAFF: list[Route] = [
    path("billing/bills/", views.staff_bill_list, name="staff-billing-bills-list"),
    path("billing/bills/<int:pk>/", views.staff_bill_detail, name="staff-billing-bill-detail"),
    path("billing/bills/<int:pk>/regenerate/", views.staff_bill_regenerate,
         name="staff-billing-bill-regenerate"),
    path("billing/bills/<int:pk>/issue/", views.staff_bill_issue,
         name="staff-billing-bill-issue"),
    path("billing/bills/<int:pk>/void/", views.staff_bill_void, name="staff-billing-bill-void"),
    path("billing/bills/<int:pk>/adjust/", views.staff_bill_adjust,
         name="staff-billing-bill-adjust"),
    path("billing/bills/<int:pk>/answer/", views.staff_bill_answer,
         name="staff-billing-bill-answer"),
    path("billing/bills/<int:pk>/correct/", views.staff_bill_correct,
         name="staff-billing-bill-correct"),
    path("billing/bills/<int:pk>/payments/", views.staff_bill_payment,
         name="staff-billing-bill-payment"),
    path("billing/bills/<int:pk>/invoice/", views.staff_bill_invoice,
         name="staff-billing-bill-invoice"),
    path("billing/bills/<int:pk>/pdf/", views.staff_bill_pdf, name="staff-billing-bill-pdf"),
    path("billing/bills/<int:pk>/xlsx/", views.staff_bill_xlsx, name="staff-billing-bill-xlsx"),
    path("billing/generate/", views.staff_generate, name="staff-billing-generate"),
    path("billing/generate/<uuid:task_id>/", views.staff_generate_progress,
         name="staff-billing-generate-progress"),
    path("billing/generate/<uuid:task_id>/status/", views.staff_generate_status,
         name="staff-billing-generate-status"),
    path("billing/invoices/", views.staff_invoice_list, name="staff-billing-invoices-list"),
    path("billing/invoices/export/", views.staff_invoice_export,
         name="staff-billing-invoices-export"),
    path("billing/invoices/numbers/", views.staff_invoice_numbers,
         name="staff-billing-invoices-numbers"),
    path("billing/invoices/<int:pk>/pdf/", views.staff_invoice_pdf,
         name="staff-billing-invoice-pdf"),
    path("billing/totals/", views.staff_month_totals, name="staff-billing-totals"),
]
PORTAL: list[Route] = [
    path("billing/bills/", views.portal_bill_list, name="portal-billing-bills-list"),
    path("billing/bills/<int:pk>/", views.portal_bill_detail,
         name="portal-billing-bill-detail"),
    path("billing/bills/<int:pk>/confirm/", views.portal_bill_confirm,
         name="portal-billing-bill-confirm"),
    path("billing/bills/<int:pk>/dispute/", views.portal_bill_dispute,
         name="portal-billing-bill-dispute"),
    path("billing/bills/<int:pk>/pdf/", views.portal_bill_pdf, name="portal-billing-bill-pdf"),
    path("billing/bills/<int:pk>/xlsx/", views.portal_bill_xlsx,
         name="portal-billing-bill-xlsx"),
    path("billing/invoices/", views.portal_invoice_list, name="portal-billing-invoices-list"),
    path("billing/invoices/<int:pk>/pdf/", views.portal_invoice_pdf,
         name="portal-billing-invoice-pdf"),
]
