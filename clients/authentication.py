"""API authentication: a user's token, or else a client's API key, both sent as
`Authorization: Token <key>`. Neither works for a deactivated client."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

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
