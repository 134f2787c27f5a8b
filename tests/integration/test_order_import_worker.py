"""A roster over the threshold imported by a real Celery worker (issue 18): the API answers
202 with the order processing, and polling it shows it received with every line."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from enrollment.models import OrderImport, RosterOrder
from tests.enrollment.test_order_import_background import roster
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_large_roster_is_imported_by_the_worker(celery_worker, api_client, company,
                                                  settings):
    settings.ORDER_IMPORT_SYNC_MAX_LINES = 5
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    response = api_client.post("/api/v1/orders/import/",
                               {"file": SimpleUploadedFile("名单.xlsx", roster(12))},
                               format="multipart")

    assert (response.status_code, response.json()["status"]) == (202, "processing")
    order_id = response.json()["id"]
    deadline = time.monotonic() + 60
    body = {}
    while time.monotonic() < deadline:
        body = api_client.get(f"/api/v1/orders/{order_id}/").json()
        if body["status"] != "processing":
            break
        time.sleep(0.5)
    assert (body["status"], body["line_counts"], body["error"]) == (
        "received", {"total": 12, "papers_missing": 12}, None)
    assert body["import_job"] == {"state": "received", "rows_read": 12, "rows_total": 12}
    assert RosterOrder.objects.get().source_file.name.endswith(".xlsx")
    assert bytes(OrderImport.objects.get().data) == b""
