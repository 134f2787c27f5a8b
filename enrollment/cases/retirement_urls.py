"""Routes of the retirement list (the lead includes them with the cases' routes)."""

from django.urls import path

from agency.routing import faces
from enrollment.cases import retirement_views

urlpatterns = faces(
    staff=[
        path("cases/retiring/", retirement_views.staff_cases_retiring,
             name="staff-cases-retiring"),
    ],
    portal=[
        path("cases/retiring/", retirement_views.portal_cases_retiring,
             name="portal-cases-retiring"),
    ],
)
