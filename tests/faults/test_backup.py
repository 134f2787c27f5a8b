"""`make backup` / `make restore` (issue 18): a backup of the database and the stored
files, a wipe of both, a restore: every order, bill and archive file is back, byte for byte
(checksums), and a stored file still decrypts."""

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from agency.backup import BackupError, backup_create, backup_restore, media_checksums
from archive.models import ArchiveItem
from archive.services import archive_verify
from billing.models import Bill
from billing.services import bill_generate
from clients.models import Contract
from enrollment.models import RosterOrder
from enrollment.orders.services import order_submit
from policies.models import City
from tests.archive.factories import store
from tests.billing.conftest import NOV, enrol
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.enrollment.order_fixtures import RECEIVED, add_line


def snapshot() -> dict:
    return {
        "orders": sorted((o.pk, o.lines.count(), o.sealed_scan.name)
                         for o in RosterOrder.objects.all()),
        "bills": sorted(Bill.objects.values_list("pk", "total")),
        "archive": sorted(ArchiveItem.objects.values_list("pk", "sha256", "file")),
        "files": media_checksums(),
    }


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_finds_every_order_bill_and_file(policies, tmp_path, settings):
    shanghai = City.objects.get(code="310000")
    client = VerifiedClientFactory(name="上海启明信息技术有限公司")
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2027, 12, 31),
                               housing_fund_rate=Decimal("0.07"))
    ContractPriceFactory(contract=contract, city=shanghai, price_per_head=Decimal("80.00"))
    enrol(client, "310000", name="张三", base="10000.00")
    bill = bill_generate(client=client, month=NOV, actor=None)
    order = order_submit(client=client, lines=[add_line(5)], channel="api", actor=None,
                         received_at=RECEIVED)
    order.sealed_scan.save("盖章名单.pdf", ContentFile(b"%PDF-1.4 sealed roster"), save=True)
    store(client_id=client.pk)
    before = snapshot()

    folder = backup_create(target=tmp_path / "backups")
    call_command("flush", "--noinput", verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    wiped = (RosterOrder.objects.count(), Bill.objects.count(), media_checksums())
    restored = backup_restore(source=folder)

    assert wiped == (0, 0, {})
    assert snapshot() == before
    assert restored == before["files"]
    assert len(before["files"]) == 2
    assert (before["bills"][0][0], bill.total > 0) == (bill.pk, True)
    assert RosterOrder.objects.get(pk=order.pk).sealed_scan.read() == b"%PDF-1.4 sealed roster"
    assert archive_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path, settings):
    store(client_id=7)
    folder = backup_create(target=tmp_path / "backups")
    dump = next(p for p in folder.iterdir() if p.name.startswith("database."))
    dump.write_bytes(dump.read_bytes()[:-10])
    files_before = media_checksums()

    with pytest.raises(BackupError, match="does not match its checksum"):
        backup_restore(source=folder)

    assert media_checksums() == files_before
    assert ArchiveItem.objects.count() == 1
    assert Path(settings.MEDIA_ROOT).exists()
