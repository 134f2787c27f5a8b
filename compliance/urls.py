"""Routes of the compliance app: the dashboards of both faces."""

from django.urls import path

from agency.routing import faces
from compliance import views

urlpatterns = faces(
    staff=[path("", views.staff_dashboard, name="staff-dashboard")],
    portal=[path("", views.portal_dashboard, name="portal-dashboard")],
)
