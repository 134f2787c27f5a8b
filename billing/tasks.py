"""Celery tasks of billing: thin wrappers around services, safe to run twice (a month's
run regenerates drafts and leaves issued bills alone) and resumable: delivered again after
its worker died, a month's run goes on after the last client it finished
(`billing.run_services`)."""

from celery import Task, shared_task

from agency.models import User
from agency.months import parse_month
from billing.run_services import bill_month_run

PROGRESS = "PROGRESS"


class StoredWhenEager(Task):
    """A task whose final state is stored even when Celery runs it eagerly
    (CELERY_TASK_ALWAYS_EAGER): its progress page reads the same states either way."""

    store_eager_result = True


@shared_task(bind=True, base=StoredWhenEager)
def bill_generate_month_task(self: Task, month: str,
                             actor_id: int | None = None) -> dict[str, int]:
    """Generate the drafts of `month` (`YYYY-MM`) for every billable client, storing
    `{"done": n, "total": t}` as the PROGRESS meta after each client; the result is the
    service's counts with `done` and `total`, in the same shape."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None

    def progress(done: int, total: int) -> None:
        self.update_state(state=PROGRESS, meta={"done": done, "total": total})

    counts = bill_month_run(task_id=self.request.id, month=parse_month(month), actor=actor,
                            progress=progress)
    return {"done": counts["total"], **counts}
