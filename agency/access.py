"""Face guards for the HTML pages.

A page of one face answers 404 to a user of the other face (a portal user never learns
that a staff page exists), and sends an anonymous visitor to that face's login. A portal
user whose client has been deactivated is logged out and sent to the portal login."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import auth
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from agency.http import ViewerRequest
from agency.roles import PORTAL_ROLES, STAFF_ROLES
from agency.viewer import Viewer

# A guarded view takes a `ViewerRequest` (and its URL arguments); `...` lets it say so.
View = Callable[..., HttpResponse]


def _client_inactive(user: Any) -> bool:
    """A portal user whose client company has been deactivated."""
    return getattr(user, "client_id", None) is not None and not user.client.is_active


def _guard(
    allowed: frozenset[str], login_url_name: str, roles: tuple[str, ...], face: str
) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse(login_url_name))
            if face == "portal" and _client_inactive(user):
                # the client was deactivated: the session ends here, whatever the page
                auth.logout(request)
                return redirect_to_login(request.get_full_path(), reverse(login_url_name))
            viewer = Viewer.of(user)
            if viewer.role not in allowed or (roles and viewer.role not in roles):
                raise Http404
            # from here on the request is what the view is typed with: a logged-in user
            guarded = cast(ViewerRequest, request)
            guarded.viewer = viewer
            return view(guarded, *args, **kwargs)

        return wrapper

    return decorator


def staff_required(*roles: str) -> Callable[[View], View]:
    """Agency staff only; with `roles`, only those staff roles."""
    return _guard(STAFF_ROLES, "staff-login", roles, "staff")


def portal_required(*roles: str) -> Callable[[View], View]:
    """A client's portal users only; with `roles`, only those portal roles."""
    return _guard(PORTAL_ROLES, "portal-login", roles, "portal")
