"""Who a change is recorded for in the history (django-simple-history).

A service passes its `actor` on: the history row then names the user who acted, whatever
route (page, API, task, command) called the service. An API key or the system acts as no
user (the audit log names the key)."""

from typing import TYPE_CHECKING

from django.db.models import Model

if TYPE_CHECKING:
    from agency.models import User


def record_actor(obj: Model, actor: "User | None") -> None:
    """The next `save()` of `obj` records `actor` as the history user. Without an actor the
    history keeps its default: the request's user (`agency.middleware`), or none."""
    if actor is not None and actor.pk:
        obj._history_user = actor  # type: ignore[attr-defined]
