"""Staff pages of the people side: the revisit schedule and a client's revisits, training
sessions, the month's assessments; who sees what, and query counts that do not grow with
the number of rows."""

import datetime

import pytest
from django.utils import timezone

from agency.deadlines import add_months
from agency.roles import Role
from clients.models import Contract
from compliance.models import Assessment, Revisit, TrainingSession
from compliance.people import assessment_record, revisit_record
from tests.clients.factories import ContractFactory, enrol_many
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def served(name, *, rep=None, headcount=1):
    client = ClientFactory(name=name, service_rep=rep)
    ContractFactory(client=client, status=Contract.Status.ACTIVE,
                    starts_on=today() - datetime.timedelta(days=400),
                    ends_on=today() + datetime.timedelta(days=400))
    enrol_many(client, headcount)
    return client


def visited(client, day, by):
    return revisit_record(client=client, visited_on=day, visited_by=by, actor=None)


@pytest.fixture
def count_queries(client, django_assert_max_num_queries):
    """GET a page under a query-count ceiling; returns how many queries it took."""
    def count(url, params=None, *, at_most):
        from django_otp import DEVICE_ID_SESSION_KEY

        # a verified staff session costs one more: django-otp loads its two-factor device
        at_most += DEVICE_ID_SESSION_KEY in client.session
        with django_assert_max_num_queries(at_most) as queries:
            response = client.get(url, params or {})
        assert response.status_code == 200
        return len(queries)

    return count


@pytest.fixture
def manager(client):
    user = UserFactory(role=Role.MANAGER, display_name="赵经理")
    client.force_login(user)
    return user


# --- revisits -------------------------------------------------------------------------


def test_the_schedule_shows_tier_headcount_last_visit_and_the_overdue_due_date(
    client, manager
):
    rep = UserFactory(role=Role.SERVICE_REP, display_name="王客服")
    big = served("上海大型客户有限公司", rep=rep, headcount=300)
    last = add_months(today(), -3)
    visited(big, last, rep)
    due = add_months(last, 2)

    html = client.get("/staff/revisits/").content.decode()

    assert "<h1>客户回访计划</h1>" in html
    assert (f'<td><a href="/staff/revisits/clients/{big.pk}/">上海大型客户有限公司</a></td>\n'
            f"    <td>王客服</td>\n    <td>大型（300人及以上）</td>\n"
            f'    <td class="num">300</td>\n'
            f'    <td style="white-space:nowrap">{last:%Y-%m-%d}</td>\n'
            f'    <td style="white-space:nowrap">{due:%Y-%m-%d} '
            f'<span class="badge bad">已逾期</span></td>\n'
            f'    <td><a href="/staff/revisits/new/?client={big.pk}">记录回访</a></td>') in html
    assert "逾期回访：1" in html


def test_the_schedule_page_takes_as_many_queries_for_30_clients_as_for_3(
    client, manager, count_queries
):
    def add(n):
        for i in range(n):
            rep = UserFactory(role=Role.SERVICE_REP)
            visited(served(f"客户{ClientFactory._meta.model.objects.count():03d}", rep=rep),
                    today() - datetime.timedelta(days=i), rep)

    add(3)
    few = count_queries("/staff/revisits/", at_most=6)
    add(27)
    many = count_queries("/staff/revisits/", at_most=6)
    html = client.get("/staff/revisits/").content.decode()

    assert few == many
    assert html.count('data-testid="revisit-row"') == 30


def test_the_schedule_filters_by_name_tier_and_overdue(client, manager):
    late = served("甲逾期公司", headcount=150)
    visited(late, add_months(today(), -4), manager)
    visited(served("乙新客户公司"), today(), manager)

    by_name = client.get("/staff/revisits/", {"q": "新客户"}).content.decode()
    by_tier = client.get("/staff/revisits/", {"tier": "medium"}).content.decode()
    overdue = client.get("/staff/revisits/", {"overdue": "on"}).content.decode()

    assert ("乙新客户公司" in by_name, "甲逾期公司" in by_name) == (True, False)
    assert ("甲逾期公司" in by_tier, "乙新客户公司" in by_tier) == (True, False)
    assert ("甲逾期公司" in overdue, "乙新客户公司" in overdue) == (True, False)


def test_a_representative_sees_and_records_only_their_own_clients(client):
    rep = UserFactory(role=Role.SERVICE_REP)
    mine = served("我的客户公司", rep=rep)
    theirs = served("别人的客户公司", rep=UserFactory(role=Role.SERVICE_REP))
    client.force_login(rep)

    html = client.get("/staff/revisits/", {"rep": theirs.service_rep_id}).content.decode()

    assert ("我的客户公司" in html, "别人的客户公司" in html) == (True, False)
    assert client.get(f"/staff/revisits/clients/{mine.pk}/").status_code == 200
    assert client.get(f"/staff/revisits/clients/{theirs.pk}/").status_code == 404
    assert client.get("/staff/revisits/new/", {"client": theirs.pk}).status_code == 404
    assert client.post(f"/staff/revisits/new/?client={theirs.pk}",
                       {"visited_on": today().isoformat(),
                        "visited_by": rep.pk}).status_code == 404
    assert Revisit.objects.count() == 0


@pytest.mark.parametrize("role", [Role.ARCHIVIST, Role.FINANCE])
def test_archivists_and_finance_do_not_see_the_revisits(client, role):
    company = served("某公司")
    client.force_login(UserFactory(role=role))

    assert client.get("/staff/revisits/").status_code == 404
    assert client.get(f"/staff/revisits/clients/{company.pk}/").status_code == 404
    assert client.get("/staff/revisits/new/", {"client": company.pk}).status_code == 404


def test_a_portal_user_does_not_see_the_staff_pages(client, portal_user):
    client.force_login(portal_user)

    for url in ("/staff/revisits/", "/staff/trainings/", "/staff/assessments/"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("query", ["", "?client=abc", "?client=999999"])
def test_the_visit_form_without_a_known_client_answers_404(client, manager, query):
    assert client.get(f"/staff/revisits/new/{query}").status_code == 404


def test_a_representative_records_a_visit_and_sees_it_in_the_clients_history(client):
    rep = UserFactory(role=Role.SERVICE_REP, display_name="王客服")
    company = served("上海回访客户有限公司", rep=rep)
    client.force_login(rep)
    form = client.get(f"/staff/revisits/new/?client={company.pk}").content.decode()
    assert '<label for="id_visited_on">回访日期:</label>' in form

    response = client.post(f"/staff/revisits/new/?client={company.pk}", {
        "visited_on": today().isoformat(), "visited_by": rep.pk, "notes": "上门拜访",
        "client_feedback": "对服务满意"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(f"/staff/revisits/clients/{company.pk}/", 302)]
    assert "回访已记录。" in html
    assert (f'<td style="white-space:nowrap">{today():%Y-%m-%d}</td>\n    <td>王客服</td>\n'
            "    <td>上门拜访</td>\n    <td>对服务满意</td>") in html
    assert f"下次回访期限: {add_months(today(), 6):%Y-%m-%d}" in html
    assert Revisit.objects.get().visited_by == rep


def test_a_visit_in_the_future_is_refused_next_to_its_field(client, manager):
    company = served("某公司")

    response = client.post(f"/staff/revisits/new/?client={company.pk}", {
        "visited_on": (today() + datetime.timedelta(days=1)).isoformat(),
        "visited_by": manager.pk})

    assert response.status_code == 200
    assert "回访日期不能晚于今天 / The visit date cannot be in the future" in \
        response.content.decode()
    assert Revisit.objects.count() == 0


def test_the_clients_history_page_has_a_bounded_number_of_queries(
    client, manager, count_queries
):
    company = served("某公司")
    for i in range(3):
        visited(company, today() - datetime.timedelta(days=i), manager)
    few = count_queries(f"/staff/revisits/clients/{company.pk}/", at_most=7)
    for i in range(3, 20):
        visited(company, today() - datetime.timedelta(days=i),
                UserFactory(role=Role.SERVICE_REP))

    assert count_queries(f"/staff/revisits/clients/{company.pk}/", at_most=7) == few


# --- training -------------------------------------------------------------------------


def test_a_manager_records_a_training_session_with_its_attendees(client, manager):
    rep = UserFactory(role=Role.SERVICE_REP, display_name="B 钱客服")
    archivist = UserFactory(role=Role.ARCHIVIST, display_name="A 孙档案")
    form = client.get("/staff/trainings/new/").content.decode()
    assert '<label for="id_attendees">参训人员:</label>' in form
    assert ('<select name="attendees" size="10" required aria-describedby="id_attendees_helptext"'
            ' id="id_attendees" multiple>') in form

    response = client.post("/staff/trainings/new/", {
        "held_on": today().isoformat(), "topic": "policy", "title": "2026年社保基数调整",
        "trainer": "李老师", "attendees": [rep.pk, archivist.pk]}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [("/staff/trainings/", 302)]
    assert "培训已记录。" in html
    assert (f'<td style="white-space:nowrap">{today():%Y-%m-%d}</td>\n    <td>政策</td>\n'
            "    <td>2026年社保基数调整</td>\n    <td>李老师</td>\n    <td>A 孙档案、B 钱客服</td>"
            ) in html
    assert set(TrainingSession.objects.get().attendees.all()) == {rep, archivist}


def test_a_session_in_the_future_is_refused_next_to_its_field(client, manager):
    response = client.post("/staff/trainings/new/", {
        "held_on": (today() + datetime.timedelta(days=2)).isoformat(), "topic": "policy",
        "title": "政策", "trainer": "李老师", "attendees": [manager.pk]})

    assert "培训日期不能晚于今天 / The training date cannot be in the future" in \
        response.content.decode()
    assert TrainingSession.objects.count() == 0


def test_staff_read_the_training_list_only_managers_record(client):
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    html = client.get("/staff/trainings/").content.decode()

    assert "<h1>员工培训</h1>" in html
    assert "新增培训" not in html
    assert client.get("/staff/trainings/new/").status_code == 404


def test_the_training_list_shows_a_missing_fortnight(client, manager):
    last = today() - datetime.timedelta(days=20)
    TrainingSession.objects.create(held_on=last, topic="policy", title="政策", trainer="李老师")

    html = client.get("/staff/trainings/").content.decode()

    first = last + datetime.timedelta(days=1)
    assert f"<li>{first:%Y-%m-%d} – {today():%Y-%m-%d} (未培训天数：20)</li>" in html


def test_the_training_list_takes_as_many_queries_for_20_sessions_as_for_3(
    client, manager, count_queries
):
    people = [UserFactory(role=Role.SERVICE_REP) for _ in range(3)]

    def add(n):
        for i in range(n):
            s = TrainingSession.objects.create(
                held_on=today() - datetime.timedelta(days=7 * (TrainingSession.objects.count())),
                topic="knowledge", title=f"培训{i}", trainer="李老师")
            s.attendees.set(people)

    add(3)
    few = count_queries("/staff/trainings/", at_most=8)
    add(17)

    assert count_queries("/staff/trainings/", at_most=8) == few


# --- assessments ----------------------------------------------------------------------


def test_the_months_assessments_show_scores_and_who_is_not_assessed(client, manager):
    month = today().replace(day=1)
    done = UserFactory(role=Role.SERVICE_REP, display_name="A 已考核")
    missing = UserFactory(role=Role.ARCHIVIST, display_name="B 未考核")
    assessment_record(staff=done, month=month, score=88, outcome="reward", note="表现突出",
                      actor=manager)

    html = client.get("/staff/assessments/", {"month": f"{month:%Y-%m}"}).content.decode()

    assert f"<h1>月度考核 {month:%Y-%m}</h1>" in html
    assert ('<td class="num">88</td><td>奖励</td><td>表现突出</td><td>赵经理</td>') in html
    assert (f'<td>B 未考核</td>\n    <td>档案管理员</td>\n    <td class="num">—</td>'
            '<td colspan="2"><span class="badge bad">未考核</span></td>'
            f'<td><a href="/staff/assessments/new/?staff={missing.pk}&month={month:%Y-%m}">'
            "考核</a></td>") in html
    # the manager is assessed too (by an admin), so two are missing
    assert "尚未考核的员工：2" in html


def test_a_manager_records_an_assessment_and_a_second_is_refused_on_the_month(
    client, manager
):
    month = today().replace(day=1)
    rep = UserFactory(role=Role.SERVICE_REP)
    data = {"staff": rep.pk, "month": f"{month:%Y-%m}", "score": 75, "outcome": "none",
            "note": ""}

    first = client.post("/staff/assessments/new/", data)
    second = client.post("/staff/assessments/new/", {**data, "score": 90})

    assert first.status_code == 302
    assert first["Location"] == f"/staff/assessments/?month={month:%Y-%m}"
    assert second.status_code == 200
    assert "该员工本月已考核 / This staff member is already assessed for the month" in \
        second.content.decode()
    assert Assessment.objects.get().score == 75


def test_a_score_out_of_range_is_refused_next_to_its_field(client, manager):
    rep = UserFactory(role=Role.SERVICE_REP)

    response = client.post("/staff/assessments/new/", {
        "staff": rep.pk, "month": f"{today():%Y-%m}", "score": 120, "outcome": "none"})

    assert "分数须在 0 到 100 之间 / The score must be between 0 and 100" in \
        response.content.decode()
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST])
def test_only_managers_and_admins_see_the_assessments(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get("/staff/assessments/").status_code == 404
    assert client.get("/staff/assessments/new/").status_code == 404


def test_the_assessment_page_takes_as_many_queries_for_20_staff_as_for_3(
    client, manager, count_queries
):
    month = today().replace(day=1)

    def add(n):
        for _ in range(n):
            user = UserFactory(role=Role.SERVICE_REP)
            assessment_record(staff=user, month=month, score=80, outcome="none",
                              actor=manager)
            UserFactory(role=Role.FINANCE)

    add(3)
    few = count_queries("/staff/assessments/", {"month": f"{month:%Y-%m}"}, at_most=6)
    add(17)

    assert count_queries("/staff/assessments/", {"month": f"{month:%Y-%m}"},
                         at_most=6) == few


def test_a_wrong_month_in_the_query_string_shows_the_previous_month(client, manager):
    response = client.get("/staff/assessments/", {"month": "2026-13"})

    previous = add_months(today().replace(day=1), -1)
    assert response.status_code == 200
    assert f"<h1>月度考核 {previous:%Y-%m}</h1>" in response.content.decode()


@pytest.mark.parametrize("query", [
    {"month": "9999-12"}, {"month": "1000-01"}, {"staff": "abc", "month": "zz"},
    {"staff": "999999"}, {"page": "x"},
])
def test_odd_query_strings_do_not_break_the_assessment_pages(client, manager, query):
    assert client.get("/staff/assessments/", query).status_code == 200
    assert client.get("/staff/assessments/new/", query).status_code == 200


@pytest.mark.parametrize("query", [
    {"rep": "abc"}, {"tier": "huge"}, {"page": "999"}, {"overdue": "maybe"}, {"q": "x" * 500},
])
def test_odd_filters_do_not_break_the_schedule(client, manager, query):
    served("某公司")

    assert client.get("/staff/revisits/", query).status_code == 200
    assert client.get("/staff/trainings/", {"topic": "cooking", **query}).status_code == 200


def test_a_month_and_score_that_do_not_parse_are_refused_by_the_form(client, manager):
    rep = UserFactory(role=Role.SERVICE_REP)

    response = client.post("/staff/assessments/new/", {
        "staff": rep.pk, "month": "2026-1", "score": "abc", "outcome": "none"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "请使用 YYYY-MM 格式。" in html
    assert "输入整数。" in html
    assert Assessment.objects.count() == 0
