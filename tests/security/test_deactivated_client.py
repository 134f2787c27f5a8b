"""A deactivated client stops: its portal users cannot log in (and are logged out), its
API keys answer 401, and its webhooks are neither created nor sent."""

import pytest
from django.utils import timezone

from agency.models import AuditEvent
from agency.roles import Role
from clients.models import Client, WebhookDelivery
from clients.services import api_key_issue
from clients.webhook_services import (
    webhook_deliver,
    webhook_emit,
    webhook_endpoint_create,
    webhook_retry_due,
)
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DEACTIVATED_ZH = "该客户已停用，请联系代理机构。"


@pytest.fixture
def manager(staff_user):
    return staff_user(Role.MANAGER)


def _deactivate(client: Client) -> None:
    Client.objects.filter(pk=client.pk).update(is_active=False)


def test_portal_login_of_a_deactivated_client_is_refused_with_a_message(client, portal_user,
                                                                       client_company):
    _deactivate(client_company)

    response = client.post("/portal/login/",
                           {"username": portal_user.username, "password": PASSWORD})

    assert response.status_code == 200
    assert DEACTIVATED_ZH in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(actor=portal_user, action="login").count() == 0


def test_logged_in_portal_user_of_a_deactivated_client_is_sent_to_login(client, portal_user,
                                                                       client_company):
    client.force_login(portal_user)
    assert client.get("/portal/").status_code == 200
    _deactivate(client_company)

    response = client.get("/portal/")

    assert response.status_code == 302
    assert response["Location"] == "/portal/login/?next=/portal/"
    assert "_auth_user_id" not in client.session


def test_api_key_of_a_deactivated_client_answers_401(api_client, client_company, manager):
    _, key = api_key_issue(client=client_company, name="hr", actor=manager)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/me/").status_code == 200
    _deactivate(client_company)

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401


def test_token_of_a_portal_user_of_a_deactivated_client_answers_401(api_client, client_company):
    user = UserFactory(role=Role.CLIENT_ADMIN, client=client_company)
    token = api_client.post("/api/v1/auth/token/",
                            {"username": user.username, "password": PASSWORD}).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").status_code == 200
    _deactivate(client_company)

    assert api_client.get("/api/v1/me/").status_code == 401


def test_the_browser_session_of_a_deactivated_clients_user_is_refused_on_the_api(
        client, client_company):
    """The portal logs such a user out on their next page; the API must not wait for it."""
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=client_company))
    assert client.get("/api/v1/me/").status_code == 200
    _deactivate(client_company)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert "该客户已停用" in response.content.decode()


@pytest.fixture
def endpoint(settings, client_company):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    return webhook_endpoint_create(client=client_company, url="http://127.0.0.1:9/hook")


def test_no_webhook_delivery_is_created_for_a_deactivated_client(endpoint, client_company):
    _deactivate(client_company)

    deliveries = webhook_emit(client_id=client_company.pk, event="bill.issued", data={"bill": 1})

    assert deliveries == []
    assert WebhookDelivery.objects.count() == 0


def test_pending_delivery_of_a_deactivated_client_is_not_sent(endpoint, client_company):
    [delivery] = webhook_emit(client_id=client_company.pk, event="bill.issued",
                              data={"bill": 1})
    _deactivate(client_company)

    assert webhook_deliver(delivery_id=delivery.pk) is None
    assert webhook_retry_due(now=timezone.now()) == []

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert delivery.attempt_log.count() == 0


def test_client_set_active_records_audit_and_history(client_company, manager):
    from clients.services import client_set_active

    client_set_active(client=client_company, active=False, actor=manager)

    client_company.refresh_from_db()
    assert client_company.is_active is False
    event = AuditEvent.objects.get(client_id_ref=client_company.pk)
    assert (event.actor, event.detail) == (manager, {"event": "client_deactivated"})
    assert client_company.history.latest().history_user == manager

    client_set_active(client=client_company, active=True, actor=manager)
    client_company.refresh_from_db()
    assert client_company.is_active is True
    assert AuditEvent.objects.filter(client_id_ref=client_company.pk,
                                     detail__event="client_activated").count() == 1


def test_manager_deactivates_a_client_from_its_page(client, client_company, manager):
    client.force_login(manager)
    page = client.get(f"/staff/clients/{client_company.pk}/").content.decode()
    assert f'action="/staff/clients/{client_company.pk}/active/"' in page

    response = client.post(f"/staff/clients/{client_company.pk}/active/", {"active": "0"})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/clients/{client_company.pk}/"
    client_company.refresh_from_db()
    assert client_company.is_active is False


def test_a_service_rep_may_not_deactivate_a_client(client, client_company, staff_user):
    client.force_login(staff_user(Role.SERVICE_REP))

    response = client.post(f"/staff/clients/{client_company.pk}/active/", {"active": "0"})

    assert response.status_code == 404
    client_company.refresh_from_db()
    assert client_company.is_active is True
