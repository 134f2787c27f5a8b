"""Routes of insurance cases (STD-4.1, 6.3): staff, portal, API."""

from django.urls import path

from agency.routing import faces
from enrollment.cases import api, views

urlpatterns = faces(
    staff=[
        path("cases/", views.staff_case_list, name="staff-cases-list"),
        path("cases/new/", views.staff_case_create, name="staff-cases-create"),
        path("cases/<int:pk>/", views.staff_case_detail, name="staff-cases-detail"),
        path("cases/<int:pk>/steps/<slug:key>/done/", views.staff_case_step,
             name="staff-cases-step-done"),
        path("cases/<int:pk>/papers/", views.staff_case_paper_upload,
             name="staff-cases-paper-upload"),
        path("cases/<int:pk>/papers/<int:paper_pk>/", views.staff_case_paper,
             name="staff-cases-paper"),
        path("cases/<int:pk>/messages/", views.staff_case_message,
             name="staff-cases-message"),
        path("cases/<int:pk>/wait/", views.staff_case_wait, name="staff-cases-wait"),
        path("cases/<int:pk>/close/", views.staff_case_close, name="staff-cases-close"),
    ],
    portal=[
        path("cases/", views.portal_case_list, name="portal-cases-list"),
        path("cases/new/", views.portal_case_create, name="portal-cases-create"),
        path("cases/<int:pk>/", views.portal_case_detail, name="portal-cases-detail"),
        path("cases/<int:pk>/papers/", views.portal_case_paper_upload,
             name="portal-cases-paper-upload"),
        path("cases/<int:pk>/papers/<int:paper_pk>/", views.portal_case_paper,
             name="portal-cases-paper"),
        path("cases/<int:pk>/messages/", views.portal_case_message,
             name="portal-cases-message"),
        path("cases/<int:pk>/cancel/", views.portal_case_cancel, name="portal-cases-cancel"),
    ],
    api=[
        path("cases/", api.CaseListCreateView.as_view(), name="api-cases"),
        path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="api-cases-detail"),
        path("cases/<int:pk>/messages/", api.CaseMessageView.as_view(),
             name="api-cases-messages"),
    ],
)
