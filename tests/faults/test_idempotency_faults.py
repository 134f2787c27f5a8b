"""Concurrent orders and the Idempotency-Key wrapper (issue 18): a unique index tripped
inside the handler is a clear 409, never a 500; two orders adding the same new hire at the
same time with different keys make one person and one order; keys expire."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from agency.errors import Conflict
from agency.idempotency import idempotency_purge, idempotent_call
from agency.models import IdempotencyRecord
from agency.roles import Role
from clients.services import api_key_issue
from enrollment.models import InsuredPerson, RosterOrder
from tests.enrollment.order_fixtures import add_line
from tests.factories import UserFactory


def test_a_unique_index_tripped_inside_the_handler_is_a_409_and_nothing_stays(db):
    def handler():
        IdempotencyRecord.objects.create(scope="s", key="dup", request_hash="h",
                                         response_status=201, response_body={})
        IdempotencyRecord.objects.create(scope="s", key="dup", request_hash="h",
                                         response_status=201, response_body={})
        return 201, {}

    with pytest.raises(Conflict) as keyed:
        idempotent_call(scope="client:1", key="k1", payload={}, handler=handler)
    with pytest.raises(Conflict) as unkeyed:
        idempotent_call(scope="client:1", key=None, payload={}, handler=handler)

    assert [(e.code, e.status) for e in (keyed.value, unkeyed.value)] == [
        ("concurrent_conflict", 409), ("concurrent_conflict", 409)]
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_orders_adding_one_new_hire_at_once_make_one_person_and_never_a_500(company):
    _, key = api_key_issue(client=company, name="HR", actor=UserFactory(role=Role.MANAGER))
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(idempotency_key: str) -> None:
        caller = APIClient()
        caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            response = caller.post("/api/v1/orders/", {"lines": [add_line(41)]}, format="json",
                                   HTTP_IDEMPOTENCY_KEY=idempotency_key)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(k,)) for k in ("order-a", "order-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(statuses)[0] == 201
    assert sorted(statuses)[1] in (400, 409)
    assert InsuredPerson.objects.count() == 1
    assert RosterOrder.objects.count() == 1


def test_an_expired_key_runs_again_and_the_purge_deletes_old_records(db, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 24
    now = timezone.now()
    idempotent_call(scope="client:1", key="k1", payload={"a": 1}, handler=lambda: (201, {"n": 1}))
    IdempotencyRecord.objects.update(created_at=now - datetime.timedelta(hours=25))

    again = idempotent_call(scope="client:1", key="k1", payload={"a": 2},
                            handler=lambda: (201, {"n": 2}), now=now)
    IdempotencyRecord.objects.create(scope="client:2", key="old", request_hash="h",
                                     response_status=201, response_body={})
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=now - datetime.timedelta(hours=30))
    purged = idempotency_purge(now=now)

    assert again == (201, {"n": 2})
    assert purged == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k1"]
