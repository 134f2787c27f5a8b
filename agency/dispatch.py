"""Handing work to the Celery worker without letting a broker outage hurt the request.

    result = task_send(bill_generate_month_task, month="2026-11")   # 503 DomainError if down
    task_send_on_commit(webhook_deliver_task, delivery_id=7)       # after commit, never raises

A task sent after the transaction commits (`task_send_on_commit`) cannot make the request
fail once its rows are written: a broker that is down is logged, and the periodic sweep of
the task's own app (e.g. `clients.tasks.webhook_retry_due_task`) sends it again. A task the
user waits for (`task_send`) answers a clear 503 instead of a 500."""

import logging
from typing import Any

from celery import Task
from celery.result import AsyncResult
from django.db import transaction
from kombu.exceptions import OperationalError

from agency.errors import DomainError

logger = logging.getLogger(__name__)


class BrokerUnavailable(DomainError):
    def __init__(self) -> None:
        super().__init__(
            code="broker_unavailable", status=503,
            message="后台任务队列暂时不可用，请稍后重试 / The task queue is unavailable: try "
                    "again in a few minutes",
        )


def task_send(task: Task, **kwargs: Any) -> AsyncResult:
    """Queue `task` now; BrokerUnavailable (503) when the broker cannot be reached."""
    try:
        return task.delay(**kwargs)
    except OperationalError as exc:
        logger.error("broker unavailable, %s not queued: %s", task.name, exc)
        raise BrokerUnavailable from exc


def task_send_on_commit(task: Task, **kwargs: Any) -> None:
    """Queue `task` once the surrounding transaction commits; a broker outage is logged,
    never raised (the rows are committed by then: the request must still succeed)."""
    def send() -> None:  # a function, not a partial: Django logs a robust failure by name
        task.delay(**kwargs)

    send.__qualname__ = f"send {task.name}"
    transaction.on_commit(send, robust=True)
