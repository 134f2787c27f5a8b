"""Back-office (Django admin) of the compliance app: service desk. The desk's pages and
services do the work (clocks, workflow, notifications); the back-office reads and corrects,
with the history of every change."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from compliance.models import Complaint, CorrectiveAction, Feedback, Inquiry, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("created_at", "from_client", "author", "author_label", "body")
    readonly_fields = ("created_at",)
    raw_id_fields = ("author",)


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    extra = 0
    fields = ("description", "owner", "due_on", "done_at")
    raw_id_fields = ("owner",)


@admin.register(Inquiry)
class InquiryAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "client", "channel", "status", "received_at", "respond_by",
                    "first_response_at", "assignee")
    list_filter = ("status", "channel")
    search_fields = ("subject", "client__name")
    date_hierarchy = "received_at"
    raw_id_fields = ("client", "opened_by", "assignee")
    inlines = [MessageInline]


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "client", "channel", "status", "received_at", "handle_by",
                    "first_action_at", "client_confirmed_at", "assignee")
    list_filter = ("status", "channel")
    search_fields = ("subject", "client__name")
    date_hierarchy = "received_at"
    raw_id_fields = ("client", "opened_by", "assignee")
    inlines = [CorrectiveActionInline, MessageInline]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(SimpleHistoryAdmin):
    list_display = ("description", "complaint", "owner", "due_on", "done_at")
    list_filter = ("done_at",)
    raw_id_fields = ("complaint", "owner")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("about", "about_id", "client", "score", "given_by", "created_at")
    list_filter = ("about", "score")
    search_fields = ("client__name", "comment")
    raw_id_fields = ("client", "given_by")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "inquiry", "complaint", "from_client", "author_label",
                    "created_at")
    list_filter = ("from_client",)
    raw_id_fields = ("inquiry", "complaint", "author")
