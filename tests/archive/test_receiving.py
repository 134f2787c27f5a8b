"""The services that receive papers file them in the archive (STD-3.4.3, STD-4.8)."""

import datetime
import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType

from archive.models import ArchiveItem
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
