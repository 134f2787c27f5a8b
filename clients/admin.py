from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clients.models import ApiKey, Client, Contract, ContractPrice, ContractReminder


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ("name", "uscc", "ownership_type", "industry", "city", "service_rep",
                    "licence_verified_at", "is_active")
    search_fields = ("name", "uscc")
    list_filter = ("is_active", "ownership_type", "industry")
    raw_id_fields = ("service_rep", "licence_verified_by", "city")


class ContractPriceInline(admin.TabularInline):
    model = ContractPrice
    extra = 0
    raw_id_fields = ("city",)


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("number", "client", "status", "starts_on", "ends_on")
    list_filter = ("status",)
    search_fields = ("number", "client__name")
    raw_id_fields = ("client", "created_by")
    inlines = [ContractPriceInline]


@admin.register(ApiKey)
class ApiKeyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "client", "prefix", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "prefix", "client__name")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at", "created_by")
    raw_id_fields = ("client",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued on the staff pages or the API (shown once)


@admin.register(ContractReminder)
class ContractReminderAdmin(admin.ModelAdmin):
    list_display = ("contract", "lead_days", "sent_on", "recipient")
    list_filter = ("lead_days",)
