"""The services that receive papers file them in the archive (STD-3.4.3, STD-4.8)."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from archive import storage
from archive.models import ArchiveItem
from clients.services import PriceInput
from enrollment.models import RosterOrder
from enrollment.orders.services import order_import_xlsx
from tests.enrollment.order_fixtures import RECEIVED, valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)  # files move on commit


def test_receiving_an_orders_excel_creates_its_archive_item(company, shanghai):
    data = xlsx_bytes([
        ["姓名", "身份证号码", "参保城市", "增减员类型", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", valid_id(1), "上海", "增员", "8000", "2026-12-01", "城镇本地"],
    ])

    order = order_import_xlsx(client=company, data=data, filename="增减员.xlsx",
                              channel="excel", actor=None, received_at=RECEIVED)

    [item] = ArchiveItem.objects.all()
    assert (item.kind, item.client_id, item.title, item.month) == (
        "order_papers", company.pk, f"派单 #{order.pk} 增减员表",
        RECEIVED.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date().replace(day=1))
    assert (item.content_type, item.object_id) == (
        ContentType.objects.get_for_model(RosterOrder), order.pk)
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert "王芳" not in item.file.name and "增减员" not in item.file.name
    with item.file.open("rb") as stored:
        assert stored.read() == data


def test_an_uploaded_paper_is_filed_as_a_client_paper(company):
    from enrollment.persons.paper_services import paper_upload
    from tests.enrollment.factories_person import enrolled_person, png_upload

    person = enrolled_person(company)
    upload = png_upload("身份证正面.png")
    paper = paper_upload(person=person, client=company, kind="id_card_front", upload=upload,
                         actor=None)

    [item] = ArchiveItem.objects.all()
    assert (item.kind, item.client_id, item.object_id, item.sha256) == (
        "client_papers", company.pk, paper.pk, paper.sha256)
    assert item.title == f"{paper.get_kind_display()} · 参保人 #{person.pk}"


def test_the_beat_schedule_checks_the_archive_nightly_and_sweeps_orphans():
    from agency.celery import app
    from archive import tasks

    schedule = {name: entry["task"] for name, entry in app.conf.beat_schedule.items()}
    assert (schedule["archive-check"], schedule["archive-sweep-orphans"]) == (
        "archive.tasks.archive_check_task", "archive.tasks.archive_sweep_orphans_task")
    assert (tasks.archive_check_task.name, tasks.archive_sweep_orphans_task.name) == (
        schedule["archive-check"], schedule["archive-sweep-orphans"])


def test_an_orders_files_are_stored_once_the_order_points_at_the_archived_file(company):
    data = xlsx_bytes([
        ["姓名", "身份证号码", "参保城市", "增减员类型", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", valid_id(1), "上海", "增员", "8000", "2026-12-01", "城镇本地"],
    ])

    order = order_import_xlsx(client=company, data=data, filename="增减员.xlsx",
                              channel="excel", actor=None, received_at=RECEIVED)

    [item] = ArchiveItem.objects.all()
    assert order.source_file.name == item.file.name
    assert sorted(storage.walk()) == [item.file.name]


def test_a_licence_scan_and_a_signed_contract_are_filed_on_receipt(company):
    from agency.roles import Role
    from clients.services import client_save, contract_create
    from tests.clients.factories import PNG
    from tests.factories import UserFactory

    manager = UserFactory(role=Role.MANAGER)
    client_save(client=company, name=company.name, uscc=company.uscc,
                ownership_type="private", industry="C", actor=manager,
                licence_scan=SimpleUploadedFile("执照.png", PNG))
    contract = contract_create(
        client=company, starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 12, 31),
        prices=[PriceInput(city_code="310000", price_per_head=Decimal("80.00"))],
        signed_scan=SimpleUploadedFile("合同.pdf", b"%PDF-1.4 signed"), actor=manager)

    company.refresh_from_db()
    licence = ArchiveItem.objects.get(kind="client_papers")
    agreement = ArchiveItem.objects.get(kind="agreement")
    assert (licence.client_id, licence.object_id, licence.title, licence.file.name,
            licence.sha256) == (
        company.pk, company.pk, f"营业执照扫描件 · {company.name}", company.licence_scan.name,
        hashlib.sha256(PNG).hexdigest())
    assert (agreement.client_id, agreement.object_id, agreement.title, agreement.file.name,
            agreement.custodian) == (
        company.pk, contract.pk, f"服务合同 {contract.number} 签章扫描件",
        contract.signed_scan.name, manager)
    assert agreement.retention_until == datetime.date(2036, 12, 31)
    with contract.signed_scan.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 signed"


def test_a_rolled_back_receipt_leaves_only_a_temporary_file_that_the_sweep_removes(company):
    from archive.services import archive_receive_file, archive_sweep_orphans

    with pytest.raises(RuntimeError), transaction.atomic():
        stored = archive_receive_file(content=b"%PDF-1.4 x", original_name="a.pdf",
                                      month=datetime.date(2026, 12, 1))
        raise RuntimeError("the order was refused after its file was written")

    assert not default_storage.exists(stored.name)
    assert list(storage.walk()) == [stored.temp_name]
    later = timezone.now() + datetime.timedelta(hours=2)
    assert archive_sweep_orphans(now=later) == [stored.temp_name]
    assert list(storage.walk()) == []
