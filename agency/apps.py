from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("Agency")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agency import crypto  # noqa: F401 - registers the field-key system checks
