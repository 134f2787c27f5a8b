"""Middleware of the project."""

import contextlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from simple_history.models import HistoricalRecords


class _HistoryRequest:
    """What django-simple-history sees of the request: `.user` is a real User or None.

    An API-key call has an `ApiKeyPrincipal` as its user, which is no row of the user
    table; its changes are recorded without a history user (the audit log names the key)."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @property
    def user(self) -> Any:
        from agency.models import User

        user = getattr(self._request, "user", None)
        return user if isinstance(user, User) else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def history_request_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Replaces simple_history's HistoryRequestMiddleware (same job, API keys allowed)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        HistoricalRecords.context.request = _HistoryRequest(request)
        try:
            return get_response(request)
        finally:
            with contextlib.suppress(AttributeError):
                del HistoricalRecords.context.request

    return middleware
