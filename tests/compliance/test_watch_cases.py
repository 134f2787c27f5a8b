"""The watch over insurance cases (STD-6.3): the 48-hour handling clock until the first
substantive action, and a work injury's statutory 30-day application deadline."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from agency.roles import Role
from compliance.watch import case_handling, case_statutory
from enrollment.models import Case
from tests.factories import ClientFactory, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
OPENED = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SH)
SECOND = datetime.timedelta(seconds=1)


def case(**kw):
    rep = UserFactory(role=Role.SERVICE_REP)
    client = ClientFactory(name="工伤测试公司", service_rep=rep)
    fields = {"client": client, "person": InsuredPersonFactory(), "type": "work_injury",
              "channel": "portal", "opened_at": OPENED,
              "handle_by": OPENED + datetime.timedelta(hours=48),
              "incident_date": datetime.date(2026, 11, 2),
              "statutory_due": datetime.date(2026, 12, 2)}
    fields.update(kw)
    return Case.objects.create(**fields), rep


def stages(rule, now):
    return [(f.subject_key, f.stage, f.escalate) for f in rule(now)]


def test_the_48_hours_of_a_case_at_their_boundary_and_the_first_action_stops_them():
    opened, rep = case()
    due = opened.handle_by

    assert stages(case_handling, due - datetime.timedelta(hours=6) - SECOND) == []
    assert stages(case_handling, due - SECOND) == [(f"case:{opened.pk}", "due_soon", False)]
    assert stages(case_handling, due + SECOND) == [(f"case:{opened.pk}", "breached", True)]
    [finding] = case_handling(due + SECOND)
    assert (finding.owner_id, finding.link, finding.client_id) == (
        rep.pk, f"/staff/cases/{opened.pk}/", opened.client_id)

    Case.objects.filter(pk=opened.pk).update(first_action_at=due - SECOND)
    assert stages(case_handling, due + SECOND) == []


def test_the_work_injury_application_deadline_a_week_ahead_on_the_day_and_after():
    opened, _rep = case(first_action_at=OPENED)
    key = f"case:{opened.pk}"

    def on(day):
        return datetime.datetime.combine(day, datetime.time(10), tzinfo=SH)

    assert stages(case_statutory, on(datetime.date(2026, 11, 24))) == []
    assert stages(case_statutory, on(datetime.date(2026, 11, 25))) == [(key, "7d", False)]
    assert stages(case_statutory, on(datetime.date(2026, 12, 2))) == [(key, "0d", False)]
    assert stages(case_statutory, on(datetime.date(2026, 12, 3))) == [(key, "overdue", True)]

    Case.objects.filter(pk=opened.pk).update(status="succeeded")
    assert stages(case_statutory, on(datetime.date(2026, 12, 3))) == []
