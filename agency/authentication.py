"""API authentication. Kept apart from agency.api: DRF imports these classes while its
own views module is still loading."""

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

EXPIRED_MESSAGE = (
    "令牌已过期，请重新登录获取新令牌 / The token has expired: log in again for a new one"
)


def token_expired(token: Any, now: datetime.datetime | None = None) -> bool:
    """A user's token older than `API_TOKEN_TTL_HOURS` no longer authenticates."""
    now = now or timezone.now()
    return token.created <= now - datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


class TokenOrApiKeyAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`: a staff or portal user's token, until it expires.

    A client's API key is sent the same way; the clients app extends this class
    (`clients.auth`) to accept those too."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(EXPIRED_MESSAGE)
        return user, token
