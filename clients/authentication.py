"""API authentication: a user's token, or else a client's API key, both sent as
`Authorization: Token <key>`. Neither works for a deactivated client."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from agency.authentication import TokenOrApiKeyAuthentication
from agency.viewer import ApiKeyPrincipal

CLIENT_INACTIVE = _("This client is deactivated. Contact the agency.")


class ClientApiKeyAuthentication(TokenOrApiKeyAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            user, token = super().authenticate_credentials(key)
        except exceptions.AuthenticationFailed:
            from clients.services import api_key_authenticate

            api_key = api_key_authenticate(key=key)
            if api_key is None:
                raise
            if not api_key.client.is_active:
                raise exceptions.AuthenticationFailed(CLIENT_INACTIVE) from None
            principal = ApiKeyPrincipal(client_id=api_key.client_id, api_key_id=api_key.pk,
                                        name=api_key.name)
            return principal, api_key
        if getattr(user, "client_id", None) is not None and not user.client.is_active:
            raise exceptions.AuthenticationFailed(CLIENT_INACTIVE)
        return user, token


class ActiveClientSessionAuthentication(SessionAuthentication):
    """The browser session on the API: a portal user of a deactivated client is refused
    here too, not only on the portal's pages."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        found = super().authenticate(request)
        if found is not None:
            user = found[0]
            if getattr(user, "client_id", None) is not None and not user.client.is_active:
                raise exceptions.AuthenticationFailed(CLIENT_INACTIVE)
        return found


class ActiveClientSessionScheme(SessionScheme):
    """The API schema describes the session authentication above as the cookie it is."""

    target_class = "clients.authentication.ActiveClientSessionAuthentication"
