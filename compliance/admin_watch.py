"""Back-office (Django admin) of the compliance app: watch. A reminder is the proof that a
finding was sent once: read-only, never added or changed by hand."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from compliance.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("created_at", "rule", "stage", "subject_key", "recipient", "escalation",
                    "emailed_at")
    list_filter = ("rule", "stage", "escalation")
    search_fields = ("subject_key", "message", "recipient__username")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
