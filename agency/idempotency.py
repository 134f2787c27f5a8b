"""`Idempotency-Key` for POSTs that create things (API contract: the same key with the
same body returns the first response; with a different body, 409 idempotency_conflict).

    status, body = idempotent_call(scope="client:7", key=key, payload=request.data,
                                   handler=lambda: (201, create_and_render()))

The record is inserted in the handler's transaction. Two concurrent requests with one key:
the second's INSERT blocks on the unique index until the first commits, then fails, and the
second returns the stored response. Failed (4xx) attempts are not stored: they roll back,
and the same request fails the same way again. A unique index the handler trips over
(a concurrent request wrote the same thing) is a 409, not a 500. Records expire after
`IDEMPOTENCY_TTL_HOURS`."""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from agency.errors import Conflict, DomainError
from agency.models import IdempotencyRecord

MAX_KEY_LENGTH = 200


def request_fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> tuple[int, Any]:
    if record.request_hash != fingerprint:
        raise Conflict(
            "idempotency_conflict",
            "该 Idempotency-Key 已用于另一请求 / This Idempotency-Key was used with another body",
        )
    return record.response_status, record.response_body


def _run(handler: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """The handler in a savepoint; a unique index it trips over because a concurrent
    request (with another key, or none) wrote the same thing first is a clear 409, never
    a 500 (two orders adding the same new hire at once: one wins)."""
    try:
        with transaction.atomic():
            return handler()
    except IntegrityError as exc:
        raise Conflict(
            "concurrent_conflict",
            "与同时提交的另一请求冲突，请刷新后重试 / Conflicts with a request made at the same "
            "time: check the current state and try again",
        ) from exc


def _expired(record: IdempotencyRecord, now: datetime.datetime) -> bool:
    return record.created_at < now - datetime.timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def idempotency_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the records past `IDEMPOTENCY_TTL_HOURS` (a beat task runs it hourly)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotent_call(
    *, scope: str, key: str | None, payload: Any, handler: Callable[[], tuple[int, Any]],
    now: datetime.datetime | None = None,
) -> tuple[int, Any]:
    """Run `handler` once per (scope, key) within `IDEMPOTENCY_TTL_HOURS`; replay its
    response afterwards. After that the key is forgotten and may be used again."""
    if not key:
        with transaction.atomic():
            return _run(handler)
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            code="validation_failed",
            message=f"Idempotency-Key 过长 / Idempotency-Key longer than {MAX_KEY_LENGTH}",
        )
    now = now or timezone.now()
    fingerprint = request_fingerprint(payload)
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if existing is not None and not _expired(existing, now):
        return _replay(existing, fingerprint)
    with transaction.atomic():
        if existing is not None:  # expired: forget it, this request runs afresh
            IdempotencyRecord.objects.filter(pk=existing.pk).delete()
        try:
            with transaction.atomic():
                # claim the key first: a concurrent twin blocks here until we commit
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, request_hash=fingerprint, response_status=0,
                    response_body={},
                )
        except IntegrityError:
            claimed = None  # lost the race: the twin committed first
        else:
            claimed = record
        if claimed is not None:
            status, body = _run(handler)
            claimed.response_status = status
            claimed.response_body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            claimed.save(update_fields=["response_status", "response_body"])
            return status, claimed.response_body
    return _replay(IdempotencyRecord.objects.get(scope=scope, key=key), fingerprint)
