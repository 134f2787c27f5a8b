"""The Celery app and its beat schedule (the only place, besides urls.py, that knows every
app's periodic work). Times are Asia/Shanghai."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

app = Celery("agency")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # proves that beat runs; /healthz reports the last beat
    "heartbeat": {"task": "agency.tasks.heartbeat_task", "schedule": crontab(minute="*")},
    # webhook deliveries whose retry message was lost
    "webhook-retry-due": {
        "task": "clients.tasks.webhook_retry_due_task",
        "schedule": crontab(minute="*/5"),
    },
}
