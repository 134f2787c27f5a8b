from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clients.models import Client


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ("name", "uscc", "is_active", "created_at")
    search_fields = ("name", "uscc")
    list_filter = ("is_active",)
