"""The notifications inbox: the watch's reminders and the service desk's news reach a
user in the page header (unread count) and in a list; opening one reads it and goes to
its record."""

import re

import pytest

from agency.models import Notification
from agency.roles import Role
from agency.services import notification_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def unread(html: str) -> str | None:
    found = re.search(r'data-testid="unread-count">(\d+)</span>', html)
    return found.group(1) if found else None


def test_the_header_counts_unread_and_opening_one_reads_it_and_follows_its_link(client):
    rep = UserFactory(role=Role.SERVICE_REP)
    first = notification_create(user=rep, message="咨询即将超时", link="/staff/inquiries/7/")
    notification_create(user=rep, message="客户回访逾期", link="/staff/revisits/")
    notification_create(user=UserFactory(role=Role.SERVICE_REP), message="别人的", link="")
    client.force_login(rep)

    before = client.get("/staff/notifications/").content.decode()
    opened = client.get(f"/staff/notifications/{first.pk}/")
    after = client.get("/staff/notifications/").content.decode()

    assert unread(before) == "2"
    assert "咨询即将超时" in before and "别人的" not in before
    assert (opened.status_code, opened["Location"]) == (302, "/staff/inquiries/7/")
    assert unread(after) == "1"
    assert Notification.objects.get(pk=first.pk).read_at is not None


def test_another_users_notification_is_404_and_a_foreign_link_is_not_followed(client):
    rep = UserFactory(role=Role.SERVICE_REP)
    theirs = notification_create(user=UserFactory(role=Role.MANAGER), message="x", link="")
    odd = notification_create(user=rep, message="外部", link="//evil.example/")
    client.force_login(rep)

    assert client.get(f"/staff/notifications/{theirs.pk}/").status_code == 404
    assert client.get(f"/staff/notifications/{odd.pk}/")["Location"] == "/staff/notifications/"


def test_mark_all_read_and_the_portal_inbox(client, client_company):
    hr = UserFactory(role=Role.CLIENT_ADMIN, client=client_company)
    notification_create(user=hr, message="您的咨询已答复", link="/portal/inquiries/3/")
    notification_create(user=hr, message="账单已出", link="/portal/billing/bills/")
    client.force_login(hr)

    page = client.get("/portal/").content.decode()
    read = client.post("/portal/notifications/read/")

    assert unread(page) == "2"
    assert read["Location"] == "/portal/notifications/"
    assert unread(client.get("/portal/").content.decode()) is None
    assert Notification.objects.filter(user=hr, read_at__isnull=True).count() == 0


def test_the_inbox_costs_the_same_queries_for_3_and_30_notifications(
        client, django_assert_max_num_queries):
    rep = UserFactory(role=Role.SERVICE_REP)
    client.force_login(rep)
    for n in range(3):
        notification_create(user=rep, message=f"提醒 {n}", link="")
    with django_assert_max_num_queries(8):
        client.get("/staff/notifications/")
    for n in range(27):
        notification_create(user=rep, message=f"提醒 {n}", link="")
    with django_assert_max_num_queries(8):
        assert client.get("/staff/notifications/").status_code == 200
