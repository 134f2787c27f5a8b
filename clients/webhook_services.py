"""Webhooks: a client's system registers an HTTPS URL; each event is POSTed as JSON with
`X-Signature: sha256=<hex HMAC-SHA256 of the body with the endpoint secret>`, retried with
back-off, and every attempt is logged.

Endpoints may not point into the agency's own network (SSRF): the host must resolve to
public addresses only, checked at registration and again before every attempt."""

import datetime
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from clients.models import (
    Client,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff_seconds(attempts: int) -> int:
    """Wait after the n-th failed attempt: 30 s, 60 s, 2 min, 4 min … at most 6 h."""
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _url_problem(url: str) -> str | None:
    """Why `url` may not receive webhooks, or None when it may."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    allowed_http = host in settings.WEBHOOK_ALLOW_HTTP_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and allowed_http):
        return "必须是 HTTPS 地址 / The URL must use HTTPS"
    if not host:
        return "缺少主机名 / The URL has no host"
    if allowed_http:
        return None
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return "无法解析主机名 / The host name does not resolve"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return "地址指向内部网络 / The host resolves to a private or local address"
    return None


def webhook_endpoint_create(
    *, client: Client, url: str, events: list[str] | None = None
) -> WebhookEndpoint:
    """Register an endpoint; its secret is returned once, on this object."""
    details = []
    problem = _url_problem(url)
    if problem:
        details.append(ErrorDetail(code="url_invalid", message=problem, field="url"))
    unknown = sorted(set(events or []) - set(WebhookEvent.values))
    if unknown:
        details.append(ErrorDetail(code="event_unknown", field="events",
                                   message=f"未知事件 / Unknown events: {', '.join(unknown)}"))
    if details:
        raise ValidationFailed(details)
    return WebhookEndpoint.objects.create(
        client=client, url=url, events=sorted(set(events or [])),
        secret=secrets.token_hex(32),
    )


def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    return endpoint


def webhook_emit(*, client_id: int, event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of the client that wants it; the Celery task
    runs after the surrounding transaction commits. A deactivated client gets nothing."""
    if event not in WebhookEvent.values:
        raise DomainError(code="event_unknown", message=f"unknown webhook event {event}")
    from clients.tasks import webhook_deliver_task

    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(client_id=client_id, is_active=True,
                                                   client__is_active=True):
        if not endpoint.wants(event):
            continue
        event_id = uuid.uuid4()
        payload = {
            "id": str(event_id),
            "event": event,
            "created_at": timezone.localtime().isoformat(),
            "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
        }
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, event_id=event_id, payload=payload,
            next_attempt_at=timezone.now(),
        )
        deliveries.append(delivery)
        transaction.on_commit(partial(webhook_deliver_task.delay, delivery_id=delivery.pk))
    return deliveries


def webhook_deliver(*, delivery_id: int) -> int | None:
    """Make one attempt. Returns the seconds to wait before the next one, or None when the
    delivery is finished (succeeded, or failed for good). Safe to run twice. Nothing is
    sent for a deactivated client: the delivery stays pending, unscheduled."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint__client")
            .get(pk=delivery_id)
        )
        if delivery.status != WebhookDelivery.Status.PENDING:
            return None
        if not delivery.endpoint.client.is_active:
            return None
        endpoint = delivery.endpoint
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        status_code: int | None = None
        error = ""
        started = time.monotonic()
        problem = _url_problem(endpoint.url) if endpoint.is_active else "endpoint inactive"
        if problem:
            error = problem
        else:
            request = urllib.request.Request(  # noqa: S310 - scheme checked by _url_problem
                endpoint.url, data=body, method="POST",
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": "sbportal-webhooks/1",
                    "X-Signature": sign(endpoint.secret, body),
                    "X-Webhook-Event": delivery.event,
                    "X-Webhook-Delivery": str(delivery.event_id),
                },
            )
            try:
                with urllib.request.urlopen(  # noqa: S310
                    request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
                ) as response:
                    status_code = response.status
            except urllib.error.HTTPError as exc:
                status_code = exc.code
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                error = str(getattr(exc, "reason", exc))[:300]
        WebhookAttempt.objects.create(
            delivery=delivery, status_code=status_code, error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.attempts += 1
        now = timezone.now()
        wait: int | None = None
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            wait = backoff_seconds(delivery.attempts)
            delivery.next_attempt_at = now + datetime.timedelta(seconds=wait)
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at"])
        return wait


def webhook_retry_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt is due (a safety net for lost task messages)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now,
            endpoint__client__is_active=True,
        ).values_list("pk", flat=True)[:500]
    )
