"""The API's rate limit, one bucket per caller: an API key by its id, a user (token or
session) by their id, anyone else by their address. One caller using up its rate never
slows another."""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from agency.viewer import ApiKeyPrincipal


class ApiCallerRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request: Request, view: Any) -> str:
        user = request.user
        if isinstance(user, ApiKeyPrincipal):
            ident = f"key_{user.api_key_id}"
        elif user is not None and getattr(user, "is_authenticated", False):
            ident = f"user_{user.pk}"
        else:
            ident = f"ip_{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
