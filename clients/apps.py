from collections.abc import Iterable

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agency import directory
        from clients import checks  # noqa: F401 - registers the deploy checks
        from clients.models import Client

        def names(ids: Iterable[int]) -> dict[int, str]:
            return dict(Client.objects.filter(pk__in=list(ids)).values_list("pk", "name"))

        def choices() -> list[tuple[int, str]]:
            return list(Client.objects.order_by("name").values_list("pk", "name"))

        directory.register(names=names, choices=choices)
