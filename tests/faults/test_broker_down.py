"""Redis (the Celery broker) unavailable (issue 18): pages and the API keep working,
/healthz says the broker is down, work the user waits for answers a clear 503 instead of a
500, and work sent after a commit is sent again by the sweep once the broker is back."""

import pytest
from django.db import transaction

from agency.roles import Role
from billing.models import Bill
from clients.models import WebhookDelivery, WebhookEndpoint
from clients.tasks import webhook_retry_due_task
from enrollment.models import RosterLine
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import line_transition
from tests.enrollment.order_fixtures import RECEIVED, add_line

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_broker_down_and_up_again(client, own_redis):
    up = client.get("/healthz")
    own_redis.stop()
    down = client.get("/healthz")
    own_redis.start()
    back = client.get("/healthz")

    assert [(r.status_code, r.json()["broker"]) for r in (up, down, back)] == [
        (200, "ok"), (503, "error"), (200, "ok")]


def test_starting_a_bill_run_with_the_broker_down_is_a_clear_503(client, own_redis,
                                                                staff_user):
    client.force_login(staff_user(Role.FINANCE))
    own_redis.stop()

    response = client.post("/staff/billing/generate/", {"month": "2026-11"})

    assert response.status_code == 503
    assert "后台任务队列暂时不可用" in response.content.decode()
    assert Bill.objects.count() == 0


def test_pages_and_the_api_keep_working_without_the_broker(client, api_client, own_redis,
                                                           staff_user, portal_user):
    own_redis.stop()
    client.force_login(staff_user(Role.MANAGER))
    api_client.force_authenticate(portal_user)

    statuses = [client.get("/staff/").status_code, client.get("/staff/orders/").status_code,
                api_client.get("/api/v1/persons/").status_code]

    assert statuses == [200, 200, 200]


@pytest.mark.django_db(transaction=True)
def test_work_sent_after_a_commit_waits_for_the_sweep_and_never_fails_the_request(
        company, own_redis, settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    WebhookEndpoint.objects.create(client=company, url="http://127.0.0.1:9/hook", events=[],
                                   secret="s" * 64)
    order = order_submit(client=company, lines=[add_line(5)], channel="api", actor=None,
                         received_at=RECEIVED)
    line = order.lines.get()
    line.tasks.update(status="submitted")
    own_redis.stop()

    with transaction.atomic():  # the line's success commits; the webhook cannot be queued
        line_transition(line=line, to="succeeded", actor=None)
    delivery = WebhookDelivery.objects.get()
    own_redis.start()
    requeued = webhook_retry_due_task()

    assert (delivery.event, delivery.status) == ("order.line.succeeded", "pending")
    assert RosterLine.objects.get(pk=line.pk).status == "succeeded"
    assert requeued == 1
    assert own_redis.queued() == 1
