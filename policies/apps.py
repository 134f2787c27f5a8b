from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    """Cities, their contribution policies, the policy data file and the calculator."""

    name = "policies"
    verbose_name = _("Cities and policies")
    default_auto_field = "django.db.models.BigAutoField"
