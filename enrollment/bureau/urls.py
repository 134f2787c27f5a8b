"""Routes of the bureau interchange (报盘/回盘): staff only."""

from django.urls import path

from agency.routing import faces
from enrollment.bureau import views

urlpatterns = faces(
    staff=[
        path("bureau/", views.staff_bureau, name="staff-bureau"),
        path("bureau/export.xlsx", views.staff_bureau_export, name="staff-bureau-export"),
        path("bureau/feedback/", views.staff_bureau_feedback, name="staff-bureau-feedback"),
    ],
)
