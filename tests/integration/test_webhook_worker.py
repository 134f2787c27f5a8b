"""An event emitted in a committed transaction reaches the client's server through the
real Celery worker and Redis."""

import hashlib
import hmac
import json
import time

import pytest
from django.db import transaction

from clients.models import WebhookDelivery
from clients.webhook_services import webhook_emit, webhook_endpoint_create
from tests.factories import ClientFactory
from tests.http_receiver import start_receiver

pytestmark = pytest.mark.integration


def test_webhook_is_delivered_by_the_worker_after_commit(celery_worker, settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    receiver, server = start_receiver()
    try:
        company = ClientFactory()
        endpoint = webhook_endpoint_create(client=company, url=receiver.url)
        with transaction.atomic():
            [delivery] = webhook_emit(client_id=company.pk, event="order.line.failed",
                                      data={"line": 3, "reason": "材料不全"})

        got = receiver.requests.get(timeout=30)

        signature = hmac.new(endpoint.secret.encode(), got.body, hashlib.sha256).hexdigest()
        assert got.headers["X-Signature"] == f"sha256={signature}"
        assert json.loads(got.body)["data"] == {"line": 3, "reason": "材料不全"}
        for _ in range(50):
            delivery.refresh_from_db()
            if delivery.status != WebhookDelivery.Status.PENDING:
                break
            time.sleep(0.1)
        assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    finally:
        server.shutdown()
