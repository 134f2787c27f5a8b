"""The URL map: the one place (with the beat schedule) that knows every app.

/staff/  staff web UI      /portal/  client self-service portal
/api/v1/ REST API          /admin/   back-office"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agency import api_views, views
from clients import api as clients_api
from clients import webhook_api
from compliance import views as compliance_views

staff_patterns = [
    path("", compliance_views.staff_dashboard, name="staff-dashboard"),
    path("login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("logout/", views.staff_logout, name="staff-logout"),
]

portal_patterns = [
    path("", compliance_views.portal_dashboard, name="portal-dashboard"),
    path("login/", views.PortalLoginView.as_view(), name="portal-login"),
    path("logout/", views.portal_logout, name="portal-logout"),
]

api_patterns = [
    path("auth/token/", api_views.TokenLoginView.as_view(), name="api-token"),
    path("me/", clients_api.MeView.as_view(), name="api-me"),
    path("webhooks/", webhook_api.WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>/", webhook_api.WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<int:pk>/deliveries/", webhook_api.WebhookDeliveryListView.as_view(),
         name="api-webhook-deliveries"),
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
