from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("Enrollment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # clients asks for headcounts through a port; the owner of enrolments answers it
        from clients.headcount import register
        from enrollment.persons.selectors import ACTIVE_HEADCOUNTS

        register(ACTIVE_HEADCOUNTS)
