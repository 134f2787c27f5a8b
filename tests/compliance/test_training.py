"""Staff training at least every two weeks (STD-3.5.1) and a monthly assessment of every
staff member (STD-3.5.2): the services, the gaps and the watch's findings."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from agency.errors import Conflict, DomainError, ValidationFailed
from agency.roles import Role
from compliance.findings import Finding
from compliance.models import Assessment, TrainingSession
from compliance.people import (
    assessment_findings,
    assessment_gaps,
    assessment_record,
    training_findings,
    training_gaps,
    training_record,
)
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = datetime.date(2026, 11, 1)
OCT = datetime.date(2026, 10, 1)
LONG_AGO = datetime.datetime(2025, 1, 1, tzinfo=SHANGHAI)


def d(month, day):
    return datetime.date(2026, month, day)


def at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def staff(role=Role.SERVICE_REP, **kwargs):
    kwargs.setdefault("date_joined", LONG_AGO)
    return UserFactory(role=role, **kwargs)


def session(day):
    return TrainingSession.objects.create(held_on=day, topic="policy", title="政策解读",
                                          trainer="李老师")


# --- training -----------------------------------------------------------------------


def test_a_manager_records_a_session_with_its_attendees():
    manager = staff(Role.MANAGER)
    rep, archivist = staff(), staff(Role.ARCHIVIST)

    recorded = training_record(held_on=d(11, 3), topic="service_skills", title=" 服务礼仪 ",
                               trainer="李老师", attendees=[rep, archivist], actor=manager,
                               today=d(11, 3))

    recorded.refresh_from_db()
    assert (recorded.held_on, recorded.topic, recorded.title, recorded.trainer) == (
        d(11, 3), "service_skills", "服务礼仪", "李老师")
    assert set(recorded.attendees.all()) == {rep, archivist}
    assert recorded.history.first().history_user == manager


def test_a_session_with_wrong_fields_is_refused_field_by_field():
    manager = staff(Role.MANAGER)
    portal = UserFactory(role=Role.CLIENT_ADMIN, client=ClientFactory())

    with pytest.raises(ValidationFailed) as refused:
        training_record(held_on=d(11, 4), topic="cooking", title=" ", trainer="x" * 101,
                        attendees=[portal], actor=manager, today=d(11, 3))
    with pytest.raises(ValidationFailed) as nobody:
        training_record(held_on=d(11, 3), topic="policy", title="政策", trainer="李老师",
                        attendees=[], actor=manager, today=d(11, 3))

    assert [(e.field, e.code) for e in refused.value.details] == [
        ("held_on", "future_date"), ("topic", "invalid"), ("title", "invalid"),
        ("trainer", "invalid"), ("attendees", "not_staff")]
    assert [(e.field, e.code) for e in nobody.value.details] == [("attendees", "required")]
    assert TrainingSession.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST])
def test_only_managers_and_admins_record_training(role):
    actor = staff(role)

    with pytest.raises(DomainError) as refused:
        training_record(held_on=d(11, 3), topic="policy", title="政策", trainer="李老师",
                        attendees=[actor], actor=actor, today=d(11, 3))

    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)


@pytest.mark.parametrize(("second", "today", "gaps"), [
    (d(11, 15), d(11, 20), []),  # 14 days apart: no gap
    (d(11, 16), d(11, 20), [(d(11, 2), d(11, 15))]),  # 15 days apart: a missing fortnight
    (d(11, 20), d(11, 25), [(d(11, 2), d(11, 19))]),  # 18 days without training
])
def test_two_sessions_more_than_14_days_apart_leave_a_gap(second, today, gaps):
    session(d(11, 1))
    session(second)

    assert training_gaps(since=NOV, today=today) == gaps


@pytest.mark.parametrize(("today", "gaps"), [
    (d(11, 15), []),
    (d(11, 16), [(d(11, 2), d(11, 16))]),
])
def test_more_than_14_days_since_the_last_session_is_a_gap_up_to_today(today, gaps):
    session(d(11, 1))

    assert training_gaps(since=NOV, today=today) == gaps


def test_counting_starts_at_the_last_session_before_since_else_at_since():
    assert training_gaps(since=NOV, today=d(11, 14)) == []
    assert training_gaps(since=NOV, today=d(11, 15)) == [(d(11, 1), d(11, 15))]

    session(d(10, 20))
    session(d(11, 10))
    session(d(12, 1))

    # 20 Oct → 10 Nov is 21 days: the gap began before `since` and is shown whole
    assert training_gaps(since=NOV, today=d(12, 5)) == [(d(10, 21), d(11, 9)),
                                                         (d(11, 11), d(11, 30))]


def test_the_watch_finds_a_missing_fortnight_once_it_is_more_than_14_days():
    session(d(11, 1))
    session(d(10, 1))

    assert training_findings(at(d(11, 15), 23)) == []
    expected = Finding(
        rule="training_gap", subject_key="training:2026-11-02", stage="gap", owner_id=None,
        message="员工培训中断：自 2026-11-02 起已 15 天未培训（每两周至少一次）",
        link="/staff/trainings/", due_at=datetime.datetime(2026, 11, 15, tzinfo=SHANGHAI),
        escalate=False, client_id=None)
    assert training_findings(at(d(11, 16), 0)) == [expected]
    # the next day it is the same finding (same subject and stage: reminded once)
    [later] = training_findings(at(d(11, 17)))
    assert (later.subject_key, later.stage) == ("training:2026-11-02", "gap")


def test_a_session_ends_the_gap_and_the_next_one_is_a_new_subject():
    session(d(11, 1))
    session(d(11, 20))

    assert training_findings(at(d(12, 4))) == []
    [finding] = training_findings(at(d(12, 5)))
    assert finding.subject_key == "training:2026-11-21"


def test_without_any_session_counting_starts_when_the_first_staff_member_joined():
    staff(date_joined=datetime.datetime(2026, 11, 3, 10, tzinfo=SHANGHAI))
    staff(date_joined=datetime.datetime(2026, 11, 5, tzinfo=SHANGHAI))

    assert training_findings(at(d(11, 16))) == []
    [finding] = training_findings(at(d(11, 17)))
    assert (finding.subject_key, finding.message) == (
        "training:2026-11-03", "员工培训中断：自 2026-11-03 起已 15 天未培训（每两周至少一次）")


# --- assessments ---------------------------------------------------------------------


def test_an_assessment_is_recorded_for_the_first_day_of_its_month():
    manager, rep = staff(Role.MANAGER), staff()

    assessment = assessment_record(staff=rep, month=d(10, 17), score=92, outcome="reward",
                                   note=" 客户表扬 ", actor=manager, today=d(11, 2))

    assessment.refresh_from_db()
    assert (assessment.staff, assessment.month, assessment.score, assessment.outcome,
            assessment.note, assessment.assessed_by) == (rep, OCT, 92, "reward", "客户表扬",
                                                         manager)
    assert assessment.history.get().history_user == manager


def test_a_second_assessment_of_the_month_is_a_conflict_on_the_month():
    manager, rep = staff(Role.MANAGER), staff()
    assessment_record(staff=rep, month=OCT, score=80, outcome="none", actor=manager,
                      today=d(11, 2))

    with pytest.raises(Conflict) as refused:
        assessment_record(staff=rep, month=d(10, 31), score=60, outcome="penalty",
                          actor=manager, today=d(11, 2))

    assert (refused.value.code, refused.value.status) == ("assessment_exists", 409)
    assert [(e.field, e.code) for e in refused.value.details] == [("month", "duplicate")]
    assert Assessment.objects.get().score == 80


def test_wrong_assessment_fields_are_refused_field_by_field():
    manager = staff(Role.MANAGER)

    with pytest.raises(ValidationFailed) as refused:
        assessment_record(staff=staff(Role.ADMIN), month=d(12, 1), score=101,
                          outcome="bonus", actor=manager, today=d(11, 2))
    with pytest.raises(ValidationFailed) as negative:
        assessment_record(staff=staff(), month=OCT, score=-1, outcome="none",
                          actor=manager, today=d(11, 2))
    with pytest.raises(ValidationFailed) as self_assessed:
        assessment_record(staff=manager, month=OCT, score=100, outcome="reward",
                          actor=manager, today=d(11, 2))

    assert [(e.field, e.code) for e in refused.value.details] == [
        ("staff", "not_assessed"), ("month", "future_month"), ("score", "out_of_range"),
        ("outcome", "invalid")]
    assert [(e.field, e.code) for e in negative.value.details] == [("score", "out_of_range")]
    assert [(e.field, e.code) for e in self_assessed.value.details] == [
        ("staff", "self_assessment")]
    assert Assessment.objects.count() == 0


def test_only_managers_and_admins_assess():
    rep = staff()

    with pytest.raises(DomainError) as refused:
        assessment_record(staff=staff(Role.ARCHIVIST), month=OCT, score=80, outcome="none",
                          actor=rep, today=d(11, 2))

    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)


def october_staff():
    """Assessed: a representative. Missing: an archivist and a manager. Not counted: an
    inactive member, an administrator, a portal user, a finance clerk who joined in
    November."""
    admin = staff(Role.ADMIN, username="admin1")
    rep = staff(username="rep1", display_name="C 客服")
    archivist = staff(Role.ARCHIVIST, username="arch1", display_name="A 档案员")
    manager = staff(Role.MANAGER, username="mgr1", display_name="B 经理")
    staff(Role.FINANCE, is_active=False)
    staff(Role.FINANCE, date_joined=datetime.datetime(2026, 11, 1, tzinfo=SHANGHAI))
    UserFactory(role=Role.CLIENT_ADMIN, client=ClientFactory(), date_joined=LONG_AGO)
    assessment_record(staff=rep, month=OCT, score=85, outcome="none", actor=admin,
                      today=d(11, 2))
    return archivist, manager, rep


def test_assessment_gaps_are_the_active_staff_without_one_for_the_month():
    archivist, manager, _rep = october_staff()

    assert assessment_gaps(month=d(10, 15)) == [archivist, manager]


def test_from_the_first_of_the_month_the_watch_finds_the_previous_months_gaps():
    archivist, manager, rep = october_staff()

    # 31 Oct 23:00 in Shanghai: October is not over, September is the month looked at
    september = assessment_findings(at(d(10, 31), 23))
    findings = assessment_findings(datetime.datetime(2026, 10, 31, 16, 0, tzinfo=datetime.UTC))

    assert [f.subject_key for f in september] == [f"assessment:{archivist.pk}:2026-09",
                                                  f"assessment:{manager.pk}:2026-09",
                                                  f"assessment:{rep.pk}:2026-09"]
    assert findings == [
        Finding(rule="assessment_gap", subject_key=f"assessment:{user.pk}:2026-10",
                stage="missing", owner_id=None,
                message=f"员工月度考核缺失：{name} 尚无 2026-10 的考核",
                link="/staff/assessments/?month=2026-10",
                due_at=datetime.datetime(2026, 11, 1, tzinfo=SHANGHAI))
        for user, name in ((archivist, "A 档案员"), (manager, "B 经理"))]
