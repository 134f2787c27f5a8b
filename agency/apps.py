from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("Agency")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from agency import (
            crypto,  # noqa: F401 - registers the field-key system checks
            signals,
        )

        user_logged_in.connect(signals.audit_login, dispatch_uid="agency.audit_login")
        user_login_failed.connect(signals.audit_login_failed,
                                  dispatch_uid="agency.audit_login_failed")
