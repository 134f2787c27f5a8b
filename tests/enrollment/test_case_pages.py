"""Case pages: the staff queue (by deadline, badges, filters), a case's page (masked ID,
steps with their buttons, papers, thread, history, closing), the staff form (client then
person); the portal list, new case, detail with uploads, messages and cancelling. Another
client's case answers 404; query counts do not grow with the cases."""

import datetime

import pytest
from django.utils import timezone

from agency.roles import Role
from enrollment.cases.services import case_step_done
from enrollment.models import Case, CaseStatus
from tests.enrollment.case_fixtures import open_case, served
from tests.enrollment.factories_person import enrolled_person, png_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _recent(hours_ago: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours_ago)


# --- staff ------------------------------------------------------------------------------


def test_queue_orders_by_deadline_with_badges(client, client_company):
    rep = served(client_company)
    breached = open_case(client_company, now=_recent(50))
    due_soon = open_case(client_company, now=_recent(44))
    running = open_case(client_company, now=_recent(1))
    handled = open_case(client_company, now=_recent(2))
    case_step_done(case=handled, key="handling", actor=rep)
    client.force_login(rep)

    response = client.get("/staff/cases/")

    assert response.status_code == 200
    assert [case.pk for case, _, _ in response.context["rows"]] == [
        breached.pk, due_soon.pk, handled.pk, running.pk]
    assert [clock for _, clock, _ in response.context["rows"]] == [
        "breached", "due_soon", "stopped", "running"]
    html = response.content.decode()
    assert html.count('data-testid="case-row"') == 4
    assert "已超 48 小时" in html and "6 小时内到期" in html


def test_queue_filters_by_type_status_and_client(client, client_company, other_client_company):
    manager = UserFactory(role=Role.MANAGER)
    retirement = open_case(client_company, type="retirement")
    other = open_case(client_company, type="other")
    theirs = open_case(other_client_company, type="retirement")
    closed = open_case(client_company, type="other")
    closed.status = CaseStatus.CANCELLED
    closed.save()
    client.force_login(manager)

    def pks(**query):
        return [c.pk for c, _, _ in client.get("/staff/cases/", query).context["rows"]]

    assert sorted(pks(type="retirement")) == sorted([retirement.pk, theirs.pk])
    assert pks(client=other_client_company.pk) == [theirs.pk]
    assert pks(status="cancelled") == [closed.pk]
    assert sorted(pks()) == sorted([retirement.pk, other.pk, theirs.pk])


def test_queue_query_count_does_not_grow_with_cases(client, client_company,
                                                    django_assert_max_num_queries):
    rep = served(client_company)
    for _ in range(30):
        open_case(client_company)
    client.force_login(rep)

    with django_assert_max_num_queries(8):
        response = client.get("/staff/cases/")

    assert len(response.context["rows"]) == 30


def test_a_representative_sees_only_their_clients(client, client_company, other_client_company):
    rep = served(client_company)
    served(other_client_company)
    theirs = open_case(other_client_company)
    client.force_login(rep)

    assert client.get("/staff/cases/").context["rows"] == []
    assert client.get(f"/staff/cases/{theirs.pk}/").status_code == 404


def test_case_page_shows_person_masked_steps_thread_and_history(
        client, client_company, django_assert_max_num_queries):
    rep = served(client_company)
    person = enrolled_person(client_company, name="王芳", id_number="11010519491231002X")
    case = open_case(client_company, person, type="work_injury", actor=rep,
                     incident_date=datetime.date(2026, 11, 2))
    client.force_login(rep)

    with django_assert_max_num_queries(10):
        response = client.get(f"/staff/cases/{case.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "**************002X" in html
    assert "11010519491231002X" not in html
    assert html.count('data-testid="step-done"') == 5
    assert "工伤认定申请" in html
    assert 'data-testid="statutory-due">2026-12-02<' in html
    assert 'data-testid="close-form"' in html
    assert 'data-testid="history"' in html


def test_case_page_query_count_does_not_grow_with_messages(client, client_company,
                                                           django_assert_max_num_queries):
    from enrollment.cases.services import case_message

    rep = served(client_company)
    case = open_case(client_company)
    for n in range(15):
        case_message(case=case, body=f"消息{n}", actor=rep, from_client=False)
    client.force_login(rep)

    with django_assert_max_num_queries(10):
        response = client.get(f"/staff/cases/{case.pk}/")

    assert response.content.decode().count('data-testid="message"') == 15


def test_staff_marks_a_step_done_and_closes(client, client_company):
    rep = served(client_company)
    case = open_case(client_company)
    client.force_login(rep)

    done = client.post(f"/staff/cases/{case.pk}/steps/handling/done/", {"note": "已办"})
    closed = client.post(f"/staff/cases/{case.pk}/close/", {"outcome": "succeeded",
                                                           "note": "已办结"})
    case.refresh_from_db()

    history = client.get(f"/staff/cases/{case.pk}/").context["history"]

    assert (done.status_code, closed.status_code) == (302, 302)
    assert [(h["row"].history_user, h["changed"], h["status"]) for h in history] == [
        (rep, ["关闭时间", "办结结果", "状态"], "成功"),
        (rep, ["首次处理时间", "状态"], "办理中"),
        (None, [], "已受理")]
    assert case.steps.get().note == "已办"
    assert (case.status, case.outcome) == (CaseStatus.SUCCEEDED, "已办结")


def test_closing_as_failed_without_reason_shows_the_error(client, client_company):
    rep = served(client_company)
    case = open_case(client_company)
    client.force_login(rep)

    response = client.post(f"/staff/cases/{case.pk}/close/", {"outcome": "failed", "note": ""})

    assert response.status_code == 400
    assert response.context["close_form"].errors == {"note": ["请填写未办成的原因 / Say why "
                                                              "the case failed"]}


def test_staff_open_form_lists_the_chosen_clients_persons(client, client_company,
                                                          other_client_company):
    rep = served(client_company)
    mine = enrolled_person(client_company, name="张三")
    enrolled_person(other_client_company, name="李四")
    client.force_login(rep)

    page = client.get("/staff/cases/new/", {"client": client_company.pk})
    created = client.post("/staff/cases/new/", {
        "client": client_company.pk, "person": mine.pk, "type": "maternity",
        "description": "生育"})

    choices = [label for value, label in page.context["form"].fields["person"].choices
               if value]
    assert choices == [f"张三 · {mine.id_number_masked}"]
    case = Case.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/staff/cases/{case.pk}/"
    assert (case.channel, case.person, case.opened_by) == ("staff", mine, rep)


def test_staff_open_form_refuses_a_work_injury_without_date(client, client_company):
    rep = served(client_company)
    person = enrolled_person(client_company)
    client.force_login(rep)

    response = client.post("/staff/cases/new/", {
        "client": client_company.pk, "person": person.pk, "type": "work_injury"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"incident_date": [
        "工伤须填写受伤日期 / A work injury needs the incident date"]}
    assert Case.objects.count() == 0


# --- portal -----------------------------------------------------------------------------


def test_portal_list_and_isolation(client, client_company, other_client_company, portal_user,
                                   django_assert_max_num_queries):
    for _ in range(12):
        open_case(client_company)
    theirs = open_case(other_client_company)
    client.force_login(portal_user)

    with django_assert_max_num_queries(8):
        listing = client.get("/portal/cases/")
    other = client.get(f"/portal/cases/{theirs.pk}/")
    other_message = client.post(f"/portal/cases/{theirs.pk}/messages/", {"body": "x"})
    other_cancel = client.post(f"/portal/cases/{theirs.pk}/cancel/", {"note": ""})

    assert listing.status_code == 200
    assert len(listing.context["rows"]) == 12
    assert (other.status_code, other_message.status_code, other_cancel.status_code) == (
        404, 404, 404)
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.OPEN


def test_staff_pages_are_404_to_a_portal_user(client, client_company, portal_user):
    case = open_case(client_company)
    client.force_login(portal_user)

    assert client.get("/staff/cases/").status_code == 404
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404


def test_portal_new_case_lists_only_its_persons(client, client_company, other_client_company,
                                                portal_user):
    mine = enrolled_person(client_company, name="张三")
    theirs = enrolled_person(other_client_company, name="李四")
    client.force_login(portal_user)

    refused = client.post("/portal/cases/new/", {"person": theirs.pk, "type": "other"})
    created = client.post("/portal/cases/new/", {"person": mine.pk, "type": "retirement",
                                                 "description": "明年退休"})

    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["person"]
    case = Case.objects.get()
    assert created["Location"] == f"/portal/cases/{case.pk}/"
    assert (case.channel, case.opened_by, case.client) == ("portal", portal_user,
                                                           client_company)


def test_portal_uploads_a_paper_writes_and_cancels(client, client_company, portal_user,
                                                   committed):
    case = open_case(client_company, type="retirement", actor=portal_user)
    client.force_login(portal_user)

    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    with committed():
        uploaded = client.post(f"/portal/cases/{case.pk}/papers/",
                               {"step_key": "id_card", "file": png_upload("id.png")})
    bad = client.post(f"/portal/cases/{case.pk}/papers/",
                      {"step_key": "file_review", "file": png_upload("id.png")})
    wrote = client.post(f"/portal/cases/{case.pk}/messages/", {"body": "请尽快办理"})
    cancelled = client.post(f"/portal/cases/{case.pk}/cancel/", {"note": "不办了"})
    case.refresh_from_db()

    assert 'data-testid="step-done"' not in page  # the client does not mark steps
    assert 'data-testid="paper-upload"' in page and 'data-testid="cancel-form"' in page
    assert (uploaded.status_code, bad.status_code, wrote.status_code) == (302, 400, 302)
    assert case.papers.get().original_name == "id.png"
    assert case.steps.get(key="id_card").done_at is not None
    assert [m.body for m in case.messages.all()] == ["请尽快办理"]
    assert cancelled.status_code == 302
    assert (case.status, case.outcome) == (CaseStatus.CANCELLED, "不办了")
    assert client.get(f"/portal/cases/{case.pk}/papers/{case.papers.get().pk}/")[
        "Content-Type"] == "image/png"


def test_a_read_only_portal_user_reads_but_does_not_write(client, client_company):
    reader = UserFactory(role=Role.CLIENT_VIEWER, client=client_company)
    case = open_case(client_company)
    client.force_login(reader)

    page = client.get(f"/portal/cases/{case.pk}/")

    assert page.status_code == 200
    assert 'data-testid="cancel-form"' not in page.content.decode()
    assert client.get("/portal/cases/new/").status_code == 404
    assert client.post(f"/portal/cases/{case.pk}/cancel/").status_code == 404
