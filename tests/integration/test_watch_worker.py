"""The compliance watch runs in a real worker on the real Redis broker, as the beat
schedule runs it every 15 minutes: twice in a row, it reminds once."""

import datetime

import pytest
from django.utils import timezone

from agency.models import Notification, WorkdayOverride
from agency.roles import Role
from compliance.models import Inquiry, Reminder
from compliance.tasks import watch_run_task
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.integration


def test_the_watch_task_reminds_once_through_the_worker(celery_worker):
    now = timezone.now()
    today = timezone.localdate(now)
    for year in (today.year, today.year + 1):  # the calendar rule stays quiet
        WorkdayOverride.objects.create(date=datetime.date(year, 1, 1), kind="holiday")
    rep = UserFactory(role=Role.SERVICE_REP, email="rep@agency.cn")
    manager = UserFactory(role=Role.MANAGER, email="")
    asked = Inquiry.objects.create(
        client=ClientFactory(service_rep=rep), subject="社保基数怎么调整", body="请问",
        channel="portal", received_at=now - datetime.timedelta(hours=13),
        respond_by=now - datetime.timedelta(hours=1))

    runs = [watch_run_task.delay().get(timeout=60) for _ in range(2)]

    assert runs == [{"findings": 1, "reminders": 2, "emails": 1},
                    {"findings": 1, "reminders": 0, "emails": 0}]
    assert sorted(Notification.objects.values_list("user_id", "link")) == sorted(
        [(rep.pk, f"/staff/inquiries/{asked.pk}/"), (manager.pk, f"/staff/inquiries/{asked.pk}/")])
    assert sorted((r.recipient_id, r.escalation, r.emailed_at is not None)
                  for r in Reminder.objects.all()) == sorted(
        [(rep.pk, False, True), (manager.pk, True, False)])
