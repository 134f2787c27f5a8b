"""Who acts, for every face: the typed request a guarded page receives, and the one way
to get the acting user from any request (page or API)."""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from agency.models import User
from agency.viewer import Viewer


def client_ip(request: Any) -> str | None:
    """The caller's address: `TRUSTED_PROXY_COUNT` hops from the right of
    X-Forwarded-For (each trusted proxy appends the address it received from), or the
    peer address when no proxy is trusted or the header is absent.

    The one answer for the audit log, axes' lockout (`AXES_CLIENT_IP_CALLABLE`) and DRF's
    throttles (`NUM_PROXIES`, the same setting and the same rule): with 0 proxies a
    forged header changes nothing."""
    meta = getattr(request, "META", None) or {}
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = _valid_ip(hops[-min(proxies, len(hops))])
        if address is not None:
            return address
    return _valid_ip(meta.get("REMOTE_ADDR", ""))


def _valid_ip(text: str) -> str | None:
    """`text` if it is an IPv4 or IPv6 address (a header is not trusted to be one)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def acting_user(request: Any) -> User | None:
    """The user who acts in a request (page or API) for audit rows, history and
    `uploaded_by`-style fields; None for an API key or an anonymous caller."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


class ViewerRequest(HttpRequest):
    """The request a page guarded by `staff_required` / `portal_required` receives: a
    logged-in `User` and the `Viewer` every selector scopes to (set by the guard).
    Annotate such views with it instead of `HttpRequest` (a type only: requests stay
    Django's; `request.user` is the acting user)."""

    viewer: Viewer
    user: User  # the guard let only a logged-in user through
