"""Pages of the service desk: the client's inquiries, complaints and feedback in the
portal; the agency's queue, entry, threads and complaint workflow on the staff side."""

import datetime
import re

import pytest
from django.utils import timezone

from agency.roles import Role
from compliance.models import Complaint, CorrectiveAction, Feedback, Inquiry
from compliance.service_desk import (
    complaint_action_done,
    complaint_add_action,
    complaint_investigate,
    complaint_open,
    inquiry_open,
    inquiry_reply,
)
from enrollment.models import RosterLine
from enrollment.orders.services import order_submit
from tests.enrollment.order_fixtures import add_line
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _inquiry(client, *, ago=HOUR, subject="参保进度", **kwargs):
    return inquiry_open(client=client, subject=subject, body="何时生效？", channel="portal",
                        actor=kwargs.pop("actor", None), now=timezone.now() - ago, **kwargs)


def _complaint(client, actor=None, subject="账单有误"):
    return complaint_open(client=client, subject=subject, body="多收费用", channel="portal",
                          actor=actor)


def _rows(html, testid):
    return html.count(f'data-testid="{testid}"')


@pytest.fixture
def hr(client, portal_user):
    client.force_login(portal_user)
    return portal_user


@pytest.fixture
def rep(client, client_company):
    user = UserFactory(role=Role.SERVICE_REP, display_name="王芳")
    client_company.service_rep = user
    client_company.save()
    client.force_login(user)
    return user


# --- portal ------------------------------------------------------------------------------------


def test_portal_inquiry_list_shows_the_clients_own_and_is_query_bounded(
        client, hr, client_company, other_client_company, django_assert_max_num_queries):
    for n in range(12):
        _inquiry(client_company, subject=f"问题{n}")
    _inquiry(other_client_company, subject="别家的问题")
    done = _inquiry(client_company, subject="已答复的问题")
    inquiry_reply(inquiry=done, body="答复", actor=None, from_client=False)

    with django_assert_max_num_queries(10):
        response = client.get("/portal/inquiries/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(html, "inquiry-row") == 13
    assert _rows(html, "pending-feedback") == 1
    assert f'href="/portal/inquiries/{done.pk}/">咨询: 已答复的问题' in html
    assert "别家的问题" not in html
    assert "每个问题我们都在 12 小时内回复。" in html


def test_portal_asks_a_follow_up_question_from_the_line_link(client, company):
    hr_user = UserFactory(role=Role.CLIENT_ADMIN, client=company)
    client.force_login(hr_user)
    order = order_submit(client=company, lines=[add_line(1)], channel="api", actor=None)
    line = order.lines.get()
    RosterLine.objects.filter(pk=line.pk).update(status="succeeded")

    form = client.get("/portal/inquiries/new/", {"about_type": "order_line",
                                                 "about_id": line.pk})
    response = client.post("/portal/inquiries/new/", {
        "subject": "社保卡", "body": "怎么领取？", "about_type": "order_line",
        "about_id": line.pk})

    assert form.status_code == 200
    assert "关于增减员明细的后续咨询" in form.content.decode()
    assert line.name in form.content.decode()
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/inquiries/{inquiry.pk}/"
    assert (inquiry.about_type, inquiry.about_id, inquiry.channel, inquiry.opened_by) == (
        "order_line", line.pk, "portal", hr_user)


def test_portal_form_shows_refusals(client, hr, other_client_company):
    empty = client.post("/portal/inquiries/new/", {"subject": "", "body": ""})
    case = client.post("/portal/inquiries/new/", {"subject": "工伤", "body": "进度？",
                                                  "about_type": "case", "about_id": 3})

    assert empty.status_code == 200
    assert sorted(empty.context["form"].errors) == ["body", "subject"]
    assert case.context["form"].non_field_errors() == [
        "未找到该业务办理事项 / Case not found"]
    assert Inquiry.objects.count() == 0


def test_portal_inquiry_thread_reply_and_feedback(client, hr, client_company,
                                                  django_assert_max_num_queries):
    inquiry = _inquiry(client_company, actor=hr)
    inquiry_reply(inquiry=inquiry, body="下月生效。", actor=UserFactory(role=Role.SERVICE_REP),
                  from_client=False)

    with django_assert_max_num_queries(12):
        page = client.get(f"/portal/inquiries/{inquiry.pk}/")
    bad = client.post(f"/portal/inquiries/{inquiry.pk}/feedback/", {"score": "9"})
    given = client.post(f"/portal/inquiries/{inquiry.pk}/feedback/",
                        {"score": "5", "comment": "很及时"})
    after = client.get(f"/portal/inquiries/{inquiry.pk}/").content.decode()
    reply = client.post(f"/portal/inquiries/{inquiry.pk}/reply/", {"body": "还有一个问题"})

    html = page.content.decode()
    assert page.status_code == 200
    assert _rows(html, "message") == 2
    assert "下月生效。" in html
    assert 'data-testid="feedback-form"' in html
    assert list(bad.context["feedback_form"].errors) == ["score"]
    assert given.status_code == 302
    assert Feedback.objects.get().score == 5
    assert "评分：5 / 5" in after
    assert 'data-testid="feedback-form"' not in after
    assert reply.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "open"


def test_portal_another_clients_inquiry_and_complaint_answer_404(client, hr,
                                                                 other_client_company):
    inquiry = _inquiry(other_client_company)
    complaint = _complaint(other_client_company)

    assert [client.get(f"/portal/inquiries/{inquiry.pk}/").status_code,
            client.post(f"/portal/inquiries/{inquiry.pk}/reply/", {"body": "x"}).status_code,
            client.get(f"/portal/complaints/{complaint.pk}/").status_code,
            client.post(f"/portal/complaints/{complaint.pk}/confirm/").status_code] == [
        404, 404, 404, 404]


def test_portal_complaint_new_confirm_and_feedback(client, hr, client_company):
    created = client.post("/portal/complaints/new/", {"subject": "账单有误", "body": "多收"})
    complaint = Complaint.objects.get()
    agent = UserFactory(role=Role.SERVICE_REP, display_name="李娜")
    complaint_investigate(complaint=complaint, findings="核对属实", actor=agent)
    action = complaint_add_action(complaint=complaint, description="退还多收费用", owner=agent,
                                  due_on=datetime.date(2026, 12, 10), actor=agent)

    waiting = client.get(f"/portal/complaints/{complaint.pk}/").content.decode()
    complaint_action_done(action=action, actor=agent)
    ready = client.get(f"/portal/complaints/{complaint.pk}/").content.decode()
    confirmed = client.post(f"/portal/complaints/{complaint.pk}/confirm/")
    closed = client.get(f"/portal/complaints/{complaint.pk}/").content.decode()
    listed = client.get("/portal/complaints/").content.decode()

    assert created.status_code == 302
    assert (complaint.channel, complaint.opened_by) == ("portal", hr)
    assert "退还多收费用" in waiting and "李娜" in waiting and "核对属实" in waiting
    assert 'data-testid="confirm"' not in waiting
    assert 'data-testid="confirm"' in ready
    assert confirmed.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert 'data-testid="feedback-form"' in closed
    assert _rows(listed, "complaint-row") == 1


# --- staff -------------------------------------------------------------------------------------


def test_staff_queue_is_by_respond_by_with_badges(client, rep, client_company,
                                                  django_assert_max_num_queries):
    _inquiry(client_company, ago=HOUR, subject="刚到的问题")
    _inquiry(client_company, ago=13 * HOUR, subject="超时的问题")
    _inquiry(client_company, ago=11 * HOUR, subject="快到期的问题")
    _inquiry(ClientFactory(), ago=HOUR, subject="别的客户的问题")
    for n in range(10):
        _inquiry(client_company, ago=HOUR, subject=f"批量问题{n}")

    with django_assert_max_num_queries(8):
        response = client.get("/staff/inquiries/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(html, "inquiry-row") == 13
    subjects = re.findall(r'/staff/inquiries/\d+/">([^<]+)</a>', html)
    assert subjects[:3] == ["超时的问题", "快到期的问题", "刚到的问题"]
    assert "别的客户的问题" not in html
    assert html.count("已超 12 小时") == 1
    assert html.count("2 小时内到期") == 1


def test_staff_records_a_phone_inquiry_and_answers_it(client, rep, client_company):
    elsewhere = ClientFactory()
    not_mine = client.post("/staff/inquiries/new/", {
        "client": elsewhere.pk, "channel": "phone", "subject": "x", "body": "y"})
    created = client.post("/staff/inquiries/new/", {
        "client": client_company.pk, "channel": "phone", "subject": "电话咨询",
        "body": "退休手续怎么办？"})
    inquiry = Inquiry.objects.get()
    page = client.get(f"/staff/inquiries/{inquiry.pk}/")
    answered = client.post(f"/staff/inquiries/{inquiry.pk}/reply/", {"body": "需要准备材料。"})

    assert list(not_mine.context["form"].errors) == ["client"]
    assert created["Location"] == f"/staff/inquiries/{inquiry.pk}/"
    assert (inquiry.channel, inquiry.opened_by, inquiry.assignee) == ("phone", rep, rep)
    assert page.status_code == 200
    assert "退休手续怎么办？" in page.content.decode()
    assert answered.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "answered"


def test_staff_complaint_workflow_through_the_pages(client, rep, client_company,
                                                    django_assert_max_num_queries):
    created = client.post("/staff/complaints/new/", {
        "client": client_company.pk, "channel": "visit", "subject": "服务态度",
        "body": "窗口人员态度差"})
    complaint = Complaint.objects.get()
    investigated = client.post(f"/staff/complaints/{complaint.pk}/investigate/",
                               {"findings": "已约谈当事人"})
    no_owner = client.post(f"/staff/complaints/{complaint.pk}/actions/",
                           {"description": "培训", "due_on": "2026-12-10"})
    added = client.post(f"/staff/complaints/{complaint.pk}/actions/", {
        "description": "服务礼仪培训", "owner": rep.pk, "due_on": "2026-12-10"})
    action = CorrectiveAction.objects.get()
    with django_assert_max_num_queries(12):
        page = client.get(f"/staff/complaints/{complaint.pk}/")
    done = client.post(f"/staff/complaints/actions/{action.pk}/done/")

    assert created["Location"] == f"/staff/complaints/{complaint.pk}/"
    assert investigated.status_code == 302
    assert list(no_owner.context["action_form"].errors) == ["owner"]
    assert added.status_code == 302
    html = page.content.decode()
    assert page.status_code == 200
    assert "服务礼仪培训" in html and "已约谈当事人" in html and "2026-12-10" in html
    assert done.status_code == 302
    complaint.refresh_from_db()
    action.refresh_from_db()
    assert (complaint.status, complaint.channel, action.done_at is not None) == (
        "action", "visit", True)


def test_staff_list_and_refusals(client, rep, client_company):
    overdue = complaint_open(client=client_company, subject="超时投诉", body="x",
                             channel="phone", actor=None,
                             now=timezone.now() - 49 * HOUR)
    theirs = _complaint(ClientFactory(), subject="别家投诉")
    their_inquiry = _inquiry(ClientFactory())

    html = client.get("/staff/complaints/").content.decode()
    early_action = client.post(f"/staff/complaints/{overdue.pk}/actions/", {
        "description": "x", "owner": rep.pk, "due_on": "2026-12-10"})

    assert _rows(html, "complaint-row") == 1
    assert "已超 48 小时" in html
    assert [client.get(f"/staff/complaints/{theirs.pk}/").status_code,
            client.get(f"/staff/inquiries/{their_inquiry.pk}/").status_code] == [404, 404]
    # corrective action before the findings: the refusal shows on the form
    assert early_action.status_code == 200
    assert early_action.context["action_form"].non_field_errors() == [
        "请先记录调查结果 / Record the investigation's findings first"]


def test_archivists_and_portal_users_do_not_get_the_staff_desk(client, portal_user):
    client.force_login(UserFactory(role=Role.ARCHIVIST))
    archivist = client.get("/staff/inquiries/").status_code
    client.force_login(portal_user)

    assert [archivist, client.get("/staff/complaints/").status_code] == [404, 404]


def test_a_manager_sees_every_clients_inquiry(client, client_company):
    client.force_login(UserFactory(role=Role.MANAGER))
    inquiry = _inquiry(ClientFactory(), subject="任一客户")

    response = client.get(f"/staff/inquiries/{inquiry.pk}/")

    assert response.status_code == 200
    assert "任一客户" in response.content.decode()


def test_a_finished_line_offers_a_follow_up_question_that_the_form_links_to_it(
        client, company, shanghai):
    order = order_submit(client=company, lines=[add_line(1), add_line(2)], channel="api",
                         actor=None)
    done, pending = order.lines.order_by("line_no")
    RosterLine.objects.filter(pk=done.pk).update(status="succeeded")
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    detail = client.get(f"/portal/orders/{order.pk}/").content.decode()
    created = client.post(
        f"/portal/inquiries/new/?about_type=order_line&about_id={done.pk}",
        {"subject": "增员后何时可以报销", "body": "请问何时可以用医保卡？",
         "about_type": "order_line", "about_id": done.pk})

    link = f'href="/portal/inquiries/new/?about_type=order_line&amp;about_id={done.pk}"'
    assert link in detail
    assert f"about_id={pending.pk}" not in detail
    inquiry = Inquiry.objects.get()
    assert created.status_code == 302
    assert (inquiry.about_type, inquiry.about_id, inquiry.client) == (
        "order_line", done.pk, company)
