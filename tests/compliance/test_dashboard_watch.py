"""The staff home lists what the watch finds for the viewer (STD-6.2, 6.3, 7.4 and the
other deadlines): breaching now, due today, this week; a representative sees their own,
a manager everything and the representatives side by side (STD-3.2.4)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agency.roles import Role
from agency.viewer import Viewer
from compliance.findings import Finding
from compliance.models import Inquiry
from compliance.selectors import dashboard_lists, persons_by_city, rep_board
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def finding(key, due_at, *, owner=None, client=None, escalate=False):
    return Finding(rule="test", subject_key=key, stage="s", owner_id=owner, message=key,
                   link=f"/staff/{key}/", due_at=due_at, escalate=escalate, client_id=client)


def test_findings_fall_into_breaching_today_and_this_week_and_a_rep_sees_only_theirs():
    now = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    rep, other = UserFactory(role=Role.SERVICE_REP), UserFactory(role=Role.SERVICE_REP)
    manager = UserFactory(role=Role.MANAGER)
    mine, theirs = ClientFactory(service_rep=rep), ClientFactory(service_rep=other)
    found = [
        finding("late", now - HOUR, client=mine.pk, escalate=True),
        finding("tonight", now + 13 * HOUR + 59 * datetime.timedelta(minutes=1),
                client=mine.pk),
        finding("tomorrow", now + 14 * HOUR, owner=rep.pk),
        finding("in-8-days", now + 8 * 24 * HOUR, client=mine.pk),
        finding("theirs", now - HOUR, client=theirs.pk, escalate=True),
        finding("nobody", now + HOUR),
    ]

    own = dashboard_lists(user=rep, findings=found, now=now)
    everything = dashboard_lists(user=manager, findings=found, now=now)

    assert ([f.subject_key for f in own.breaching], [f.subject_key for f in own.due_today],
            [f.subject_key for f in own.this_week]) == (["late"], ["tonight"], ["tomorrow"])
    assert ([f.subject_key for f in everything.breaching],
            [f.subject_key for f in everything.due_today]) == (
        ["late", "theirs"], ["nobody", "tonight"])


def test_the_rep_board_shows_load_and_the_deadlines_kept_in_the_last_30_days():
    now = timezone.now()
    rep = UserFactory(role=Role.SERVICE_REP, display_name="客服 甲")
    company = ClientFactory(service_rep=rep)
    for hours_ago, answered_after in ((20, 2), (30, 13), (40, None)):
        received = now - hours_ago * HOUR
        Inquiry.objects.create(
            client=company, subject="问", body="问", channel="portal", received_at=received,
            respond_by=received + 12 * HOUR,
            first_response_at=None if answered_after is None else received + answered_after
            * HOUR)
    Inquiry.objects.create(client=company, subject="未到期", body="问", channel="portal",
                           received_at=now - HOUR, respond_by=now + 11 * HOUR)

    [row] = rep_board(viewer=Viewer(role=Role.MANAGER, client_id=None), now=now)

    assert (row.rep, row.load, row.client_count, row.due, row.kept, row.sla_percent,
            row.over_cap) == (rep, 0, 1, 3, 1, 33, False)


def test_the_manager_home_shows_the_breaching_inquiry_row_and_the_board(
        client, django_assert_max_num_queries):
    rep = UserFactory(role=Role.SERVICE_REP, display_name="客服 乙")
    company = ClientFactory(name="上海看板有限公司", service_rep=rep)
    received = timezone.now() - 13 * HOUR
    late = Inquiry.objects.create(client=company, subject="基数调整", body="问",
                                  channel="portal", received_at=received,
                                  respond_by=received + 12 * HOUR)
    client.force_login(UserFactory(role=Role.MANAGER))

    with django_assert_max_num_queries(45):
        html = client.get("/staff/").content.decode()

    breaching = re.search(r'data-testid="watch-breaching">(.*?)</table>', html, re.S).group(1)
    assert f'href="/staff/inquiries/{late.pk}/"' in breaching
    assert "基数调整" in breaching
    board = re.search(r'data-testid="rep-board">(.*?)</table>', html, re.S).group(1)
    assert "客服 乙" in board and "0% (0/1)" in board


def test_a_rep_gets_no_board_and_the_portal_shows_persons_by_city(client, company, shanghai):
    from tests.enrollment.order_fixtures import enrolled

    enrolled(company, shanghai, 3)
    client.force_login(UserFactory(role=Role.SERVICE_REP))
    assert 'data-testid="rep-board"' not in client.get("/staff/").content.decode()

    assert persons_by_city(client=company) == [("上海市", 1)]
