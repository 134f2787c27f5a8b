"""Webhook delivery faults (issue 18): no row lock or transaction is held over the network,
and one chain of attempts per delivery: two runners of the same due attempt (the task's
retry and the sweep, or a message delivered twice) make one HTTP call.

These tests commit (transactional_db): other threads and connections see the rows, as a
second worker or a web request would. A thread that touches the database closes its
connection when done."""

import datetime
import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from clients.models import WebhookDelivery
from clients.webhook_services import (
    _claim_seconds,
    webhook_deliver,
    webhook_emit,
    webhook_endpoint_create,
    webhook_retry_due,
)
from tests.factories import ClientFactory
from tests.http_receiver import Received, start_receiver

pytestmark = pytest.mark.django_db(transaction=True)


def _s(seconds: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    rec, server = start_receiver()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def delivery(receiver):
    company = ClientFactory()
    webhook_endpoint_create(client=company, url=receiver.url)
    [made] = webhook_emit(client_id=company.pk, event="bill.issued", data={"bill": 1})
    return made


def _in_own_connection(work):
    """Run `work()` on this thread's own database connection, then close it."""
    try:
        return work()
    finally:
        connection.close()


def test_no_lock_and_no_transaction_are_held_during_the_http_call(receiver, delivery):
    sender = connections["default"]  # the connection of the thread that delivers
    seen: dict[str, object] = {}

    def during_the_call(got: Received) -> None:
        seen["sender_in_transaction"] = sender.in_atomic_block

        def update_the_row():
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
                cursor.execute("UPDATE clients_webhookdelivery SET payload = payload "
                               "WHERE id = %s", [delivery.pk])
                return cursor.rowcount

        try:
            seen["updated"] = _in_own_connection(update_the_row)
        except DatabaseError as exc:  # a lock held by the sender: lock_timeout
            seen["updated"] = type(exc).__name__

    receiver.on_request = during_the_call

    assert webhook_deliver(delivery_id=delivery.pk) is None

    assert seen == {"sender_in_transaction": False, "updated": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)


def test_two_runners_of_the_same_due_attempt_make_one_http_call(receiver, delivery):
    receiver.statuses.append(500)
    both_started = threading.Barrier(2)
    receiver.on_request = lambda got: time.sleep(0.5)  # the call lasts: the runners overlap
    t0 = timezone.now()
    results: list[int | None] = []

    def run() -> None:
        both_started.wait()
        results.append(_in_own_connection(
            lambda: webhook_deliver(delivery_id=delivery.pk, now=t0)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results, key=str) == [30, None]
    assert receiver.requests.qsize() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending", 1, t0 + _s(30))
    assert [a.status_code for a in delivery.attempt_log.all()] == [500]


def test_the_sweep_and_the_retry_make_one_attempt_and_the_count_is_right(
    receiver, delivery, settings
):
    """After a failed attempt, the task's own retry and the sweep's re-queue both run when
    the next attempt is due: one HTTP call each time, until the last attempt."""
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses.extend([500, 500, 500])
    t0 = timezone.now()
    assert webhook_deliver(delivery_id=delivery.pk, now=t0) == 30

    assert webhook_retry_due(now=t0 + _s(29)) == []  # not due: the sweep leaves it alone
    assert webhook_retry_due(now=t0 + _s(30)) == [delivery.pk]
    retry = webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(30))  # the task's retry
    sweep = webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(30))  # the sweep's task
    assert (retry, sweep) == (60, None)

    last = [webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(90)) for _ in range(2)]
    assert last == [None, None]
    assert webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(9999)) is None

    assert receiver.requests.qsize() == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "failed", 3, None)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 500, 500]


def test_an_attempt_being_made_is_not_swept_until_its_claim_expires(receiver, delivery):
    """A worker that dies mid-call loses nothing: once the claim has expired the sweep
    re-queues the delivery; before that, the attempt in flight is not due."""
    t0 = timezone.now()
    due: dict[str, list[int]] = {}

    def during_the_call(got: Received) -> None:
        def sweep():
            due["now"] = webhook_retry_due(now=t0 + _s(1))
            due["claim expired"] = webhook_retry_due(now=t0 + _s(_claim_seconds() + 1))

        _in_own_connection(sweep)

    receiver.on_request = during_the_call

    assert webhook_deliver(delivery_id=delivery.pk, now=t0) is None

    assert due == {"now": [], "claim expired": [delivery.pk]}
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == "succeeded"
