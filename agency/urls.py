"""The root URL map: the agency's own routes (log-in of each face, the API token, the
organisation pages, health), then each app's `urls.py`. With the beat schedule, the one
place that knows every app, and it knows them by name only.

/staff/  staff web UI      /portal/  client self-service portal
/api/v1/ REST API          /admin/   back-office"""

from django.contrib import admin
from django.urls import include, path

from agency import api_views, views, views_audit, views_inbox, views_org
from agency.api_docs import PrivateDocsView, PrivateSchemaView
from agency.routing import faces

APPS = ("archive", "policies", "clients", "enrollment", "billing", "compliance")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    *faces(
        staff=[
            path("login/", views.StaffLoginView.as_view(), name="staff-login"),
            path("logout/", views.staff_logout, name="staff-logout"),
            path("two-factor/", views.staff_two_factor, name="staff-two-factor"),
            path("two-factor/setup/", views.staff_two_factor_setup,
                 name="staff-two-factor-setup"),
            # agency organisation (STD-3.1, STD-3.2)
            path("licences/", views_org.staff_licence_list, name="staff-licences-list"),
            path("licences/new/", views_org.staff_licence_create,
                 name="staff-licences-create"),
            path("licences/<int:pk>/edit/", views_org.staff_licence_edit,
                 name="staff-licences-edit"),
            path("licences/<int:pk>/scan/", views_org.staff_licence_scan,
                 name="staff-licences-scan"),
            path("staff-profiles/", views_org.staff_profile_list, name="staff-profiles-list"),
            path("staff-profiles/<int:user_id>/edit/", views_org.staff_profile_edit,
                 name="staff-profiles-edit"),
            # the audit log: admins and managers search and export it
            path("audit/", views_audit.staff_audit, name="staff-audit"),
            path("audit/export/", views_audit.staff_audit_export, name="staff-audit-export"),
            path("notifications/", views_inbox.staff_notifications,
                 name="staff-notifications"),
            path("notifications/<int:pk>/", views_inbox.staff_notification_open,
                 name="staff-notification-open"),
            path("notifications/read/", views_inbox.staff_notifications_read,
                 name="staff-notifications-read"),
        ],
        portal=[
            path("login/", views.PortalLoginView.as_view(), name="portal-login"),
            path("logout/", views.portal_logout, name="portal-logout"),
            path("notifications/", views_inbox.portal_notifications,
                 name="portal-notifications"),
            path("notifications/<int:pk>/", views_inbox.portal_notification_open,
                 name="portal-notification-open"),
            path("notifications/read/", views_inbox.portal_notifications_read,
                 name="portal-notifications-read"),
        ],
        api=[
            path("auth/token/", api_views.TokenLoginView.as_view(), name="api-token"),
        ],
    ),
    *(path("", include(f"{app}.urls")) for app in APPS),
    path("api/schema/", PrivateSchemaView.as_view(), name="api-schema"),
    path("api/docs/", PrivateDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "agency.errors_views.not_found"
handler500 = "agency.errors_views.server_error"
