"""Stored files hold ID numbers (order workbooks, e-mails, ID-card scans): on disk they are
Fernet tokens under FIELD_ENCRYPTION_KEYS, read back in clear only through the storage; a
file stored in clear before is still read, and `encrypt_media` encrypts it in place and
re-encrypts everything under the newest key."""

import datetime
import hashlib
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from agency.deadlines import add_months
from agency.files import stored_bytes
from agency.roles import Role
from agency.storage import EncryptedFileSystemStorage
from archive.models import ItemKind
from archive.services import archive_verify
from enrollment.orders.services import order_submit
from tests.archive.factories import store
from tests.enrollment.order_fixtures import add_line

pytestmark = pytest.mark.django_db

ID_NUMBER = b"11010519491231002X"
EML = (b"From: hr@example.com\r\nSubject: =?utf-8?b?5aKe5ZGY?=\r\n\r\n"
       b"\xe5\xbc\xa0\xe4\xb8\x89 " + ID_NUMBER + b" \xe5\x85\xa5\xe8\x81\x8c\r\n")
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def order(company):
    month = add_months(timezone.localdate().replace(day=1), 1)
    return order_submit(client=company, lines=[add_line(1, effective_date=month.isoformat())],
                        channel="api", actor=None,
                        received_at=timezone.now() - datetime.timedelta(hours=1))


def test_the_default_storage_is_the_encrypted_one():
    assert isinstance(storages["default"], EncryptedFileSystemStorage)


def test_a_stored_e_mail_is_ciphertext_on_disk_and_plain_through_the_field(order):
    order.correspondence.save("派单.eml", ContentFile(EML), save=True)

    on_disk = Path(order.correspondence.path).read_bytes()
    order.refresh_from_db()
    assert ID_NUMBER not in on_disk
    assert on_disk != EML
    assert on_disk.startswith(b"gAAAAA")
    with order.correspondence.open("rb") as handle:
        assert handle.read() == EML
    assert stored_bytes(order.correspondence) == EML
    assert order.correspondence.size == len(EML)


def test_the_staff_download_sends_the_plain_file(client, staff_user, order):
    order.correspondence.save("派单.eml", ContentFile(EML), save=True)
    client.force_login(staff_user(Role.MANAGER))

    response = client.get(f"/staff/orders/{order.pk}/files/correspondence/")

    assert (response.status_code, response.content) == (200, EML)


def test_the_archive_checksums_the_plain_content_and_verifies(committed):
    with committed():
        item = store(b"%PDF-1.4 " + ID_NUMBER, kind=ItemKind.CLIENT_PAPERS)

    item.refresh_from_db()
    assert item.sha256 == hashlib.sha256(b"%PDF-1.4 " + ID_NUMBER).hexdigest()
    assert item.size == len(b"%PDF-1.4 " + ID_NUMBER)
    assert ID_NUMBER not in Path(item.file.path).read_bytes()
    report = archive_verify()
    assert (report.checked, report.missing, report.changed) == (1, [], [])


def test_a_file_altered_on_disk_is_reported_changed_not_a_crash(committed):
    with committed():
        item = store(b"%PDF-1.4 papers", kind=ItemKind.CLIENT_PAPERS)
    item.refresh_from_db()
    path = Path(item.file.path)
    path.write_bytes(path.read_bytes()[:-8] + b"AAAAAAAA")

    report = archive_verify()

    assert (report.missing, report.changed) == ([], [item.pk])


def test_rotation_reads_old_files_and_the_command_moves_them_to_the_newest_key(
        settings, order):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    order.correspondence.save("派单.eml", ContentFile(EML), save=True)
    written_under_old = Path(order.correspondence.path).read_bytes()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    readable_during_rotation = stored_bytes(order.correspondence)
    out = StringIO()
    call_command("encrypt_media", stdout=out)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped

    assert readable_during_rotation == EML
    assert Fernet(OLD_KEY.encode()).decrypt(written_under_old) == EML
    assert Fernet(NEW_KEY.encode()).decrypt(Path(order.correspondence.path).read_bytes()) == EML
    assert stored_bytes(order.correspondence) == EML
    assert out.getvalue().strip() == (
        "encrypted 0 plaintext files, re-encrypted 1 under the newest key, 0 already current")


def test_a_legacy_plaintext_file_is_read_then_encrypted_in_place_once(settings, order):
    legacy = Path(settings.MEDIA_ROOT) / "orders" / "legacy.eml"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(EML)
    order.correspondence.name = "orders/legacy.eml"
    order.save(update_fields=["correspondence"])

    read_before = stored_bytes(order.correspondence)
    first, second = StringIO(), StringIO()
    call_command("encrypt_media", stdout=first)
    after_first = legacy.read_bytes()
    call_command("encrypt_media", stdout=second)

    assert read_before == EML
    assert ID_NUMBER not in after_first and after_first.startswith(b"gAAAAA")
    assert legacy.read_bytes() == after_first  # idempotent: a current file is left alone
    assert stored_bytes(order.correspondence) == EML
    assert first.getvalue().strip() == (
        "encrypted 1 plaintext files, re-encrypted 0 under the newest key, 0 already current")
    assert second.getvalue().strip() == (
        "encrypted 0 plaintext files, re-encrypted 0 under the newest key, 1 already current")
