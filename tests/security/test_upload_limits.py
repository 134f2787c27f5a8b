"""Upload limits before the body is read (a request's Content-Length is enough to refuse
it, in Django per route and around the WSGI app), and scans checked by their content."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.errors import ValidationFailed
from agency.models import Licence
from agency.roles import Role
from agency.services import licence_save
from agency.upload_limits import limit_request_body, route_cap, wsgi_max_bytes
from archive.models import ArchiveItem
from clients.models import Contract
from clients.services import PriceInput, client_save, contract_create
from enrollment.models import RosterOrder
from tests.factories import CityFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
MULTIPART = "multipart/form-data; boundary=BoUnDaRy"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


class Unreadable:
    """A request body that fails the test as soon as anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the request body was read")

    readline = read


def _oversize(client, path: str, length: int, content_type: str = MULTIPART):
    return client.generic("POST", path, **{"wsgi.input": Unreadable(), "CONTENT_TYPE": content_type,
                                           "CONTENT_LENGTH": str(length)})


def test_an_oversize_roster_workbook_gets_413_unread_and_nothing_saved(client, portal_user):
    client.force_login(portal_user)

    response = _oversize(client, "/portal/orders/upload/", 22 * MIB + 1)

    assert response.status_code == 413
    assert "20 MB" in response.content.decode()
    assert RosterOrder.objects.count() == 0


def test_an_oversize_api_import_gets_413_in_the_contracts_error_shape(client):
    response = _oversize(client, "/api/v1/orders/import/", 22 * MIB + 1)

    assert response.status_code == 413
    assert response.json() == {"error": {
        "code": "request_too_large",
        "message": "上传内容过大，上限 20 MB / The request is too large: at most 20 MB",
        "details": []}}
    assert RosterOrder.objects.count() == 0


def test_a_scan_route_takes_less_than_a_workbook_route(client, staff_user, settings):
    client.force_login(staff_user(Role.SERVICE_REP))

    response = _oversize(client, "/staff/persons/1/papers/", 12 * MIB + 1)

    assert response.status_code == 413
    assert "10 MB" in response.content.decode()
    assert route_cap("/staff/persons/1/papers/", {"CONTENT_TYPE": MULTIPART}) == 12 * MIB
    assert route_cap("/portal/orders/upload/", {"CONTENT_TYPE": MULTIPART}) == 22 * MIB
    assert route_cap("/staff/orders/email/", {"CONTENT_TYPE": MULTIPART}) == 32 * MIB
    assert route_cap("/api/v1/me/", {"CONTENT_TYPE": "application/json"}) == (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def test_caps_follow_the_settings(settings):
    settings.UPLOAD_MAX_BYTES = 2 * MIB
    settings.SCAN_MAX_BYTES = MIB

    assert route_cap("/portal/orders/upload/", {"CONTENT_TYPE": MULTIPART}) == 4 * MIB
    assert route_cap("/staff/licences/new/", {"CONTENT_TYPE": MULTIPART}) == 3 * MIB


def test_a_json_body_over_the_data_limit_gets_413_unread(client):
    response = _oversize(client, "/api/v1/orders/", 12 * MIB + 1,
                         content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_an_upload_within_the_cap_reaches_the_view(client, portal_user):
    client.force_login(portal_user)

    response = client.post("/portal/orders/upload/",
                           {"file": SimpleUploadedFile("名单.xlsx", b"not a workbook")})

    assert response.status_code == 400  # the service's own answer, not 413


def test_the_wsgi_wrapper_refuses_before_django():
    called = []

    def inner(environ, start_response):
        called.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"ok"]

    statuses = []
    app = limit_request_body(inner)
    big = {"PATH_INFO": "/api/v1/orders/import/", "CONTENT_TYPE": MULTIPART,
           "CONTENT_LENGTH": str(wsgi_max_bytes() + 1), "wsgi.input": Unreadable()}
    small = {**big, "CONTENT_LENGTH": "100"}

    refused = b"".join(app(big, lambda status, headers: statuses.append(status)))
    passed = b"".join(app(small, lambda status, headers: statuses.append(status)))

    assert statuses == ["413 Request Entity Too Large", "200 OK"]
    assert b'"code": "request_too_large"' in refused
    assert (passed, called) == (b"ok", ["/api/v1/orders/import/"])


# --- scans checked by content ---------------------------------------------------------


def _exe_as_pdf(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_exe_renamed_pdf_is_refused_as_the_agencys_licence_scan(settings):
    with pytest.raises(ValidationFailed) as refused:
        licence_save(kind="hr_service", number="（沪）人服证字〔2025〕第9号",
                     authority="上海市人社局", valid_from=datetime.date(2025, 1, 1),
                     valid_to=datetime.date(2029, 12, 31), scan=_exe_as_pdf(),
                     actor=UserFactory(role=Role.ADMIN))

    assert [(d.field, d.code, d.message) for d in refused.value.details] == [
        ("scan", "file_type",
         "仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or PNG files are accepted")]
    assert (Licence.objects.count(), _media_files(settings)) == (0, [])


def test_the_licence_page_shows_the_field_error(client):
    client.force_login(UserFactory(role=Role.ADMIN))

    response = client.post("/staff/licences/new/", {
        "kind": "hr_service", "number": "（沪）人服证字〔2025〕第9号", "authority": "上海市人社局",
        "valid_from": "2025-01-01", "valid_to": "2029-12-31", "scan": _exe_as_pdf()})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "scan": ["仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or PNG files are accepted"]}
    assert Licence.objects.count() == 0


def test_an_exe_renamed_pdf_is_refused_as_a_contract_scan(settings):
    CityFactory(code="310000")

    with pytest.raises(ValidationFailed) as refused:
        contract_create(
            client=ClientFactory(), starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            prices=[PriceInput(city_code="310000", price_per_head=Decimal("80.00"))],
            housing_fund_rate=Decimal("0.07"), signed_scan=_exe_as_pdf("合同.pdf"), actor=None)

    assert [(d.field, d.code) for d in refused.value.details] == [("signed_scan", "file_type")]
    assert (Contract.objects.count(), ArchiveItem.objects.count()) == (0, 0)
    assert _media_files(settings) == []


def test_an_exe_renamed_pdf_is_refused_as_a_clients_licence_scan(settings):
    with pytest.raises(ValidationFailed) as refused:
        client_save(name="好公司", uscc="91350100M000100Y43", ownership_type="private",
                    industry="C", licence_scan=_exe_as_pdf(), actor=UserFactory(role=Role.MANAGER))

    assert [(d.field, d.code) for d in refused.value.details] == [("licence_scan", "file_type")]
    assert _media_files(settings) == []


def test_a_scan_over_the_scan_limit_is_refused(settings):
    settings.SCAN_MAX_BYTES = MIB
    scan = SimpleUploadedFile("licence.pdf", b"%PDF-1.4 " + b"x" * MIB)

    with pytest.raises(ValidationFailed) as refused:
        licence_save(kind="hr_service", number="（沪）人服证字〔2025〕第9号",
                     authority="上海市人社局", valid_from=datetime.date(2025, 1, 1),
                     valid_to=datetime.date(2029, 12, 31), scan=scan,
                     actor=UserFactory(role=Role.ADMIN))

    assert [(d.field, d.code, d.message) for d in refused.value.details] == [
        ("scan", "file_too_large", "文件超过 1 MB / The file is larger than 1 MB")]


def test_a_real_pdf_licence_scan_is_stored_encrypted_and_read_back(settings):
    licence = licence_save(kind="hr_service", number="（沪）人服证字〔2025〕第9号",
                           authority="上海市人社局", valid_from=datetime.date(2025, 1, 1),
                           valid_to=datetime.date(2029, 12, 31),
                           scan=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 licence"),
                           actor=UserFactory(role=Role.ADMIN))

    assert licence.scan.open("rb").read() == b"%PDF-1.4 licence"
    assert Path(licence.scan.path).read_bytes() != b"%PDF-1.4 licence"
