"""The same Excel roster uploaded twice by mistake (issue 18): the second is recognised
(409 duplicate_upload naming the order the first became) and not imported twice; a
corrected file is a new upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from enrollment.models import RosterLine, RosterOrder
from tests.enrollment.order_fixtures import add_line
from tests.enrollment.xlsx_builders import TEMPLATE_HEADER, xlsx_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def workbook(*numbers: int) -> bytes:
    rows = [TEMPLATE_HEADER]
    for i, n in enumerate(numbers, start=1):
        line = add_line(n)
        rows.append([i, "增员", line["name"], line["id_number"], "城镇本地", "上海", "8000",
                     "2026-12-01", "是", "13800000000", ""])
    return xlsx_bytes(rows)


def upload(api, data: bytes):
    return api.post("/api/v1/orders/import/", {"file": SimpleUploadedFile("增减员.xlsx", data)},
                    format="multipart")


def test_the_same_file_twice_is_imported_once_and_the_second_names_the_first(api_client,
                                                                             company):
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))
    data = workbook(1, 2)

    first = upload(api_client, data)
    second = upload(api_client, data)

    assert (first.status_code, second.status_code) == (201, 409)
    error = second.json()["error"]
    assert error["code"] == "duplicate_upload"
    assert f"order #{first.json()['id']} on" in error["message"]
    assert (RosterOrder.objects.count(), RosterLine.objects.count()) == (1, 2)


def test_a_corrected_file_is_a_new_upload(api_client, company):
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    first = upload(api_client, workbook(1))
    corrected = upload(api_client, workbook(2))

    assert (first.status_code, corrected.status_code) == (201, 201)
    assert RosterOrder.objects.count() == 2


def test_another_client_uploading_the_same_bytes_is_not_told_anything(api_client, company,
                                                                      other_client_company):
    data = workbook(3)
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))
    upload(api_client, data)
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN,
                                              client=other_client_company))

    response = upload(api_client, data)

    assert response.json()["error"]["code"] == "no_active_contract"  # its own problem only
