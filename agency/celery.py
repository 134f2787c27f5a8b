"""The Celery app and its beat schedule (the only place, besides urls.py, that knows every
app's periodic work). Times are Asia/Shanghai."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

app = Celery("agency")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["enrollment.proofs", "enrollment.orders"])  # proof batches, large imports

app.conf.beat_schedule = {
    # proves that beat runs; /healthz reports the last beat
    "heartbeat": {"task": "agency.tasks.heartbeat_task", "schedule": crontab(minute="*")},
    # webhook deliveries whose retry message was lost
    "webhook-retry-due": {
        "task": "clients.tasks.webhook_retry_due_task",
        "schedule": crontab(minute="*/5"),
    },
    # STD-4.2: an active contract whose end date passed becomes expired
    "contract-expire-due": {
        "task": "clients.tasks.contract_expire_due_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # the compliance watch: deadlines about to breach or breached, each reminder sent once,
    # escalated to the managers when overdue: inquiries within 12 h (STD-6.2), complaints
    # and roster lines within 48 h (STD-6.3, 7.3), filing by the 15th (STD-5.3), contract
    # expiry at 60/30/7/0 days (STD-5.2; it replaced "contract-reminders"), licences and
    # certificates (STD-3.1, 3.2), invoices within 10 working days (STD-4.5), the 500-person
    # cap (STD-3.2.4), next year's holidays
    "compliance-watch": {
        "task": "compliance.tasks.watch_run_task",
        "schedule": crontab(minute="*/15"),
    },
    # STD-4.8: archived files are recomputed nightly; a missing or changed one is reported
    "archive-check": {"task": "archive.tasks.archive_check_task",
                      "schedule": crontab(hour=2, minute=30)},
    # Idempotency-Key records past IDEMPOTENCY_TTL_HOURS
    "idempotency-purge": {"task": "agency.tasks.idempotency_purge_task",
                          "schedule": crontab(minute=20)},
    # proof-of-enrolment batches whose task was never sent (broker down) or lost with it
    "proof-batch-resume-due": {"task": "enrollment.proofs.tasks.proof_batch_resume_due_task",
                               "schedule": crontab(minute="*/10")},
    # files a rolled-back or crashed upload left under a temporary name
    "archive-sweep-orphans": {"task": "archive.tasks.archive_sweep_orphans_task",
                              "schedule": crontab(hour=3, minute=0)},
}
