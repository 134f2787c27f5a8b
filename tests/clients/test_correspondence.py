"""Correspondence with a client is logged as an archive item (STD-4.8): from the client
page, with a summary and, where there is one, the file."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.errors import ValidationFailed
from agency.roles import Role
from archive.models import ArchiveItem
from clients.services import correspondence_log
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_phone_call_is_logged_as_correspondence_of_its_month():
    client, rep = ClientFactory(), UserFactory(role=Role.SERVICE_REP)

    item = correspondence_log(client=client, channel="phone", incoming=True,
                              occurred_on=datetime.date(2026, 11, 20), subject="询问基数",
                              summary="来电询问 2027 年基数调整时间。", actor=rep)

    assert (item.kind, item.client_id, item.object_id, item.month, item.title, item.note,
            item.custodian, item.file.name, item.retention_until) == (
        "correspondence", client.pk, client.pk, datetime.date(2026, 11, 1),
        "2026-11-20 电话（来） · 询问基数", "来电询问 2027 年基数调整时间。", rep, "",
        datetime.date(2031, 11, 30))


def test_a_log_without_subject_or_summary_and_in_the_future_names_each_field():
    client, rep = ClientFactory(), UserFactory(role=Role.SERVICE_REP)

    with pytest.raises(ValidationFailed) as refused:
        correspondence_log(client=client, channel="fax", incoming=False,
                           occurred_on=timezone.localdate() + datetime.timedelta(days=1),
                           subject=" ", summary="", actor=rep)

    assert [(d.code, d.field) for d in refused.value.details] == [
        ("invalid_choice", "channel"), ("required", "subject"),
        ("date_in_future", "occurred_on"), ("required", "summary")]
    assert ArchiveItem.objects.count() == 0


def test_the_client_page_logs_a_letter_with_its_scan_and_lists_it(client, committed):
    company, rep = ClientFactory(name="上海通信有限公司"), UserFactory(role=Role.SERVICE_REP)
    client.force_login(rep)
    today = timezone.localdate()

    with committed():
        response = client.post(f"/staff/clients/{company.pk}/correspondence/new/", {
            "channel": "letter", "incoming": "out", "occurred_on": today.isoformat(),
            "subject": "停保通知", "summary": "",
            "file": SimpleUploadedFile("通知.pdf", b"%PDF-1.4 letter")})
    page = client.get(f"/staff/clients/{company.pk}/").content.decode()

    item = ArchiveItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/clients/{company.pk}/"
    assert item.title == f"{today:%Y-%m-%d} 信函（去） · 停保通知"
    with item.file.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 letter"
    assert f'href="/staff/archive/items/{item.pk}/"' in page


def test_the_form_shows_a_refusal_against_its_field(client):
    company = ClientFactory()
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    response = client.post(f"/staff/clients/{company.pk}/correspondence/new/", {
        "channel": "phone", "incoming": "in",
        "occurred_on": timezone.localdate().isoformat(), "subject": "来电", "summary": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["summary"] == [
        "请填写摘要或附上文件 / Give a summary or attach the file"]
    assert ArchiveItem.objects.count() == 0
