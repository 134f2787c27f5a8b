from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agency.models import (
    AuditEvent,
    Heartbeat,
    Licence,
    Notification,
    StaffProfile,
    User,
    WorkdayOverride,
)

admin.site.site_header = _("Social insurance agency back-office")
admin.site.site_title = _("Back-office")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "role", "client", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")
    autocomplete_fields = ("client",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role"), {"fields": ("role", "client", "display_name", "phone")}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        (_("Role"), {"fields": ("role", "client", "display_name")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_label", "target_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


admin.site.register(Heartbeat)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(SimpleHistoryAdmin):
    """Holidays and make-up working days staff enter from the State Council's notice for a
    year the `chinesecalendar` package does not cover (or to correct one day)."""

    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    search_fields = ("note",)
    date_hierarchy = "date"


@admin.register(Licence)
class LicenceAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "number", "authority", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("number", "authority")


@admin.register(StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ("user", "education", "hr_experience_since", "certificate_number",
                    "certificate_valid_until")
    list_filter = ("education",)
    search_fields = ("user__username", "user__display_name", "certificate_number")
    raw_id_fields = ("user",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "message", "created_at", "read_at")
    raw_id_fields = ("user",)
