from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from clients.models import ApiKey, Client, Contract, ContractPrice, ContractReminder
from clients.services import api_key_revoke


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
    # a key's client and revocation change only through the services (audited): revoke
    # with the action below; a key is never moved to another client, un-revoked or deleted
    readonly_fields = ("client", "prefix", "key_hash", "created_at", "last_used_at",
                       "created_by", "revoked_at")
    actions = ("revoke_keys",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued on the staff pages or the API (shown once)

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=api_key, actor=request.user)  # type: ignore[arg-type]


@admin.register(ContractReminder)
class ContractReminderAdmin(admin.ModelAdmin):
    list_display = ("contract", "lead_days", "sent_on", "recipient")
    list_filter = ("lead_days",)
