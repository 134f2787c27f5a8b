"""bill.issued, bill.confirmed, bill.disputed and invoice.issued reach the client's
webhooks and the portal's (and staff's) notifications."""

import datetime

import pytest

from agency.models import Notification
from agency.roles import Role
from billing.services import (
    bill_confirm,
    bill_dispute,
    bill_generate,
    bill_issue,
    invoice_issue,
    payment_record,
)
from clients.models import WebhookDelivery
from clients.webhook_services import webhook_endpoint_create
from tests.billing.conftest import NOV, enrol
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooked(two_city_client, settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    webhook_endpoint_create(client=two_city_client, url="http://127.0.0.1:9/hook")
    return two_city_client


def payloads(event):
    return [d.payload["data"] for d in WebhookDelivery.objects.filter(event=event)]


def test_each_step_of_a_bill_is_sent_and_notified(hooked, seller):
    hr = UserFactory(role=Role.CLIENT_ADMIN, client=hooked)
    finance = UserFactory(role=Role.FINANCE)
    enrol(hooked, "310000", name="甲", base="10000.00")
    bill = bill_issue(bill=bill_generate(client=hooked, month=NOV, actor=None), actor=None)
    assert payloads("bill.issued") == [{
        "id": bill.pk, "number": bill.number, "month": "2026-11", "status": "issued",
        "social_insurance": "3716.00", "housing_fund": "0.00", "service_fee": "80.00",
        "total": "3796.00"}]
    notice = Notification.objects.get(user=hr)
    assert (notice.message, notice.link) == (
        "2026-11 账单已出具，金额 3796.00 元，请确认。", f"/portal/billing/bills/{bill.pk}/")

    bill_dispute(bill=bill, reason="人数不对", actor=hr)
    assert [p["reason"] for p in payloads("bill.disputed")] == ["人数不对"]
    assert Notification.objects.filter(user=finance).count() == 1
    bill_confirm(bill=bill, actor=hr)
    assert [p["status"] for p in payloads("bill.confirmed")] == ["confirmed"]

    payment_record(bill=bill, amount=bill.total, paid_on=datetime.date(2026, 11, 25),
                   method="bank_transfer", actor=finance)
    [invoice] = invoice_issue(bill=bill, actor=finance, issued_on=datetime.date(2026, 11, 26))
    assert payloads("invoice.issued") == [{
        "id": invoice.pk, "number": invoice.number, "bill": bill.pk, "kind": "ordinary",
        "issued_on": "2026-11-26", "amount": "3796.00", "tax": "4.53"}]
