"""A large roster uploaded while the broker is down (issue 18): 503, and nothing saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from enrollment.models import OrderImport, RosterOrder
from tests.enrollment.test_order_import_background import roster
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_large_import_with_the_broker_down_is_503_and_saves_nothing(api_client, company,
                                                                      own_redis, settings):
    settings.ORDER_IMPORT_SYNC_MAX_LINES = 2
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))
    own_redis.stop()

    response = api_client.post("/api/v1/orders/import/",
                               {"file": SimpleUploadedFile("名单.xlsx", roster(3))},
                               format="multipart")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "broker_unavailable"
    assert (RosterOrder.objects.count(), OrderImport.objects.count()) == (0, 0)


def test_with_the_broker_up_the_task_is_queued(api_client, company, own_redis, settings):
    settings.ORDER_IMPORT_SYNC_MAX_LINES = 2
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    response = api_client.post("/api/v1/orders/import/",
                               {"file": SimpleUploadedFile("名单.xlsx", roster(3))},
                               format="multipart")

    assert response.status_code == 202
    assert own_redis.queued() == 1
