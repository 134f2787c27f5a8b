"""API authentication: a user's token, or else a client's API key, both sent as
`Authorization: Token <key>`."""

from typing import Any

from rest_framework import exceptions

from agency.authentication import TokenOrApiKeyAuthentication
from agency.viewer import ApiKeyPrincipal


class ClientApiKeyAuthentication(TokenOrApiKeyAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            return super().authenticate_credentials(key)
        except exceptions.AuthenticationFailed:
            from clients.services import api_key_authenticate

            api_key = api_key_authenticate(key=key)
            if api_key is None:
                raise
            principal = ApiKeyPrincipal(client_id=api_key.client_id, api_key_id=api_key.pk,
                                        name=api_key.name)
            return principal, api_key
