"""Audit rows for every login and failed login, whichever door it came through (staff,
portal, admin, API token): receivers of Django's `user_logged_in` / `user_login_failed`,
connected in `AgencyConfig.ready`. Only the username is written, never a password."""

from typing import Any

from django.http import HttpRequest

from agency.models import AuditEvent, User
from agency.services import audit_record

_FACES = (("/staff/", "staff"), ("/portal/", "portal"), ("/admin/", "admin"), ("/api/", "api"))


def _face(request: HttpRequest | None) -> str:
    path = getattr(request, "path_info", "") or ""
    return next((face for prefix, face in _FACES if path.startswith(prefix)), "other")


def _request(request: Any) -> HttpRequest | None:
    # DRF's Request wraps Django's; the audit wants Django's (its META)
    return getattr(request, "_request", request)


def audit_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    request = _request(request)
    audit_record(actor=user, action=AuditEvent.Action.LOGIN,
                 detail={"face": _face(request), "username": user.get_username()},
                 request=request)


def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                       **kwargs: Any) -> None:
    request = _request(request)
    username = str(credentials.get("username") or "")[:150]
    audit_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED,
                 detail={"face": _face(request), "username": username}, request=request)
