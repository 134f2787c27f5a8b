from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from enrollment.models import (
    Case,
    CaseMessage,
    CasePaper,
    CaseStep,
    Enrollment,
    InsuredPerson,
    Paper,
)


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


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    """Insurance cases are read here; they change through their pages (the services)."""

    list_display = ("id", "client", "person", "type", "status", "opened_at", "handle_by",
                    "first_action_at", "statutory_due", "assignee")
    list_filter = ("type", "status")
    search_fields = ("person__name", "client__name")
    raw_id_fields = ("client", "person", "enrollment", "opened_by", "assignee")
    readonly_fields = ("opened_at", "handle_by", "first_action_at", "statutory_due",
                       "closed_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CaseStep)
class CaseStepAdmin(SimpleHistoryAdmin):
    list_display = ("case", "position", "key", "is_paper", "done_at", "done_by")
    list_filter = ("is_paper",)
    raw_id_fields = ("case", "done_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CasePaper)
class CasePaperAdmin(admin.ModelAdmin):
    """Listed, never served here: downloads go through the audited case pages."""

    list_display = ("case", "step_key", "original_name", "size", "uploaded_at")
    raw_id_fields = ("case", "uploaded_by")
    exclude = ("file",)
    readonly_fields = ("case", "step_key", "original_name", "sha256", "size", "uploaded_by",
                       "uploaded_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CaseMessage)
class CaseMessageAdmin(admin.ModelAdmin):
    list_display = ("case", "from_client", "author_label", "created_at")
    list_filter = ("from_client",)
    raw_id_fields = ("case", "author")
