"""Back-office views of the policy tables. Versions and items are read-only here: every
policy edit goes through policies.services (the staff policy pages), which keeps the lock on
billed versions and writes the audit row (`policy_changed`); an admin form would do
neither."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from policies.models import City, PolicyItem, PolicyVersion


@admin.register(City)
class CityAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "order_cutoff_day")
    search_fields = ("code", "name")


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PolicyItemInline(_ReadOnly, admin.TabularInline):
    model = PolicyItem
    extra = 0


@admin.register(PolicyVersion)
class PolicyVersionAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ("city", "effective_from", "effective_to", "provisional", "locked_at")
    list_filter = ("city", "provisional")
    inlines = [PolicyItemInline]


@admin.register(PolicyItem)
class PolicyItemAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ("version", "kind", "base_floor", "base_ceiling", "employer_rate",
                    "employee_rate", "confidence")
    list_filter = ("kind", "version__city")
