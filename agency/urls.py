"""The URL map: the one place (with the beat schedule) that knows every app.

/staff/  staff web UI      /portal/  client self-service portal
/api/v1/ REST API          /admin/   back-office"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agency import api_views, views
from clients import api as clients_api
from compliance import views as compliance_views
from enrollment import person_api
from enrollment import person_views as persons

staff_patterns = [
    path("", compliance_views.staff_dashboard, name="staff-dashboard"),
    path("login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("logout/", views.staff_logout, name="staff-logout"),
    # insured persons (enrollment)
    path("persons/", persons.staff_person_list, name="staff-persons-list"),
    path("persons/export.xlsx", persons.staff_person_export, name="staff-persons-export"),
    path("persons/new/", persons.staff_person_create, name="staff-persons-create"),
    path("persons/<int:pk>/edit/", persons.staff_person_edit, name="staff-persons-edit"),
    path("persons/<int:pk>/", persons.staff_person_detail, name="staff-persons-detail"),
    path("persons/<int:pk>/reveal/", persons.staff_person_reveal, name="staff-persons-reveal"),
    path("persons/<int:pk>/enrollments/<int:enrollment_pk>/seal/",
         persons.staff_housing_fund_action, {"action": "seal"}, name="staff-persons-fund-seal"),
    path("persons/<int:pk>/enrollments/<int:enrollment_pk>/unseal/",
         persons.staff_housing_fund_action, {"action": "unseal"},
         name="staff-persons-fund-unseal"),
    path("persons/<int:pk>/letter.pdf", persons.staff_person_letter, name="staff-persons-letter"),
    path("persons/<int:pk>/papers/", persons.staff_paper_upload,
         name="staff-persons-paper-upload"),
    path("persons/<int:pk>/papers/<int:paper_pk>/", persons.staff_paper_download,
         name="staff-persons-paper-download"),
]

portal_patterns = [
    path("", compliance_views.portal_dashboard, name="portal-dashboard"),
    path("login/", views.PortalLoginView.as_view(), name="portal-login"),
    path("logout/", views.portal_logout, name="portal-logout"),
    # insured persons (enrollment)
    path("persons/", persons.portal_person_list, name="portal-persons-list"),
    path("persons/<int:pk>/", persons.portal_person_detail, name="portal-persons-detail"),
    path("persons/<int:pk>/letter.pdf", persons.portal_person_letter,
         name="portal-persons-letter"),
    path("persons/<int:pk>/papers/", persons.portal_paper_upload,
         name="portal-persons-paper-upload"),
    path("persons/<int:pk>/papers/<int:paper_pk>/", persons.portal_paper_download,
         name="portal-persons-paper-download"),
]

api_patterns = [
    path("auth/token/", api_views.TokenLoginView.as_view(), name="api-token"),
    path("me/", clients_api.MeView.as_view(), name="api-me"),
    path("persons/", person_api.PersonListView.as_view(), name="api-persons-list"),
    path("persons/<int:pk>/", person_api.PersonDetailView.as_view(), name="api-persons-detail"),
    path("persons/<int:pk>/papers/", person_api.PaperUploadView.as_view(),
         name="api-persons-paper-upload"),
    path("persons/<int:pk>/papers/<int:paper_pk>/", person_api.PaperDownloadView.as_view(),
         name="api-persons-paper-download"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include(staff_patterns)),
    path("portal/", include(portal_patterns)),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "agency.errors_views.not_found"
handler500 = "agency.errors_views.server_error"
