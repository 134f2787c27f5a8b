"""The URL map: the one place (with the beat schedule) that knows every app.

/staff/  staff web UI      /portal/  client self-service portal
/api/v1/ REST API          /admin/   back-office"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agency import api_views, views
from clients import api as clients_api
from compliance import views as compliance_views
from enrollment import api as enrollment_api
from enrollment import views as enrollment_views

staff_patterns = [
    path("", compliance_views.staff_dashboard, name="staff-dashboard"),
    path("login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("logout/", views.staff_logout, name="staff-logout"),
    path("cities/", enrollment_views.staff_city_list, name="staff-cities-list"),
    path("cities/<str:code>/", enrollment_views.staff_city_detail, name="staff-cities-detail"),
    path("policies/<int:pk>/", enrollment_views.staff_policy_detail,
         name="staff-policies-detail"),
    path("policies/<int:pk>/edit/", enrollment_views.staff_policy_edit,
         name="staff-policies-edit"),
    path("policies/<int:pk>/copy/", enrollment_views.staff_policy_copy,
         name="staff-policies-copy"),
    path("policies/<int:pk>/items/add/", enrollment_views.staff_policy_item_add,
         name="staff-policy-items-add"),
    path("policy-items/<int:pk>/edit/", enrollment_views.staff_policy_item_edit,
         name="staff-policy-items-edit"),
    path("quote/", enrollment_views.staff_quote, name="staff-quote"),
]

portal_patterns = [
    path("", compliance_views.portal_dashboard, name="portal-dashboard"),
    path("login/", views.PortalLoginView.as_view(), name="portal-login"),
    path("logout/", views.portal_logout, name="portal-logout"),
    path("quote/", enrollment_views.portal_quote, name="portal-quote"),
]

api_patterns = [
    path("auth/token/", api_views.TokenLoginView.as_view(), name="api-token"),
    path("me/", clients_api.MeView.as_view(), name="api-me"),
    path("cities/", enrollment_api.CityListView.as_view(), name="api-cities-list"),
    path("cities/<str:code>/quote/", enrollment_api.QuoteView.as_view(), name="api-cities-quote"),
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
