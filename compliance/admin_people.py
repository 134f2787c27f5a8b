"""Back-office (Django admin) of the compliance app: people (revisits, training sessions,
monthly assessments). The pages under /staff/ record them through the services; the
back-office is for looking up and correcting, with the history of every change."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from compliance.models import Assessment, Revisit, TrainingSession


@admin.register(Revisit)
class RevisitAdmin(SimpleHistoryAdmin):
    list_display = ("client", "visited_on", "visited_by")
    list_filter = ("visited_on",)
    search_fields = ("client__name", "notes", "client_feedback")
    date_hierarchy = "visited_on"
    raw_id_fields = ("client", "visited_by")
    list_select_related = ("client", "visited_by")


@admin.register(TrainingSession)
class TrainingSessionAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "topic", "title", "trainer")
    list_filter = ("topic",)
    search_fields = ("title", "trainer")
    date_hierarchy = "held_on"
    filter_horizontal = ("attendees",)


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ("staff", "month", "score", "outcome", "assessed_by")
    list_filter = ("month", "outcome")
    search_fields = ("staff__username", "staff__display_name", "note")
    raw_id_fields = ("staff", "assessed_by")
    list_select_related = ("staff", "assessed_by")
