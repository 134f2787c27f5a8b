from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agency.audit import (
    audit_user_deleted,
    audit_user_password_set,
    audit_user_saved,
    user_rights,
)
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

    # user management is audited: creation, role changes, (de)activation, other rights,
    # passwords set by an administrator, deletion (agency.audit)
    def save_model(self, request: HttpRequest, obj: User, form: "ModelForm[User]",
                   change: bool) -> None:
        before = None
        if change and obj.pk:
            saved = User.objects.filter(pk=obj.pk).first()
            before = user_rights(saved) if saved is not None else None
        super().save_model(request, obj, form, change)
        audit_user_saved(user=obj, before=before, actor=request.user,  # type: ignore[arg-type]
                         changed=tuple(form.changed_data), request=request)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        audit_user_deleted(user=obj, actor=request.user, request=request)  # type: ignore[arg-type]
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            audit_user_deleted(user=user, actor=request.user,  # type: ignore[arg-type]
                               request=request)
        super().delete_queryset(request, queryset)

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            saved = (request.method == "POST" and response.status_code == 302
                     and response.get("Location") != request.get_full_path())
            if saved:
                user = self.get_object(request, unquote(id))
                if user is not None:
                    audit_user_password_set(user=user, actor=request.user,  # type: ignore[arg-type]
                                            request=request)
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: no add, change or delete (the model
    and, on PostgreSQL, a trigger refuse them too). /staff/audit/ searches and exports."""

    list_display = ("at", "actor_label", "action", "target_type", "target_id",
                    "client_id_ref", "ip_address", "request_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "target_id", "request_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}

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
