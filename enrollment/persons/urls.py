"""Routes of insured persons, their enrolments and papers (staff, portal, API)."""

from django.urls import path

from agency.routing import faces
from enrollment.persons import api, views

urlpatterns = faces(
    staff=[
        path("persons/", views.staff_person_list, name="staff-persons-list"),
        path("persons/export.xlsx", views.staff_person_export, name="staff-persons-export"),
        path("persons/export-requests/", views.staff_export_request_list,
             name="staff-persons-export-requests"),
        path("persons/export-requests/new/", views.staff_export_request_create,
             name="staff-persons-export-request-create"),
        path("persons/export-requests/<int:pk>/decide/", views.staff_export_request_decide,
             name="staff-persons-export-request-decide"),
        path("persons/export-requests/<int:pk>/download/", views.staff_export_request_download,
             name="staff-persons-export-request-download"),
        path("persons/new/", views.staff_person_create, name="staff-persons-create"),
        path("persons/<int:pk>/edit/", views.staff_person_edit, name="staff-persons-edit"),
        path("persons/<int:pk>/", views.staff_person_detail, name="staff-persons-detail"),
        path("persons/<int:pk>/reveal/", views.staff_person_reveal,
             name="staff-persons-reveal"),
        path("persons/<int:pk>/enrollments/<int:enrollment_pk>/seal/",
             views.staff_housing_fund_action, {"action": "seal"},
             name="staff-persons-fund-seal"),
        path("persons/<int:pk>/enrollments/<int:enrollment_pk>/unseal/",
             views.staff_housing_fund_action, {"action": "unseal"},
             name="staff-persons-fund-unseal"),
        path("persons/<int:pk>/letter.pdf", views.staff_person_letter,
             name="staff-persons-letter"),
        path("persons/<int:pk>/papers/", views.staff_paper_upload,
             name="staff-persons-paper-upload"),
        path("persons/<int:pk>/papers/<int:paper_pk>/", views.staff_paper_download,
             name="staff-persons-paper-download"),
    ],
    portal=[
        path("persons/", views.portal_person_list, name="portal-persons-list"),
        path("persons/<int:pk>/", views.portal_person_detail, name="portal-persons-detail"),
        path("persons/<int:pk>/letter.pdf", views.portal_person_letter,
             name="portal-persons-letter"),
        path("persons/<int:pk>/papers/", views.portal_paper_upload,
             name="portal-persons-paper-upload"),
        path("persons/<int:pk>/papers/<int:paper_pk>/", views.portal_paper_download,
             name="portal-persons-paper-download"),
    ],
    api=[
        path("persons/", api.PersonListView.as_view(), name="api-persons-list"),
        path("persons/search/", api.PersonSearchView.as_view(), name="api-persons-search"),
        path("persons/<int:pk>/", api.PersonDetailView.as_view(), name="api-persons-detail"),
        path("persons/<int:pk>/papers/", api.PaperUploadView.as_view(),
             name="api-persons-paper-upload"),
        path("persons/<int:pk>/papers/<int:paper_pk>/", api.PaperDownloadView.as_view(),
             name="api-persons-paper-download"),
    ],
)
