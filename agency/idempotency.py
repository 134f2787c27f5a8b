"""`Idempotency-Key` for POSTs that create things (API contract: the same key with the
same body returns the first response; with a different body, 409 idempotency_conflict).

    status, body = idempotent_call(scope="client:7", key=key, payload=request.data,
                                   handler=lambda: (201, create_and_render()))

The record is inserted in the handler's transaction. Two concurrent requests with one key:
the second's INSERT blocks on the unique index until the first commits, then fails, and the
second returns the stored response. Failed (4xx) attempts are not stored: they roll back,
and the same request fails the same way again."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

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


def idempotent_call(
    *, scope: str, key: str | None, payload: Any, handler: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run `handler` once per (scope, key); replay its response afterwards."""
    if not key:
        with transaction.atomic():
            return handler()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            code="validation_failed",
            message=f"Idempotency-Key 过长 / Idempotency-Key longer than {MAX_KEY_LENGTH}",
        )
    fingerprint = request_fingerprint(payload)
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            # claim the key first: a concurrent twin blocks here until we commit
            record = IdempotencyRecord.objects.create(
                scope=scope, key=key, request_hash=fingerprint, response_status=0,
                response_body={},
            )
            status, body = handler()
            record.response_status = status
            record.response_body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            record.save(update_fields=["response_status", "response_body"])
            return status, record.response_body
    except IntegrityError:
        # lost the race: the twin committed first
        record = IdempotencyRecord.objects.get(scope=scope, key=key)
        return _replay(record, fingerprint)
