from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from policies.models import City, PolicyItem, PolicyVersion


@admin.register(City)
class CityAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "order_cutoff_day")
    search_fields = ("code", "name")


class PolicyItemInline(admin.TabularInline):
    model = PolicyItem
    extra = 0


@admin.register(PolicyVersion)
class PolicyVersionAdmin(SimpleHistoryAdmin):
    list_display = ("city", "effective_from", "effective_to", "provisional", "locked_at")
    list_filter = ("city", "provisional")
    readonly_fields = ("locked_at",)
    inlines = [PolicyItemInline]


@admin.register(PolicyItem)
class PolicyItemAdmin(SimpleHistoryAdmin):
    list_display = ("version", "kind", "base_floor", "base_ceiling", "employer_rate",
                    "employee_rate", "confidence")
    list_filter = ("kind", "version__city")
