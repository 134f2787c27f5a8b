"""Webhook endpoints over the API: clients manage their own; others' answer 404."""

import datetime

import pytest
from django.utils import timezone

from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from clients.webhook_services import webhook_deliver, webhook_emit, webhook_endpoint_create
from tests.factories import UserFactory
from tests.http_receiver import start_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    rec, server = start_receiver()
    yield rec
    server.shutdown()


def test_client_admin_registers_an_endpoint_and_sees_the_secret_once(api_client, portal_user,
                                                                     receiver):
    api_client.force_authenticate(portal_user)

    created = api_client.post("/api/v1/webhooks/", {"url": receiver.url,
                                                    "events": ["bill.issued"]}, format="json")
    listed = api_client.get("/api/v1/webhooks/")

    assert created.status_code == 201
    body = created.json()
    assert len(body["secret"]) == 64
    assert (body["url"], body["events"], body["client"]) == (
        receiver.url, ["bill.issued"], portal_user.client_id)
    assert listed.json()["count"] == 1
    assert "secret" not in listed.json()["results"][0]


def test_an_api_key_registers_for_its_own_client(api_client, client_company, receiver):
    api_client.force_authenticate(ApiKeyPrincipal(client_id=client_company.pk, api_key_id=1))

    created = api_client.post("/api/v1/webhooks/", {"url": receiver.url}, format="json")

    assert created.status_code == 201
    assert created.json()["client"] == client_company.pk


def test_a_bad_url_is_a_400_naming_the_field(api_client, portal_user):
    api_client.force_authenticate(portal_user)

    response = api_client.post("/api/v1/webhooks/", {"url": "http://example.cn/h"},
                               format="json")

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "url", "code": "url_invalid",
         "message": "必须是 HTTPS 地址 / The URL must use HTTPS"}]


def test_client_viewer_and_staff_cannot_register(api_client, client_company, receiver):
    viewer = UserFactory(role=Role.CLIENT_VIEWER, client=client_company)
    staff = UserFactory(role=Role.MANAGER)
    for user in (viewer, staff):
        api_client.force_authenticate(user)
        response = api_client.post("/api/v1/webhooks/", {"url": receiver.url}, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_another_clients_endpoint_answers_404_everywhere(api_client, client_company,
                                                        other_client_company, receiver):
    theirs = webhook_endpoint_create(client=other_client_company, url=receiver.url)
    portal = UserFactory(role=Role.CLIENT_ADMIN, client=client_company)
    key = ApiKeyPrincipal(client_id=client_company.pk, api_key_id=7)

    for principal in (portal, key):
        api_client.force_authenticate(principal)
        assert api_client.get(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404
        assert api_client.get(f"/api/v1/webhooks/{theirs.pk}/deliveries/").status_code == 404
        assert api_client.delete(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404
        assert api_client.get("/api/v1/webhooks/").json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.is_active is True


def test_delivery_log_lists_attempts_in_a_fixed_number_of_queries(
    api_client, portal_user, receiver, django_assert_num_queries
):
    endpoint = webhook_endpoint_create(client=portal_user.client, url=receiver.url)
    receiver.statuses.extend([500])
    deliveries = [webhook_emit(client_id=portal_user.client_id, event="bill.issued",
                               data={"bill": n})[0] for n in range(3)]
    for d in deliveries:
        webhook_deliver(delivery_id=d.pk)
    later = timezone.now() + datetime.timedelta(seconds=30)
    webhook_deliver(delivery_id=deliveries[0].pk, now=later)  # the retry of the first
    api_client.force_authenticate(portal_user)

    with django_assert_num_queries(4):  # endpoint, count, page, attempts
        response = api_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/")

    results = response.json()["results"]
    assert [r["payload"]["data"]["bill"] for r in results] == [2, 1, 0]
    assert [[a["status_code"] for a in r["attempt_log"]] for r in results] == [
        [200], [200], [500, 200]]


def test_deactivating_stops_future_events(api_client, portal_user, receiver):
    endpoint = webhook_endpoint_create(client=portal_user.client, url=receiver.url)
    api_client.force_authenticate(portal_user)

    assert api_client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204

    assert webhook_emit(client_id=portal_user.client_id, event="bill.issued", data={}) == []


def test_history_of_a_change_made_with_an_api_key_has_no_user(api_client, client_company,
                                                               receiver):
    api_client.force_authenticate(ApiKeyPrincipal(client_id=client_company.pk, api_key_id=1))

    created = api_client.post("/api/v1/webhooks/", {"url": receiver.url}, format="json")

    from clients.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.get(pk=created.json()["id"])
    assert [(h.history_type, h.history_user) for h in endpoint.history.all()] == [("+", None)]


def test_history_of_a_change_made_by_a_portal_user_names_the_user(api_client, portal_user,
                                                                  receiver):
    api_client.force_authenticate(portal_user)

    created = api_client.post("/api/v1/webhooks/", {"url": receiver.url}, format="json")

    from clients.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.get(pk=created.json()["id"])
    assert [h.history_user for h in endpoint.history.all()] == [portal_user]
