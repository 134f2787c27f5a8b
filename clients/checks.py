"""System checks of the clients app."""

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_webhook_private_hosts(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Hosts in WEBHOOK_ALLOW_HTTP_HOSTS may be reached over plain HTTP and inside private
    networks (the tests' and the demo's receiver): in production that is an SSRF hole."""
    if settings.WEBHOOK_ALLOW_HTTP_HOSTS:
        return [checks.Warning(
            "WEBHOOK_ALLOW_HTTP_HOSTS is not empty: clients' webhooks may reach "
            + ", ".join(settings.WEBHOOK_ALLOW_HTTP_HOSTS) + " over plain HTTP and private "
            "addresses.",
            hint="Leave WEBHOOK_ALLOW_HTTP_HOSTS empty in production.",
            id="clients.W001",
        )]
    return []
