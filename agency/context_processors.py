"""Template context every page gets."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from agency.selectors import notification_unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's unread notifications, counted only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(
        lambda: notification_unread_count(user=user))}
