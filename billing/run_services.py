"""Writes of a month's bill run on the worker: record its start, resume it when the task
is delivered again after a worker died, record its end.

A run is keyed by its task id. The broker delivers a killed worker's task again
(`acks_late`, `task_reject_on_worker_lost`, and on Redis `CELERY_VISIBILITY_TIMEOUT`);
each client's draft is committed in its own transaction, so the run resumes after the
last client it finished instead of generating every draft again."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agency.deadlines import month_start
from agency.models import User
from billing.models import BillMonthRun
from billing.services import bill_generate_month


@transaction.atomic
def bill_month_run_start(*, task_id: str, month: datetime.date,
                         now: datetime.datetime) -> BillMonthRun:
    """The run of `task_id`: a new one starting `now`, or the one a dead worker left
    (its start kept, its deliveries counted)."""
    run, created = BillMonthRun.objects.select_for_update().get_or_create(
        task_id=task_id, defaults={"month": month_start(month), "started_at": now})
    if not created:
        BillMonthRun.objects.filter(pk=run.pk).update(deliveries=F("deliveries") + 1)
        run.refresh_from_db()
    return run


def bill_month_run(
    *, task_id: str | None, month: datetime.date, actor: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Generate the month's drafts (`bill_generate_month`), resuming the run of `task_id`
    when a worker died in it; without a task id (called directly) a plain run."""
    if not task_id:
        return bill_generate_month(month=month, actor=actor, progress=progress)
    run = bill_month_run_start(task_id=task_id, month=month, now=timezone.now())
    counts = bill_generate_month(
        month=month, actor=actor, progress=progress,
        fresh_since=run.started_at if run.deliveries > 1 else None)
    BillMonthRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), counts=counts)
    return counts
