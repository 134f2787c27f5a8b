"""Celery tasks of the clients app: thin wrappers around services, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from clients.services import contract_expire_due, contract_reminders_send


@shared_task
def contract_expire_due_task() -> int:
    return contract_expire_due(today=timezone.localdate())


@shared_task
def contract_reminders_send_task() -> int:
    return contract_reminders_send(today=timezone.localdate())
