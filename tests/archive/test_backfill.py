"""The data migrations file what was stored before the archive (STD-3.4.3, STD-5.1): each
order file, paper and scan becomes an archive item behind the one door, once."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from archive.models import ArchiveItem, FilingBatch
from archive.services import archive_store
from enrollment.demo import DEMO_PDF, DEMO_PNG
from enrollment.models import Paper, RosterOrder
from tests.clients.factories import PNG, ContractFactory, ScannedClientFactory
from tests.enrollment.factories_person import enrolled_person

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("enrollment", "0009_enrollment_billed_through"),
          ("clients", "0006_webhook_bill_events")]
AFTER = [("enrollment", "0010_archive_existing_files"),
         ("clients", "0007_archive_existing_scans")]
RECEIVED = datetime.datetime(2026, 10, 31, 17, 0, tzinfo=datetime.UTC)  # 11-01 in Shanghai


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture(autouse=True)
def _back_to_the_latest_migrations():
    """Leave the test database as the other tests of this process expect it: every app at
    its latest migration (these tests move some apps back and only part of the way on)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migrations_file_every_stored_file_once_behind_the_one_door():
    _migrate(BEFORE)
    client = ScannedClientFactory(name="上海旧档案有限公司")
    contract = ContractFactory(client=client, signed_scan=ContentFile(DEMO_PDF, "signed.pdf"))
    order = RosterOrder(client=client, channel="excel", received_at=RECEIVED)
    order.source_file.save("名单.xlsx", ContentFile(b"PK roster"), save=False)
    order.correspondence.save("邮件.eml", ContentFile(b"From: hr@example.com"), save=False)
    order.save()
    person = enrolled_person(client)
    paper = Paper(person=person, client=client, kind="photo", content_type="image/png",
                  size=len(DEMO_PNG), sha256=hashlib.sha256(DEMO_PNG).hexdigest())
    paper.file.save("photo.png", ContentFile(DEMO_PNG), save=False)
    paper.save()
    # the e-mail was already filed by the receiving service (stored twice until now)
    twice = archive_store(content=b"From: hr@example.com", original_name="x.eml",
                          kind="correspondence", client_id=client.pk, month=RECEIVED.date(),
                          actor=None, subject=order, title="派单邮件")
    old_names = [client.licence_scan.name, contract.signed_scan.name, order.source_file.name,
                 order.correspondence.name, paper.file.name]

    _migrate(AFTER)

    items = {i.title: i for i in ArchiveItem.objects.all()}
    assert sorted(items) == sorted([
        "营业执照扫描件 · 上海旧档案有限公司", f"服务合同 {contract.number} 签章扫描件",
        f"派单 #{order.pk} 增减员表", "派单邮件", f"照片 · 参保人 #{person.pk}"])
    order.refresh_from_db()
    client.refresh_from_db()
    contract.refresh_from_db()
    paper.refresh_from_db()
    assert order.correspondence.name == twice.file.name
    pairs = [(client.licence_scan, PNG, "client_papers", client.pk),
             (contract.signed_scan, DEMO_PDF, "agreement", contract.pk),
             (order.source_file, b"PK roster", "order_papers", order.pk),
             (paper.file, DEMO_PNG, "client_papers", paper.pk)]
    for field, data, kind, subject_id in pairs:
        item = ArchiveItem.objects.get(file=field.name)
        assert field.name.startswith("archive/")
        assert (item.kind, item.object_id, item.client_id, item.sha256, item.size) == (
            kind, subject_id, client.pk, hashlib.sha256(data).hexdigest(), len(data))
        with default_storage.open(field.name, "rb") as stored:
            assert stored.read() == data
    assert ArchiveItem.objects.get(object_id=order.pk, kind="order_papers").month == (
        datetime.date(2026, 11, 1))
    assert FilingBatch.objects.filter(month=datetime.date(2026, 11, 1)).exists()
    assert [default_storage.exists(name) for name in old_names] == [False] * 5

    _migrate(BEFORE)
    _migrate(AFTER)

    assert ArchiveItem.objects.count() == 5
