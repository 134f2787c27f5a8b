"""The contract tasks of the beat schedule run in a real worker (STD-4.2, STD-5.2)."""

import datetime

import pytest
from django.utils import timezone

from clients.models import Contract, ContractReminder
from clients.tasks import contract_expire_due_task, contract_reminders_send_task
from tests.clients.factories import ContractFactory, qualified_rep
from tests.factories import ClientFactory

pytestmark = pytest.mark.integration


def test_contract_tasks_expire_and_remind_through_the_worker(celery_worker):
    today = timezone.localdate()
    ended = ContractFactory(status=Contract.Status.ACTIVE, starts_on=datetime.date(2020, 1, 1),
                            ends_on=today - datetime.timedelta(days=1))
    ending = ContractFactory(client=ClientFactory(service_rep=qualified_rep()),
                             status=Contract.Status.ACTIVE, starts_on=datetime.date(2020, 1, 1),
                             ends_on=today + datetime.timedelta(days=5))

    expired = contract_expire_due_task.delay().get(timeout=30)
    reminded = [contract_reminders_send_task.delay().get(timeout=30) for _ in range(2)]

    ended.refresh_from_db()
    assert (expired, ended.status) == (1, Contract.Status.EXPIRED)
    assert reminded == [1, 0]
    assert list(ContractReminder.objects.values_list("contract_id", "lead_days")) == [
        (ending.pk, 7)]
