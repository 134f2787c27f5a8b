"""Revisits (STD-7.4): the next one falls due by the tier of the client's current
headcount (small every 6 months, medium 3, large 2), from the last visit or, for a client
never visited, from its contract's start; the watch warns the representative 7 days ahead
and escalates the day after."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from agency.errors import DomainError, ValidationFailed
from agency.roles import Role
from agency.viewer import SYSTEM_VIEWER, Viewer
from clients.models import Contract, SizeTier
from compliance.findings import Finding
from compliance.models import Revisit
from compliance.people import revisit_findings, revisit_record, revisit_schedule
from tests.clients.factories import ContractFactory, enrol_many
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
APRIL_1 = datetime.date(2026, 4, 1)


def served(name="上海启明信息技术有限公司", *, headcount=10, rep=None,
           starts_on=datetime.date(2026, 1, 1), status=Contract.Status.ACTIVE,
           ends_on=datetime.date(2030, 12, 31)):
    client = ClientFactory(name=name, service_rep=rep)
    ContractFactory(client=client, status=status, starts_on=starts_on, ends_on=ends_on)
    if headcount:
        enrol_many(client, headcount)
    return client


def visit(client, day, *, by=None, today=None):
    by = by or UserFactory(role=Role.MANAGER)
    return revisit_record(client=client, visited_on=day, visited_by=by, actor=by,
                          today=today or day)


def at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


@pytest.mark.parametrize(("headcount", "tier", "due_on"), [
    (10, SizeTier.SMALL, datetime.date(2026, 9, 30)),
    (150, SizeTier.MEDIUM, datetime.date(2026, 6, 30)),
    (300, SizeTier.LARGE, datetime.date(2026, 5, 31)),
])
def test_the_next_revisit_falls_due_by_the_tier(headcount, tier, due_on):
    rep = UserFactory(role=Role.SERVICE_REP, display_name="王客服")
    client = served(headcount=headcount, rep=rep)
    visit(client, datetime.date(2026, 3, 31))

    [row] = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)

    assert (row.client_id, row.client_name, row.rep_id, row.rep_name) == (
        client.pk, "上海启明信息技术有限公司", rep.pk, "王客服")
    assert (row.tier, row.headcount) == (tier, headcount)
    assert (row.last_visit, row.due_on, row.overdue) == (datetime.date(2026, 3, 31), due_on,
                                                         False)


def test_a_client_growing_from_medium_to_large_is_due_sooner():
    client = served(headcount=299)
    visit(client, datetime.date(2026, 3, 31))
    assert revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)[0].due_on == datetime.date(
        2026, 6, 30)

    enrol_many(client, 1)

    [row] = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)
    assert (row.tier, row.headcount, row.due_on) == (SizeTier.LARGE, 300,
                                                    datetime.date(2026, 5, 31))


def test_a_client_never_visited_is_due_from_its_contract_start():
    served(headcount=5, starts_on=datetime.date(2026, 2, 15))

    [row] = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)

    assert (row.last_visit, row.due_on, row.overdue) == (None, datetime.date(2026, 8, 15),
                                                         False)


def test_the_last_visit_counts_and_the_next_cycle_starts_from_it():
    client = served(headcount=150)
    visit(client, datetime.date(2026, 1, 10))
    visit(client, datetime.date(2026, 3, 2))
    visit(client, datetime.date(2026, 2, 20), today=APRIL_1)  # recorded late, older

    [row] = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)

    assert (row.last_visit, row.due_on) == (datetime.date(2026, 3, 2), datetime.date(2026, 6, 2))


def test_only_clients_with_a_contract_in_force_are_scheduled():
    served("有效合同公司")
    served("草稿合同公司", status=Contract.Status.DRAFT)
    served("已到期合同公司", ends_on=datetime.date(2026, 3, 31))
    served("未开始合同公司", starts_on=datetime.date(2026, 5, 1))
    inactive = served("已停用公司")
    inactive.is_active = False
    inactive.save()
    ClientFactory(name="无合同公司")

    rows = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)

    assert [r.client_name for r in rows] == ["有效合同公司"]


def test_the_schedule_is_ordered_by_due_date_and_overdue_is_the_day_after():
    late = served("甲公司", headcount=300)  # due 2026-03-01
    visit(late, datetime.date(2026, 1, 1))
    today_due = served("乙公司", headcount=150)  # due 2026-04-01
    visit(today_due, datetime.date(2026, 1, 1))
    served("丙公司", headcount=5)  # never visited: due 2026-07-01

    rows = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)

    assert [(r.client_name, r.due_on, r.overdue) for r in rows] == [
        ("甲公司", datetime.date(2026, 3, 1), True),
        ("乙公司", datetime.date(2026, 4, 1), False),
        ("丙公司", datetime.date(2026, 7, 1), False),
    ]
    overdue = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1, overdue_only=True)
    assert [r.client_name for r in overdue] == ["甲公司"]


def test_a_representative_sees_only_their_clients_archivists_and_finance_nothing():
    rep = UserFactory(role=Role.SERVICE_REP)
    served("我的客户", rep=rep)
    served("别人的客户", rep=UserFactory(role=Role.SERVICE_REP))

    mine = revisit_schedule(viewer=Viewer.of(rep), today=APRIL_1)
    # a representative cannot widen their scope with a filter
    also_mine = revisit_schedule(viewer=Viewer.of(rep), today=APRIL_1, rep_id=None)

    assert [r.client_name for r in mine] == ["我的客户"]
    assert [r.client_name for r in also_mine] == ["我的客户"]
    for role in (Role.ARCHIVIST, Role.FINANCE):
        assert revisit_schedule(viewer=Viewer.of(UserFactory(role=role)), today=APRIL_1) == []
    manager = Viewer.of(UserFactory(role=Role.MANAGER))
    assert [r.client_name for r in revisit_schedule(viewer=manager, today=APRIL_1)] == [
        "别人的客户", "我的客户"]


def test_the_schedule_takes_two_queries_whatever_the_number_of_clients(
    django_assert_num_queries
):
    for n in range(12):
        client = served(f"客户{n:02d}", headcount=n % 3 + 1,
                        rep=UserFactory(role=Role.SERVICE_REP))
        visit(client, datetime.date(2026, 3, 1) - datetime.timedelta(days=n))

    with django_assert_num_queries(2):
        rows = revisit_schedule(viewer=SYSTEM_VIEWER, today=APRIL_1)

    assert len(rows) == 12


# --- the service -----------------------------------------------------------------------


def test_a_revisit_is_recorded_with_its_history_user():
    rep = UserFactory(role=Role.SERVICE_REP)
    client = served(rep=rep)

    revisit = revisit_record(client=client, visited_on=datetime.date(2026, 3, 31),
                             visited_by=rep, notes=" 上门拜访 ", client_feedback="满意",
                             actor=rep, today=APRIL_1)

    revisit.refresh_from_db()
    assert (revisit.client, revisit.visited_on, revisit.visited_by, revisit.notes,
            revisit.client_feedback) == (client, datetime.date(2026, 3, 31), rep, "上门拜访",
                                         "满意")
    assert revisit.history.get().history_user == rep


def test_a_visit_in_the_future_and_a_visitor_who_is_not_staff_are_refused():
    manager = UserFactory(role=Role.MANAGER)
    client = served()
    portal = UserFactory(role=Role.CLIENT_ADMIN, client=client)
    gone = UserFactory(role=Role.SERVICE_REP, is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        revisit_record(client=client, visited_on=datetime.date(2026, 4, 2), visited_by=portal,
                       actor=manager, today=APRIL_1)
    with pytest.raises(ValidationFailed) as refused_gone:
        revisit_record(client=client, visited_on=APRIL_1, visited_by=gone, actor=manager,
                       today=APRIL_1)

    assert [(d.field, d.code) for d in refused.value.details] == [
        ("visited_on", "future_date"), ("visited_by", "not_staff")]
    assert [(d.field, d.code) for d in refused_gone.value.details] == [
        ("visited_by", "not_staff")]
    assert Revisit.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST])
def test_only_the_clients_representative_or_a_manager_records_a_revisit(role):
    client = served(rep=UserFactory(role=Role.SERVICE_REP))
    actor = UserFactory(role=role)

    with pytest.raises(DomainError) as refused:
        revisit_record(client=client, visited_on=APRIL_1, visited_by=actor, actor=actor,
                       today=APRIL_1)

    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)
    assert Revisit.objects.count() == 0


# --- the watch -----------------------------------------------------------------------


def large_client_due_may_31():
    rep = UserFactory(role=Role.SERVICE_REP)
    client = served(headcount=300, rep=rep)
    visit(client, datetime.date(2026, 3, 31))
    return client, rep


@pytest.mark.parametrize(("day", "hour"), [
    (datetime.date(2026, 5, 23), 23), (datetime.date(2026, 4, 1), 9)])
def test_no_finding_more_than_7_days_before(day, hour):
    large_client_due_may_31()

    assert revisit_findings(at(day, hour)) == []


@pytest.mark.parametrize("day", [datetime.date(2026, 5, 24), datetime.date(2026, 5, 31)])
def test_due_soon_from_exactly_7_days_before_to_the_day_itself(day):
    client, rep = large_client_due_may_31()

    assert revisit_findings(at(day, 0)) == [Finding(
        rule="revisit", subject_key=f"client:{client.pk}:2026-05-31", stage="due_soon",
        owner_id=rep.pk,
        message=("客户回访即将到期：上海启明信息技术有限公司 应于 2026-05-31 前回访"
                 "（大型客户每 2 个月）"),
        link=f"/staff/revisits/clients/{client.pk}/",
        due_at=datetime.datetime(2026, 5, 31, tzinfo=SHANGHAI), escalate=False,
        client_id=client.pk)]


def test_overdue_the_day_after_escalated_to_the_managers():
    client, rep = large_client_due_may_31()

    # 2026-05-31 16:30 UTC is already 1 June in Shanghai
    [finding] = revisit_findings(datetime.datetime(2026, 5, 31, 16, 30, tzinfo=datetime.UTC))

    assert finding == Finding(
        rule="revisit", subject_key=f"client:{client.pk}:2026-05-31", stage="overdue",
        owner_id=rep.pk,
        message=("客户回访逾期：上海启明信息技术有限公司 应于 2026-05-31 前回访"
                 "（大型客户每 2 个月）"),
        link=f"/staff/revisits/clients/{client.pk}/",
        due_at=datetime.datetime(2026, 5, 31, tzinfo=SHANGHAI), escalate=True,
        client_id=client.pk)
    assert finding.breached is True


def test_a_visit_ends_the_finding_and_the_next_cycle_is_a_new_subject():
    client, _rep = large_client_due_may_31()
    visit(client, datetime.date(2026, 6, 2))

    assert revisit_findings(at(datetime.date(2026, 6, 3))) == []
    [finding] = revisit_findings(at(datetime.date(2026, 7, 27)))
    assert (finding.subject_key, finding.stage) == (f"client:{client.pk}:2026-08-02", "due_soon")


def test_a_small_client_never_visited_without_a_representative_goes_to_the_managers():
    client = served("小微客户", headcount=3, starts_on=datetime.date(2026, 1, 1))

    [finding] = revisit_findings(at(datetime.date(2026, 7, 2)))

    assert (finding.owner_id, finding.stage, finding.escalate) == (None, "overdue", True)
    assert finding.message == "客户回访逾期：小微客户 应于 2026-07-01 前回访（小微型客户每 6 个月）"
    assert finding.client_id == client.pk
