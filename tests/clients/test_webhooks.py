"""Webhooks: signed JSON POSTs, retries with back-off, a delivery log, no SSRF."""

import datetime
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from agency.errors import ValidationFailed
from clients.models import WebhookDelivery
from clients.webhook_services import (
    backoff_seconds,
    webhook_deliver,
    webhook_emit,
    webhook_endpoint_create,
)
from tests.http_receiver import start_receiver

pytestmark = pytest.mark.django_db


def _s(seconds: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    rec, server = start_receiver()
    yield rec
    server.shutdown()


def test_event_arrives_signed_and_the_signature_verifies(receiver, client_company,
                                                        django_capture_on_commit_callbacks):
    endpoint = webhook_endpoint_create(client=client_company, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [delivery] = webhook_emit(client_id=client_company.pk, event="order.line.succeeded",
                                  data={"order": 12, "line": 1, "status": "succeeded"})
    assert len(callbacks) == 1  # the Celery task is queued after commit

    assert webhook_deliver(delivery_id=delivery.pk) is None

    got = receiver.requests.get(timeout=5)
    expected = "sha256=" + hmac.new(endpoint.secret.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Signature"] == expected
    assert got.headers["X-Webhook-Event"] == "order.line.succeeded"
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(got.body)
    assert body["event"] == "order.line.succeeded"
    assert body["id"] == str(delivery.event_id)
    assert body["data"] == {"order": 12, "line": 1, "status": "succeeded"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert [a.status_code for a in delivery.attempt_log.all()] == [200]


def test_a_failed_attempt_is_retried_with_back_off_and_logged(receiver, client_company):
    webhook_endpoint_create(client=client_company, url=receiver.url)
    [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={"bill": 1})
    receiver.statuses.extend([500, 503])
    t0 = timezone.now()

    assert webhook_deliver(delivery_id=delivery.pk, now=t0) == 30
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == t0 + datetime.timedelta(seconds=30)
    assert webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(29)) is None  # not due yet
    assert webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(30)) == 60
    assert webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(90)) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(999)) is None  # sends nothing
    assert receiver.requests.qsize() == 3


def test_delivery_fails_for_good_after_the_last_attempt(receiver, client_company, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    webhook_endpoint_create(client=client_company, url=receiver.url)
    [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued", data={})
    receiver.statuses.extend([500, 500])
    t0 = timezone.now()

    assert webhook_deliver(delivery_id=delivery.pk, now=t0) == 30
    assert webhook_deliver(delivery_id=delivery.pk, now=t0 + _s(30)) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)


def test_backoff_doubles_up_to_six_hours():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(20) == 6 * 3600


def test_only_endpoints_of_that_client_that_want_the_event_get_it(receiver, client_company,
                                                                  other_client_company):
    webhook_endpoint_create(client=client_company, url=receiver.url, events=["bill.issued"])
    webhook_endpoint_create(client=other_client_company, url=receiver.url)

    assert webhook_emit(client_id=client_company.pk, event="invoice.issued", data={}) == []
    assert len(webhook_emit(client_id=client_company.pk, event="bill.issued", data={})) == 1
    assert WebhookDelivery.objects.filter(endpoint__client=other_client_company).count() == 0


NOT_HTTPS = "必须是 HTTPS 地址 / The URL must use HTTPS"
PRIVATE = "地址指向内部网络 / The host resolves to a private or local address"
BAD_URL = "地址格式无效 / The URL is not valid"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.cn/hook", NOT_HTTPS),
        ("https://10.1.2.3/hook", PRIVATE),
        ("https://127.0.0.1/hook", PRIVATE),
        ("https://[::1]/hook", PRIVATE),
        ("https://169.254.169.254/latest", PRIVATE),
        ("ftp://example.cn/", NOT_HTTPS),
        ("https://example.cn:99999/hook", BAD_URL),
    ],
)
def test_urls_into_private_networks_or_without_https_are_refused(client_company, url, message):
    with pytest.raises(ValidationFailed) as info:
        webhook_endpoint_create(client=client_company, url=url)

    [detail] = info.value.details
    assert (detail.field, detail.code, detail.message) == ("url", "url_invalid", message)


def test_unknown_event_names_are_refused(client_company, settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]

    with pytest.raises(ValidationFailed) as info:
        webhook_endpoint_create(client=client_company, url="http://127.0.0.1:9/h",
                                events=["order.created"])

    assert [(d.field, d.code) for d in info.value.details] == [("events", "event_unknown")]
