"""The watch's engine: each finding becomes one reminder per stage and recipient, with one
in-app notification and one e-mail, however often and however concurrently it runs;
overdue findings are escalated to the managers."""

import datetime
import smtplib
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from agency.models import Notification
from agency.roles import Role
from compliance.models import Inquiry, Reminder
from compliance.watch import WatchReport, watch_run
from tests.archive.factories import store
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=SH)
HOUR = datetime.timedelta(hours=1)
BREACHED = RECEIVED + 13 * HOUR  # an hour past the 12
DUE_SOON = RECEIVED + 11 * HOUR
MESSAGE = "测试客户的咨询“社保基数怎么调整”应于 2026-06-10 21:00 前答复，已超过 12 小时时限。"


@pytest.fixture(autouse=True)
def _calendar_known(monkeypatch):
    """The holidays of every year are known: no calendar finding in these tests."""
    monkeypatch.setattr("agency.workdays.PACKAGE_YEARS", frozenset(range(2004, 2100)))


@pytest.fixture
def people():
    rep = UserFactory(role=Role.SERVICE_REP, email="rep@agency.cn")
    boss = UserFactory(role=Role.MANAGER, email="boss@agency.cn")
    quiet = UserFactory(role=Role.MANAGER, email="")  # no address: no e-mail
    UserFactory(role=Role.MANAGER, is_active=False, email="gone@agency.cn")
    UserFactory(role=Role.ADMIN, email="admin@agency.cn")
    return rep, boss, quiet


def ask(rep=None, n: int = 1):
    client = ClientFactory(name="测试客户", service_rep=rep)
    return [Inquiry.objects.create(client=client, subject="社保基数怎么调整", body="请问",
                                   channel="portal", received_at=RECEIVED,
                                   respond_by=RECEIVED + 12 * HOUR) for _ in range(n)]


def reminders():
    return sorted(Reminder.objects.values_list("rule", "subject_key", "stage", "recipient_id",
                                               "escalation"))


def test_a_breach_reminds_the_owner_and_escalates_to_the_managers_once(people, committed):
    rep, boss, quiet = people
    [asked] = ask(rep)
    key = f"inquiry:{asked.pk}"

    with committed():
        first = watch_run(now=BREACHED)
    with committed():
        again = watch_run(now=BREACHED + HOUR)

    assert (first, again) == (WatchReport(findings=1, reminders=3, emails=2),
                              WatchReport(findings=1, reminders=0, emails=0))
    assert reminders() == [("inquiry_response", key, "breached", rep.pk, False),
                           ("inquiry_response", key, "breached", boss.pk, True),
                           ("inquiry_response", key, "breached", quiet.pk, True)]
    assert sorted(Notification.objects.values_list("user_id", "message", "link")) == sorted(
        (u.pk, MESSAGE, f"/staff/inquiries/{asked.pk}/") for u in (rep, boss, quiet))
    assert sorted((m.to, m.subject) for m in mail.outbox) == [
        (["boss@agency.cn"], f"【提醒】 {MESSAGE}"), (["rep@agency.cn"], f"【提醒】 {MESSAGE}")]
    assert mail.outbox[0].body.startswith(f"{MESSAGE}\n\n")
    assert sorted((r.recipient_id, r.emailed_at is None) for r in Reminder.objects.all()) == (
        sorted([(rep.pk, False), (boss.pk, False), (quiet.pk, True)]))


def test_each_new_stage_is_a_new_reminder_and_managers_hear_only_of_the_breach(people,
                                                                              committed):
    rep, boss, quiet = people
    [asked] = ask(rep)
    key = f"inquiry:{asked.pk}"

    with committed():
        soon = watch_run(now=DUE_SOON)
    with committed():
        soon_again = watch_run(now=DUE_SOON + HOUR / 2)
    with committed():
        late = watch_run(now=BREACHED)

    assert [r.reminders for r in (soon, soon_again, late)] == [1, 0, 3]
    assert reminders() == [("inquiry_response", key, "breached", rep.pk, False),
                           ("inquiry_response", key, "breached", boss.pk, True),
                           ("inquiry_response", key, "breached", quiet.pk, True),
                           ("inquiry_response", key, "due_soon", rep.pk, False)]
    assert Notification.objects.filter(user=rep).count() == 2
    assert [m.to[0] for m in mail.outbox] == ["rep@agency.cn", "rep@agency.cn",
                                              "boss@agency.cn"]


def test_without_an_owner_the_managers_are_reminded_without_managers_the_admins(committed):
    [asked] = ask()
    admin = UserFactory(role=Role.ADMIN, email="")
    key = f"inquiry:{asked.pk}"

    with committed():
        watch_run(now=BREACHED)
    manager = UserFactory(role=Role.MANAGER, email="")
    with committed():
        watch_run(now=BREACHED)

    # the admin stood in while nobody managed; the new manager hears of it as well
    assert reminders() == [("inquiry_response", key, "breached", admin.pk, False),
                           ("inquiry_response", key, "breached", manager.pk, False)]


def test_a_finding_nobody_can_receive_is_sent_when_someone_can(committed):
    ask()

    with committed():
        nobody = watch_run(now=BREACHED)
    manager = UserFactory(role=Role.MANAGER)
    with committed():
        later = watch_run(now=BREACHED)

    assert (nobody.reminders, later.reminders) == (0, 1)
    assert list(Notification.objects.values_list("user_id", flat=True)) == [manager.pk]


def test_an_inactive_owner_is_replaced_by_the_managers(people, committed):
    rep, boss, quiet = people
    [asked] = ask(rep)
    rep.is_active = False
    rep.save()

    with committed():
        watch_run(now=BREACHED)

    key = f"inquiry:{asked.pk}"
    assert reminders() == [("inquiry_response", key, "breached", boss.pk, False),
                           ("inquiry_response", key, "breached", quiet.pk, False)]


def test_filing_goes_to_the_archivists_and_once_overdue_to_the_managers(committed):
    archivist = UserFactory(role=Role.ARCHIVIST)
    manager = UserFactory(role=Role.MANAGER)
    store(month=datetime.date(2026, 3, 1), actor=archivist)

    with committed():
        watch_run(now=datetime.datetime(2026, 4, 15, 10, tzinfo=SH))
        watch_run(now=datetime.datetime(2026, 4, 16, 10, tzinfo=SH))

    assert reminders() == [
        ("archive_filing", "archive:2026-03", "due_today", archivist.pk, False),
        ("archive_filing", "archive:2026-03", "overdue", archivist.pk, False),
        ("archive_filing", "archive:2026-03", "overdue", manager.pk, True)]


def test_an_email_the_server_refused_is_sent_by_the_next_run_once(people, committed,
                                                                  monkeypatch):
    rep, _boss, _quiet = people
    ask(rep)
    real_send = mail.send_mail

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(mail, "send_mail", refuse)
    with committed():
        first = watch_run(now=BREACHED)
    unsent = Reminder.objects.filter(emailed_at__isnull=True).count()
    monkeypatch.setattr(mail, "send_mail", real_send)
    with committed():
        second = watch_run(now=BREACHED)
    with committed():
        watch_run(now=BREACHED)

    assert (first.reminders, unsent, second.reminders) == (3, 3, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@agency.cn", "rep@agency.cn"]
    assert Notification.objects.count() == 3


def test_the_queries_do_not_grow_with_the_findings(people, committed,
                                                   django_assert_max_num_queries):
    rep = people[0]
    ask(rep, n=2)
    with committed(), django_assert_max_num_queries(22):
        few = watch_run(now=BREACHED)
    ask(rep, n=40)
    with committed(), django_assert_max_num_queries(22):
        many = watch_run(now=BREACHED)

    assert (few.reminders, many.reminders) == (6, 120)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_create_each_reminder_and_send_each_email_once(people,
                                                                           monkeypatch):
    """Both runs read the reminders already sent before either writes (a barrier holds the
    first until the second has read): both try to insert the same rows, and the unique
    key alone decides which run reminds."""
    import compliance.watch as watch

    rep, boss, quiet = people
    ask(rep, n=5)
    barrier = threading.Barrier(2, timeout=30)
    read = watch.existing_keys

    def read_then_wait(rows):
        known = read(rows)
        barrier.wait()
        return known

    monkeypatch.setattr(watch, "existing_keys", read_then_wait)
    reports: list[WatchReport] = []
    errors: list[BaseException] = []

    def run():
        try:
            reports.append(watch_run(now=BREACHED))
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    assert sorted(r.reminders for r in reports) == [0, 15]
    assert Reminder.objects.count() == 15
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(
        [rep.pk] * 5 + [boss.pk] * 5 + [quiet.pk] * 5)
    # one e-mail per recipient lists its five reminders
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("boss@agency.cn", "【提醒】 5 条新提醒"), ("rep@agency.cn", "【提醒】 5 条新提醒")]
    assert sorted(r.emails for r in reports) == [0, 2]
    assert Reminder.objects.filter(emailed_at__isnull=False).count() == 10


def test_several_new_reminders_reach_a_recipient_in_one_email(committed, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.example.cn"]
    rep = UserFactory(role=Role.SERVICE_REP, email="rep@agency.cn")
    UserFactory(role=Role.MANAGER, email="")
    first, second = ask(rep, n=2)

    with committed():
        report = watch_run(now=BREACHED)

    assert report == WatchReport(findings=2, reminders=4, emails=1)
    [email] = mail.outbox
    # listed in the order the reminders were created (the insert's key order)
    links = list(Reminder.objects.filter(recipient=rep).order_by("pk").values_list(
        "link", flat=True))
    assert sorted(links) == sorted([f"/staff/inquiries/{first.pk}/",
                                    f"/staff/inquiries/{second.pk}/"])
    assert (email.to, email.subject, email.body) == (
        ["rep@agency.cn"], "【提醒】 2 条新提醒",
        f"1. {MESSAGE}\n   https://portal.example.cn{links[0]}\n\n"
        f"2. {MESSAGE}\n   https://portal.example.cn{links[1]}\n")
