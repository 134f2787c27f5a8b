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


def needs_second_factor(user: Any) -> bool:
    """A logged-in staff user whose role must confirm the login with a TOTP code
    (`agency.roles.OTP_ROLES`) and who has not yet done so in this session."""
    from django.conf import settings

    from agency.roles import OTP_ROLES

    if not settings.STAFF_OTP_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "role", None) not in OTP_ROLES:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


# reachable before the second factor: the logins, the two-factor pages, logouts, language,
# static files and the health check
_OPEN_BEFORE_SECOND_FACTOR = (
    "/staff/login/", "/staff/logout/", "/staff/two-factor/", "/portal/login/",
    "/portal/logout/", "/admin/login/", "/admin/logout/", "/i18n/", "/static/", "/healthz",
)


def staff_two_factor_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Until a staff user of `OTP_ROLES` has entered a TOTP code, every page (staff pages,
    the admin) sends them to the two-factor page, and the API refuses their session.

    Runs after django-otp's OTPMiddleware (`request.user.is_verified()`). An API call
    with `Authorization` is left to DRF: the token login asked for the code already."""

    def middleware(request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(_OPEN_BEFORE_SECOND_FACTOR) or not needs_second_factor(
            request.user
        ):
            return get_response(request)
        if path.startswith("/api/"):
            if "HTTP_AUTHORIZATION" in request.META:
                return get_response(request)
            from django.http import JsonResponse

            from agency.views import TWO_FACTOR_REQUIRED

            return JsonResponse(
                {"error": {"code": "otp_required", "message": str(TWO_FACTOR_REQUIRED),
                           "details": []}},
                status=403,
            )
        from django.contrib.auth.views import redirect_to_login
        from django.urls import reverse

        return redirect_to_login(request.get_full_path(), reverse("staff-two-factor"))

    return middleware


REQUEST_ID_HEADER = "X-Request-ID"


def request_id_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Gives every request an id: the one the trusted proxy sent in `X-Request-ID` (only
    when `TRUSTED_PROXY_COUNT` says a proxy is in front, and only a well-formed one), else
    a new uuid4. Every log line written while serving it carries the id (a contextvar read
    by `agency.logging.RequestIdFilter`), the audit row records it, and the response
    returns it in `X-Request-ID` so a user's report can be matched to the logs."""
    from django.conf import settings
    from django.utils.log import log_response

    from agency.logging import new_request_id, request_id_var

    def middleware(request: HttpRequest) -> HttpResponse:
        trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0) > 0
        sent = request.META.get("HTTP_X_REQUEST_ID") if trusted else None
        request_id = new_request_id(sent)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = get_response(request)
            if response.status_code >= 400:
                # Django logs an error response after the middleware has returned, out of
                # the request's context; logged here it carries the id (once: Django skips
                # a response already logged)
                log_response("%s: %s", response.reason_phrase, request.path,
                             response=response, request=request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

    return middleware
