"""Webhooks: a client's system registers an HTTPS URL; each event is POSTed as JSON with
`X-Signature: sha256=<hex HMAC-SHA256 of the body with the endpoint secret>`, retried with
back-off, and every attempt is logged.

Endpoints may not point into the agency's own network (SSRF). The host is resolved once per
attempt (and at registration); every address must be public (`_address_refused`), and the
connection goes to the address that was checked, never to a second resolution of the name
(DNS rebinding); the TLS certificate and the Host header still name the host. Redirects are
not followed: a 3xx is a failed attempt. The client reads only success, failure and the HTTP
status of each attempt; the error text is for staff (webhook_api).

One chain of attempts per delivery (`webhook_deliver`): an attempt is claimed with a
conditional UPDATE keyed on the `next_attempt_at` (and `attempts`) read, which moves
`next_attempt_at` past the call; the HTTP call runs with no transaction open and no row
locked; the result is written in a second short transaction. Two runners of the same due
attempt (the task's retry and the sweep, or a message delivered twice) make one HTTP call."""

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from agency.dispatch import task_send_on_commit
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
# addresses of one host tried in turn (e.g. its IPv6 and its IPv4 address)
MAX_ADDRESSES_TRIED = 2

NOT_HTTPS = "必须是 HTTPS 地址 / The URL must use HTTPS"
NO_HOST = "缺少主机名 / The URL has no host"
BAD_URL = "地址格式无效 / The URL is not valid"
NO_RESOLVE = "无法解析主机名 / The host name does not resolve"
PRIVATE = "地址指向内部网络 / The host resolves to a private or local address"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 prefixes (RFC 6052, RFC 8215): the last 32 bits are an IPv4 address
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff_seconds(attempts: int) -> int:
    """Wait after the n-th failed attempt: 30 s, 60 s, 2 min, 4 min … at most 6 h."""
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64, compatible)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64) or int(address) >> 32 == 0:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _address_refused(address: IPAddress) -> bool:
    """True unless `address` is a public unicast address: refused are private (RFC 1918,
    fc00::/7), loopback, link-local (169.254.0.0/16 with the cloud metadata service,
    fe80::/10), shared (100.64.0.0/10), unspecified (0.0.0.0, ::), multicast, reserved and
    documentation ranges, and IPv6 addresses that carry a refused IPv4 one (::ffff:127.0.0.1,
    6to4, Teredo, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and (address.ipv4_mapped is not None
                                     or _address_refused(embedded)):
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True)
class _Target:
    """A checked URL: connect to `addresses` (already checked), name `host` in TLS and in
    the Host header."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _check_url(url: str) -> tuple[_Target | None, str | None]:
    """Resolve `url`'s host once and check every address: (target, None) when it may receive
    webhooks, else (None, why not). Hosts in WEBHOOK_ALLOW_HTTP_HOSTS (tests and the local
    demo) may use plain HTTP and private addresses; they are still connected to by the
    address resolved here."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None, BAD_URL
    host = parts.hostname or ""
    allowed_http = bool(host) and host in settings.WEBHOOK_ALLOW_HTTP_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and allowed_http):
        return None, NOT_HTTPS
    if not host:
        return None, NO_HOST
    try:  # an internationalised name as DNS, TLS and the Host header spell it
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None, BAD_URL
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   proto=socket.IPPROTO_TCP)
        # the scope of a link-local IPv6 address ("fe80::1%eth0") is dropped: refused anyway
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos
                     if info[0] in (socket.AF_INET, socket.AF_INET6)]
    except (OSError, ValueError):
        return None, NO_RESOLVE
    if not addresses:
        return None, NO_RESOLVE
    if not allowed_http and any(_address_refused(a) for a in addresses):
        return None, PRIVATE
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    ordered = tuple(dict.fromkeys(str(a) for a in addresses))
    return _Target(parts.scheme, host, port, path, ordered), None


def _url_problem(url: str) -> str | None:
    """Why `url` may not receive webhooks, or None when it may."""
    return _check_url(url)[1]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP (allowed test and demo hosts only) to the checked `address`."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked `address`; the certificate is verified for `host` (SNI)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _post(target: _Target, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST `body` to the checked target: (HTTP status, "") or (None, error text). No
    redirect is followed; the response body is not read."""
    error = ""
    for address in target.addresses[:MAX_ADDRESSES_TRIED]:
        cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        conn = cls(target.host, target.port, address=address,
                   timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
        try:
            try:
                conn.connect()
            except OSError as exc:
                error = str(exc) or type(exc).__name__
                continue  # the next address of the same host
            conn.request("POST", target.path, body=body, headers=headers)
            return conn.getresponse().status, ""
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return None, str(exc) or type(exc).__name__
        finally:
            conn.close()
    return None, error


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
        # after the commit, and never failing the request when the broker is down: the
        # delivery is due, so the retry sweep (webhook_retry_due_task) sends it later
        task_send_on_commit(webhook_deliver_task, delivery_id=delivery.pk)
    return deliveries


def _claim_seconds() -> int:
    """How long a claimed attempt is left alone: longer than the call can take (connect and
    answer to each address tried), after which the sweep may try again (a worker died)."""
    return 2 * MAX_ADDRESSES_TRIED * int(settings.WEBHOOK_TIMEOUT_SECONDS) + 60


def webhook_deliver(*, delivery_id: int, now: datetime.datetime | None = None) -> int | None:
    """Make the attempt that is due at `now`. Returns the seconds to wait before the next
    one, or None when this runner has nothing more to do: the delivery is finished
    (succeeded, or failed for good), its attempt is not due, or another runner claimed it.
    Safe to run twice: two runners of the same due attempt make one HTTP call. Must run
    outside a transaction (the HTTP call holds no lock). Nothing is sent for a deactivated
    client: the delivery stays pending and is picked up by the sweep once it is active."""
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint__client").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return None
    if not delivery.endpoint.client.is_active:
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return None  # not due, or being made by another runner: that chain owns it
    number = delivery.attempts + 1
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING,
        attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at,
    ).update(attempts=number,
             next_attempt_at=now + datetime.timedelta(seconds=_claim_seconds()))
    if not claimed:
        return None

    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    status_code: int | None = None
    started = time.monotonic()
    target, error = _check_url(endpoint.url) if endpoint.is_active else (None, "endpoint inactive")
    if target is not None:
        status_code, error = _post(target, body, {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "sbportal-webhooks/1",
            "X-Signature": sign(endpoint.secret, body),
            "X-Webhook-Event": delivery.event,
            "X-Webhook-Delivery": str(delivery.event_id),
        })
    elapsed = time.monotonic() - started
    return _record_attempt(delivery_id=delivery.pk, number=number, status_code=status_code,
                           error=(error or "")[:300], elapsed=elapsed, now=now)


def _record_attempt(*, delivery_id: int, number: int, status_code: int | None, error: str,
                    elapsed: float, now: datetime.datetime) -> int | None:
    """Log attempt `number` and schedule what follows; the next attempt is due `backoff`
    after the start of this one. A result that comes back after its claim expired (and
    another runner took the delivery) is logged but schedules nothing."""
    pending = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING
    )
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery_id=delivery_id, status_code=status_code,
                                      error=error, duration_ms=int(elapsed * 1000))
        if status_code is not None and 200 <= status_code < 300:
            pending.update(status=WebhookDelivery.Status.SUCCEEDED,
                           delivered_at=now + datetime.timedelta(seconds=elapsed),
                           next_attempt_at=None)
            return None
        mine = pending.filter(attempts=number)
        if number >= settings.WEBHOOK_MAX_ATTEMPTS:
            mine.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
            return None
        wait = backoff_seconds(number)
        if not mine.update(next_attempt_at=now + datetime.timedelta(seconds=wait)):
            return None
        return wait


def webhook_retry_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt is due (a safety net for lost task messages and
    dead workers). An attempt being made is not due: its claim moved `next_attempt_at` past
    the call. A runner started for one of these claims it like any other (one HTTP call)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now,
            endpoint__client__is_active=True,
        ).values_list("pk", flat=True)[:500]
    )
