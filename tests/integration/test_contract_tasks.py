"""The contract task of the beat schedule runs in a real worker (STD-4.2); the expiry
reminders (STD-5.2) are the compliance watch's (tests/integration/test_watch_worker.py)."""

import datetime

import pytest
from django.utils import timezone

from clients.models import Contract
from clients.tasks import contract_expire_due_task
from tests.clients.factories import ContractFactory

pytestmark = pytest.mark.integration


def test_the_contract_task_expires_through_the_worker(celery_worker):
    today = timezone.localdate()
    ended = ContractFactory(status=Contract.Status.ACTIVE, starts_on=datetime.date(2020, 1, 1),
                            ends_on=today - datetime.timedelta(days=1))
    ending = ContractFactory(status=Contract.Status.ACTIVE, starts_on=datetime.date(2020, 1, 1),
                             ends_on=today + datetime.timedelta(days=5))

    expired = contract_expire_due_task.delay().get(timeout=30)

    ended.refresh_from_db()
    ending.refresh_from_db()
    assert (expired, ended.status, ending.status) == (
        1, Contract.Status.EXPIRED, Contract.Status.ACTIVE)
