"""The month's run as a Celery task: it stores its progress after each client, which the
progress page polls, until `done == total`.

The task runs in the test (`apply`); each state it stores is read off the result
backend's channel (Redis publishes every stored state), so the progress is seen as the
page sees it, not through a stand-in."""

import datetime
import json
import uuid

import pytest
from celery.result import AsyncResult
from django.conf import settings

from billing.models import Bill, BillStatus
from billing.tasks import bill_generate_month_task
from clients.models import Contract
from policies.models import City
from tests.billing.conftest import NOV, enrol
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory

pytestmark = pytest.mark.django_db


def second_client():
    client = VerifiedClientFactory(name="北京第二公司")
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2027, 12, 31))
    ContractPriceFactory(contract=contract, city=City.objects.get(code="110000"))
    return client


def stored_states(task_id, run):
    """Run `run()` and return the (state, meta) the task stored, in order."""
    if not settings.CELERY_RESULT_BACKEND.startswith("redis://"):
        pytest.fail("this test reads the Redis result backend's channel; use 'make test'")
    backend = bill_generate_month_task.backend
    channel = backend.get_key_for_task(task_id)
    pubsub = backend.client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    pubsub.get_message(timeout=1.0)  # the subscription is confirmed before the run
    try:
        run()
        states = []
        while (message := pubsub.get_message(timeout=1.0)) is not None:
            meta = json.loads(message["data"])
            states.append((meta["status"], meta["result"]))
        return states
    finally:
        pubsub.close()


def test_the_task_reports_each_client_until_done_equals_total(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    other = second_client()
    enrol(other, "110000", name="乙", base="8000.00")
    task_id = str(uuid.uuid4())

    states = stored_states(task_id, lambda: bill_generate_month_task.apply(
        kwargs={"month": "2026-11", "actor_id": None}, task_id=task_id))

    assert states == [
        ("PROGRESS", {"done": 1, "total": 2}),
        ("PROGRESS", {"done": 2, "total": 2}),
        ("SUCCESS", {"done": 2, "generated": 2, "issued_already": 0, "failed": 0, "total": 2}),
    ]
    final = AsyncResult(task_id, app=bill_generate_month_task.app)
    assert (final.state, final.info["done"], final.info["total"]) == ("SUCCESS", 2, 2)
    assert sorted(Bill.objects.values_list("month", "status")) == [
        (NOV, BillStatus.DRAFT), (NOV, BillStatus.DRAFT)]


def test_a_month_without_billable_clients_is_done_at_once():
    task_id = str(uuid.uuid4())

    states = stored_states(task_id, lambda: bill_generate_month_task.apply(
        kwargs={"month": "2026-11"}, task_id=task_id))

    assert states == [("SUCCESS", {"done": 0, "generated": 0, "issued_already": 0,
                                   "failed": 0, "total": 0})]
