from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from archive.models import Appraisal, ArchiveItem, Destruction, FilingBatch, Loan


class NoDeleteAdmin(SimpleHistoryAdmin):
    """Archive records are never deleted from the back-office: destruction is a service."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ArchiveItem)
class ArchiveItemAdmin(NoDeleteAdmin):
    list_display = ("title", "kind", "client_id", "month", "checked", "filed_at", "status",
                    "retention_until")
    list_filter = ("kind", "status", "checked", "month")
    search_fields = ("title", "client_id", "sha256")
    readonly_fields = ("file", "sha256", "size", "created_at", "filed_at", "filed_by",
                       "content_type", "object_id", "status")


@admin.register(FilingBatch)
class FilingBatchAdmin(NoDeleteAdmin):
    list_display = ("month", "closed_at", "closed_by")
    readonly_fields = ("closed_at", "closed_by")


@admin.register(Loan)
class LoanAdmin(NoDeleteAdmin):
    list_display = ("item", "borrower", "purpose", "lent_on", "due_on", "returned_on")
    list_filter = ("returned_on",)


@admin.register(Appraisal)
class AppraisalAdmin(NoDeleteAdmin):
    list_display = ("item", "decision", "decided_by", "decided_at")


@admin.register(Destruction)
class DestructionAdmin(NoDeleteAdmin):
    list_display = ("item", "sha256", "approved_by", "destroyed_at")
    readonly_fields = ("item", "sha256", "file_name", "reason", "approved_by", "destroyed_at")
