"""Idempotency-Key: one effect per key, replayed responses, conflicts, concurrency."""

import threading
import time

import pytest
from django.db import connection

from agency.errors import Conflict, ErrorDetail, ValidationFailed
from agency.idempotency import idempotent_call
from agency.models import AuditEvent, IdempotencyRecord


def _create_event(label: str):
    def handler():
        event = AuditEvent.objects.create(action="other", actor_label=label)
        return 201, {"id": event.pk, "label": label}

    return handler


@pytest.mark.django_db
def test_same_key_same_body_replays_the_first_response():
    first = idempotent_call(scope="client:1", key="k1", payload={"a": 1},
                            handler=_create_event("x"))
    second = idempotent_call(scope="client:1", key="k1", payload={"a": 1},
                             handler=_create_event("x"))

    assert first == second
    assert first[0] == 201
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_same_key_other_body_is_a_409_conflict():
    idempotent_call(scope="client:1", key="k1", payload={"a": 1}, handler=_create_event("x"))

    with pytest.raises(Conflict) as info:
        idempotent_call(scope="client:1", key="k1", payload={"a": 2}, handler=_create_event("y"))

    assert info.value.code == "idempotency_conflict"
    assert info.value.status == 409
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_scoped_per_caller():
    idempotent_call(scope="client:1", key="k1", payload={}, handler=_create_event("x"))
    idempotent_call(scope="client:2", key="k1", payload={}, handler=_create_event("x"))

    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_a_failed_attempt_is_not_stored_and_can_be_retried():
    def failing():
        AuditEvent.objects.create(action="other", actor_label="half-done")
        raise ValidationFailed([ErrorDetail(code="required", message="m", field="name", line=1)])

    with pytest.raises(ValidationFailed):
        idempotent_call(scope="client:1", key="k1", payload={}, handler=failing)

    assert AuditEvent.objects.count() == 0  # rolled back with the key
    assert IdempotencyRecord.objects.count() == 0
    status, _body = idempotent_call(scope="client:1", key="k1", payload={},
                                    handler=_create_event("ok"))
    assert status == 201


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_effect():
    start = threading.Barrier(2)
    results: list = []
    errors: list = []

    def slow_handler():
        event = AuditEvent.objects.create(action="other", actor_label="race")
        time.sleep(0.5)  # hold the key inside the transaction while the twin arrives
        return 201, {"id": event.pk}

    def worker():
        try:
            start.wait(timeout=10)
            results.append(idempotent_call(scope="client:1", key="race", payload={"n": 1},
                                           handler=slow_handler))
        except Exception as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert AuditEvent.objects.filter(actor_label="race").count() == 1
    event_id = AuditEvent.objects.get(actor_label="race").pk
    assert results == [(201, {"id": event_id}), (201, {"id": event_id})]
