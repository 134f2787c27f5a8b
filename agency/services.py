"""Writes of the agency app: audit rows, heartbeats."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from agency.models import AuditEvent, Heartbeat, User


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    client_id: int | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the action it records."""
    label = ""
    if actor is not None:
        label = actor.get_username()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        client_id_ref=client_id,
        detail=detail or {},
        ip_address=_client_ip(request),
    )


def heartbeat_touch(*, name: str) -> Heartbeat:
    beat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now()}
    )
    return beat
