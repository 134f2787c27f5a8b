"""Routes of the people side: revisits, training sessions, monthly assessments."""

from django.urls import path

from agency.routing import Route
from compliance import people_views as views

staff: list[Route] = [
    path("revisits/", views.staff_revisit_list, name="staff-revisits-list"),
    path("revisits/new/", views.staff_revisit_create, name="staff-revisits-create"),
    path("revisits/clients/<int:pk>/", views.staff_revisit_client,
         name="staff-revisits-client"),
    path("trainings/", views.staff_training_list, name="staff-trainings-list"),
    path("trainings/new/", views.staff_training_create, name="staff-trainings-create"),
    path("assessments/", views.staff_assessment_list, name="staff-assessments-list"),
    path("assessments/new/", views.staff_assessment_create, name="staff-assessments-create"),
]
