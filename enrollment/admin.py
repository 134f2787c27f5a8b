from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from enrollment.models import City, Enrollment, InsuredPerson


@admin.register(City)
class CityAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "order_cutoff_day")
    search_fields = ("code", "name")


@admin.register(InsuredPerson)
class InsuredPersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    list_display = ("person", "client", "city", "scheme", "status", "starts_on", "ends_on")
    list_filter = ("scheme", "status", "city")
    raw_id_fields = ("person", "client")
