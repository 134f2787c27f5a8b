"""Celery tasks of the clients app: thin wrappers around services, safe to run twice."""

from typing import Any

from celery import shared_task
from django.utils import timezone

from clients.services import contract_expire_due
from clients.webhook_services import webhook_deliver, webhook_retry_due


@shared_task(bind=True, max_retries=None, acks_late=True)
def webhook_deliver_task(self: Any, delivery_id: int) -> str:
    """Make the delivery's due attempt and, when it failed, retry after the back-off. A
    runner that finds the attempt not due or claimed by another stops: one chain per
    delivery, however many messages (retry, sweep, redelivery) arrive for it."""
    wait = webhook_deliver(delivery_id=delivery_id)
    if wait is not None:
        raise self.retry(countdown=wait)
    return "done"


@shared_task
def webhook_retry_due_task() -> int:
    """Re-queue pending deliveries that are due (a lost message or a dead worker must not
    lose an event); an attempt in flight is not due, and a duplicate runner makes no call."""
    due = webhook_retry_due()
    for pk in due:
        webhook_deliver_task.delay(delivery_id=pk)
    return len(due)


@shared_task
def contract_expire_due_task() -> int:
    return contract_expire_due(today=timezone.localdate())
