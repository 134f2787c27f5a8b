"""Who acts, for every face: the typed request a guarded page receives, and the one way
to get the acting user from any request (page or API)."""

from typing import Any

from django.http import HttpRequest

from agency.models import User
from agency.viewer import Viewer


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
