from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from enrollment.models import Enrollment, InsuredPerson, Paper


@admin.register(InsuredPerson)
class InsuredPersonAdmin(SimpleHistoryAdmin):
    """Never the full ID number: the back-office shows the masked number and has no
    reveal (staff reveal on the person's page, which is audited). Persons are created
    through `enrollment.persons.services` (staff pages, roster orders), not here."""

    list_display = ("name", "id_document_type", "id_number_masked", "sex", "birth_date",
                    "hukou_type", "employment_type")
    list_filter = ("id_document_type", "hukou_type", "employment_type")
    search_fields = ("name", "=id_number_last4")
    readonly_fields = ("id_document_type", "id_number_masked", "sex", "birth_date",
                       "created_at", "updated_at")
    exclude = ("id_number_encrypted", "id_number_hash", "id_number_last4",
               "hukou_address_encrypted")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    list_display = ("person", "client", "city", "scheme", "status", "starts_on", "ends_on",
                    "base_kind", "base")
    list_filter = ("scheme", "status", "city")
    raw_id_fields = ("person", "client")


@admin.register(Paper)
class PaperAdmin(SimpleHistoryAdmin):
    """Papers are listed, never served here: downloads go through the audited pages."""

    list_display = ("person", "client", "kind", "content_type", "size", "uploaded_at")
    list_filter = ("kind", "content_type")
    search_fields = ("person__name", "sha256")
    raw_id_fields = ("person", "client", "uploaded_by")
    exclude = ("file",)
    readonly_fields = ("person", "client", "kind", "original_name", "content_type", "size",
                       "sha256", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
