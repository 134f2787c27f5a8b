"""Staff, portal and API routes of bureau reconciliation (views in
`billing.reconciliation_views`)."""

from django.urls import path

from agency.routing import Route
from billing import reconciliation_views as views

STAFF: list[Route] = [
    path("billing/reconciliation/", views.staff_run_list,
         name="staff-billing-reconciliation-list"),
    path("billing/reconciliation/upload/", views.staff_run_upload,
         name="staff-billing-reconciliation-upload"),
    path("billing/reconciliation/<int:pk>/", views.staff_run_detail,
         name="staff-billing-reconciliation-detail"),
    path("billing/reconciliation/<int:pk>/xlsx/", views.staff_run_xlsx,
         name="staff-billing-reconciliation-xlsx"),
    path("billing/reconciliation/<int:pk>/accept/", views.staff_run_accept_kind,
         name="staff-billing-reconciliation-accept-kind"),
    path("billing/reconciliation/differences/<int:pk>/accept/", views.staff_difference_accept,
         name="staff-billing-reconciliation-difference-accept"),
    path("billing/reconciliation/differences/<int:pk>/bureau-error/",
         views.staff_difference_bureau_error,
         name="staff-billing-reconciliation-difference-bureau-error"),
]
PORTAL: list[Route] = []
API: list[Route] = []
