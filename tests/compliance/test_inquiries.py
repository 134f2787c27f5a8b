"""Inquiries (咨询, STD-4.9, 6.2): the 12-hour clock, the thread, follow-up questions,
the selectors' scope and the satisfaction feedback that follows (STD-7.2)."""

import datetime

import pytest
from django.http import Http404

from agency.errors import Conflict, DomainError, ValidationFailed
from agency.models import Notification
from agency.roles import Role
from agency.viewer import Viewer
from clients.models import WebhookDelivery
from clients.webhook_services import webhook_endpoint_create
from compliance.models import Feedback, Inquiry, Message, Revisit
from compliance.service_desk import (
    PendingFeedback,
    feedback_give,
    feedback_pending,
    inquiry_clock,
    inquiry_close,
    inquiry_get,
    inquiry_list,
    inquiry_open,
    inquiry_queue,
    inquiry_reply,
    service_counts,
)
from enrollment.models import RosterLine
from enrollment.orders.services import order_submit
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.enrollment.order_fixtures import add_line
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = datetime.timezone(datetime.timedelta(hours=8))
T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=SH)
SECOND = datetime.timedelta(seconds=1)
HOUR_2 = datetime.timedelta(hours=2)
MANAGER = Viewer(role=Role.MANAGER, client_id=None, user_id=None)


def _open(client, *, now=T0, actor=None, **kwargs):
    kwargs.setdefault("subject", "参保进度")
    kwargs.setdefault("body", "张三的社保何时生效？")
    kwargs.setdefault("channel", "portal")
    return inquiry_open(client=client, actor=actor, now=now, **kwargs)


def _viewer(user):
    return Viewer.of(user)


def _fields(error):
    return sorted((d.field, d.code) for d in error.details)


# --- opening ------------------------------------------------------------------------------


def test_open_sets_the_12_hour_deadline_the_rep_and_the_first_message(client_company):
    rep = UserFactory(role=Role.SERVICE_REP)
    client_company.service_rep = rep
    client_company.save()
    asker = UserFactory(role=Role.CLIENT_ADMIN, client=client_company, username="hr-li")

    inquiry = _open(client_company, actor=asker, subject="  参保进度 ")

    assert inquiry.received_at == T0
    assert inquiry.respond_by == datetime.datetime(2026, 12, 1, 21, 0, tzinfo=SH)
    assert (inquiry.status, inquiry.assignee, inquiry.opened_by, inquiry.opened_by_label,
            inquiry.subject) == ("open", rep, asker, "hr-li", "参保进度")
    assert [(m.body, m.from_client, m.author) for m in inquiry.messages.all()] == [
        ("张三的社保何时生效？", True, asker)]
    assert [n.user for n in Notification.objects.all()] == [rep]


def test_open_names_every_bad_field(client_company):
    with pytest.raises(ValidationFailed) as caught:
        _open(client_company, subject=" ", body="", channel="fax")

    assert _fields(caught.value) == [("body", "required"), ("channel", "invalid_choice"),
                                     ("subject", "required")]
    assert Inquiry.objects.count() == 0


def test_a_subject_of_201_characters_is_refused_and_200_pass(client_company):
    with pytest.raises(ValidationFailed) as caught:
        _open(client_company, subject="问" * 201)

    assert _fields(caught.value) == [("subject", "too_long")]
    assert _open(client_company, subject="问" * 200).subject == "问" * 200


# --- the 12-hour clock -----------------------------------------------------------------------


def test_12_hour_boundary_through_service_counts(client_company):
    inquiry = _open(client_company)
    due = inquiry.respond_by

    before = service_counts(viewer=MANAGER, now=due - SECOND)
    at = service_counts(viewer=MANAGER, now=due)
    after = service_counts(viewer=MANAGER, now=due + SECOND)

    assert (before["inquiries_open"], before["inquiries_breached"],
            before["inquiries_due_soon"]) == (1, 0, 1)
    assert (at["inquiries_breached"], at["inquiries_due_soon"]) == (0, 1)
    assert (after["inquiries_open"], after["inquiries_breached"],
            after["inquiries_due_soon"]) == (1, 1, 0)
    assert [inquiry_clock(inquiry, due - SECOND), inquiry_clock(inquiry, due + SECOND)] == [
        "due_soon", "breached"]


def test_due_soon_starts_2_hours_before_respond_by(client_company):
    due = _open(client_company).respond_by
    two_hours = datetime.timedelta(hours=2)

    assert service_counts(viewer=MANAGER, now=due - two_hours - SECOND)[
        "inquiries_due_soon"] == 0
    assert service_counts(viewer=MANAGER, now=due - two_hours)["inquiries_due_soon"] == 1


def test_service_counts_takes_at_most_three_queries(client_company,
                                                    django_assert_max_num_queries):
    _open(client_company)
    with django_assert_max_num_queries(3):
        service_counts(viewer=MANAGER, now=T0)


def test_the_first_staff_reply_stops_the_clock_and_tells_the_client(client_company, settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]  # a host that resolves, as every one must
    webhook_endpoint_create(client=client_company, url="http://127.0.0.1:9/in")
    asker = UserFactory(role=Role.CLIENT_ADMIN, client=client_company)
    agent = UserFactory(role=Role.SERVICE_REP)
    inquiry = _open(client_company, actor=asker)

    inquiry_reply(inquiry=inquiry, body="下月生效。", actor=agent, from_client=False,
                  now=T0 + datetime.timedelta(hours=11))

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.first_response_at) == (
        "answered", datetime.datetime(2026, 12, 1, 20, 0, tzinfo=SH))
    counts = service_counts(viewer=MANAGER, now=T0 + datetime.timedelta(hours=13))
    assert (counts["inquiries_open"], counts["inquiries_breached"]) == (0, 0)
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event == "inquiry.answered"
    assert delivery.payload["data"]["id"] == inquiry.pk
    assert delivery.payload["data"]["answer"]["body"] == "下月生效。"
    assert delivery.payload["data"]["first_response_at"] == "2026-12-01T20:00:00+08:00"
    assert [(n.user, n.link) for n in Notification.objects.filter(user=asker)] == [
        (asker, f"/portal/inquiries/{inquiry.pk}/")]


def test_a_client_reply_reopens_without_restarting_the_clock(client_company):
    agent = UserFactory(role=Role.SERVICE_REP)
    inquiry = _open(client_company)
    first = T0 + datetime.timedelta(hours=1)
    inquiry_reply(inquiry=inquiry, body="答复", actor=agent, from_client=False, now=first)

    inquiry_reply(inquiry=inquiry, body="还有一个问题", actor=None, from_client=True,
                  actor_label="api-key:1", now=T0 + datetime.timedelta(hours=15))

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.first_response_at, inquiry.respond_by) == (
        "open", first, T0 + datetime.timedelta(hours=12))
    counts = service_counts(viewer=MANAGER, now=T0 + datetime.timedelta(hours=20))
    assert (counts["inquiries_open"], counts["inquiries_breached"]) == (1, 0)
    assert inquiry_clock(inquiry, T0 + datetime.timedelta(hours=20)) == "stopped"

    inquiry_reply(inquiry=inquiry, body="再次答复", actor=agent, from_client=False,
                  now=T0 + datetime.timedelta(hours=21))
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.first_response_at) == ("answered", first)
    assert [(m.body, m.from_client, m.author_label) for m in inquiry.messages.all()] == [
        ("张三的社保何时生效？", True, ""), ("答复", False, agent.username),
        ("还有一个问题", True, "api-key:1"), ("再次答复", False, agent.username)]


def test_no_notification_when_staff_recorded_the_call(client_company):
    agent = UserFactory(role=Role.SERVICE_REP)
    inquiry = _open(client_company, actor=agent, channel="phone")

    inquiry_reply(inquiry=inquiry, body="已电话答复", actor=agent, from_client=False, now=T0)

    assert Notification.objects.count() == 0


def test_an_empty_reply_names_the_body(client_company):
    inquiry = _open(client_company)
    with pytest.raises(ValidationFailed) as caught:
        inquiry_reply(inquiry=inquiry, body="  ", actor=None, from_client=True)
    assert _fields(caught.value) == [("body", "required")]


def test_close_and_refusals_after_it(client_company):
    inquiry = _open(client_company)
    closed_at = T0 + datetime.timedelta(hours=3)

    inquiry_close(inquiry=inquiry, actor=None, now=closed_at)

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.closed_at) == ("closed", closed_at)
    with pytest.raises(Conflict) as reply:
        inquiry_reply(inquiry=inquiry, body="还在吗", actor=None, from_client=True)
    with pytest.raises(Conflict) as again:
        inquiry_close(inquiry=inquiry, actor=None)
    assert (reply.value.code, reply.value.status, again.value.code) == (
        "inquiry_closed", 409, "inquiry_closed")
    assert Message.objects.count() == 1


# --- follow-up questions (STD-4.9) ------------------------------------------------------------


def _line(client, status, n=1):
    order = order_submit(client=client, lines=[add_line(n)], channel="api", actor=None,
                         received_at=T0)
    line = order.lines.get()
    RosterLine.objects.filter(pk=line.pk).update(status=status)
    return line


def _other_company(shanghai):
    other = VerifiedClientFactory(name="另一家公司")
    contract = ContractFactory(client=other, status="active",
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2030, 12, 31))
    ContractPriceFactory(contract=contract, city=shanghai)
    return other


def test_a_follow_up_on_a_finished_line_of_the_client(company):
    line = _line(company, "succeeded")

    inquiry = _open(company, about_type="order_line", about_id=line.pk)

    assert (inquiry.about_type, inquiry.about_id) == ("order_line", line.pk)


@pytest.mark.parametrize(("case", "code"), [
    ("other_client", "not_found"), ("unfinished", "not_finished"), ("case", "not_found"),
    ("no_id", "required"), ("bad_type", "invalid_choice")])
def test_a_follow_up_is_refused_naming_about(company, shanghai, case, code):
    about = {
        "other_client": lambda: ("order_line", _line(_other_company(shanghai), "succeeded", 2).pk),
        "unfinished": lambda: ("order_line", _line(company, "submitted").pk),
        "case": lambda: ("case", 1),
        "no_id": lambda: ("order_line", None),
        "bad_type": lambda: ("person", 1),
    }[case]()

    with pytest.raises(ValidationFailed) as caught:
        _open(company, about_type=about[0], about_id=about[1])

    assert _fields(caught.value) == [("about", code)]
    assert Inquiry.objects.count() == 0


# --- selectors ---------------------------------------------------------------------------------


def test_a_portal_user_sees_only_its_clients_inquiries(client_company, other_client_company,
                                                       portal_user):
    mine = _open(client_company)
    theirs = _open(other_client_company)
    viewer = _viewer(portal_user)

    assert list(inquiry_list(viewer=viewer)) == [mine]
    assert inquiry_get(viewer=viewer, pk=mine.pk) == mine
    with pytest.raises(Http404):
        inquiry_get(viewer=viewer, pk=theirs.pk)


def test_the_queue_is_by_respond_by_and_a_rep_sees_only_their_clients(client_company):
    rep = UserFactory(role=Role.SERVICE_REP)
    client_company.service_rep = rep
    client_company.save()
    elsewhere = ClientFactory()
    late = _open(client_company, now=T0 + datetime.timedelta(hours=2))
    early = _open(client_company, now=T0)
    other = _open(elsewhere, now=T0 - datetime.timedelta(hours=1))
    answered = _open(client_company, now=T0 - datetime.timedelta(hours=3))
    inquiry_reply(inquiry=answered, body="答复", actor=rep, from_client=False, now=T0)

    assert list(inquiry_queue(viewer=MANAGER)) == [other, early, late]
    assert list(inquiry_queue(viewer=_viewer(rep))) == [early, late]
    with pytest.raises(Http404):
        inquiry_get(viewer=_viewer(rep), pk=other.pk)
    assert service_counts(viewer=_viewer(rep), now=T0)["inquiries_open"] == 2
    archivist = _viewer(UserFactory(role=Role.ARCHIVIST))
    assert list(inquiry_list(viewer=archivist)) == []


# --- satisfaction feedback (STD-7.2) -----------------------------------------------------------


def test_feedback_on_an_answered_inquiry_once(client_company, portal_user):
    inquiry = _open(client_company)
    inquiry_reply(inquiry=inquiry, body="答复", actor=None, from_client=False, now=T0)
    viewer = _viewer(portal_user)
    assert feedback_pending(viewer=viewer) == [
        PendingFeedback("inquiry", inquiry.pk, "参保进度", T0)]

    feedback = feedback_give(client=client_company, about="inquiry", about_id=inquiry.pk,
                             score=5, comment=" 很及时 ", actor=portal_user)

    assert (feedback.score, feedback.comment, feedback.given_by) == (5, "很及时", portal_user)
    assert feedback_pending(viewer=viewer) == []
    with pytest.raises(DomainError) as caught:
        feedback_give(client=client_company, about="inquiry", about_id=inquiry.pk, score=1,
                      comment="", actor=portal_user)
    assert (caught.value.code, caught.value.status, _fields(caught.value)) == (
        "feedback_given", 409, [("about", "feedback_given")])
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(("score", "ok"), [(0, False), (1, True), (5, True), (6, False),
                                           ("5", False), (True, False)])
def test_feedback_score_is_1_to_5(client_company, score, ok):
    inquiry = _open(client_company)
    inquiry_close(inquiry=inquiry, actor=None, now=T0)

    if ok:
        assert feedback_give(client=client_company, about="inquiry", about_id=inquiry.pk,
                             score=score, comment="", actor=None).score == score
    else:
        with pytest.raises(ValidationFailed) as caught:
            feedback_give(client=client_company, about="inquiry", about_id=inquiry.pk,
                          score=score, comment="", actor=None)
        assert _fields(caught.value) == [("score", "out_of_range")]


def test_feedback_waits_for_a_done_matter_of_the_same_client(client_company,
                                                             other_client_company):
    open_one = _open(client_company)
    theirs = _open(other_client_company)
    inquiry_close(inquiry=theirs, actor=None, now=T0)

    errors = []
    for about, about_id in (("inquiry", open_one.pk), ("inquiry", theirs.pk),
                            ("bill", open_one.pk), ("revisit", 999999)):
        with pytest.raises(ValidationFailed) as caught:
            feedback_give(client=client_company, about=about, about_id=about_id, score=4,
                          comment="", actor=None)
        errors.append(_fields(caught.value))

    assert errors == [[("about", "not_done")], [("about", "not_found")],
                      [("about", "invalid_choice")], [("about", "not_found")]]


def test_feedback_on_a_revisit(client_company, portal_user):
    visit = Revisit.objects.create(client=client_company, visited_on=datetime.date(2026, 11, 20),
                                   visited_by=UserFactory(role=Role.SERVICE_REP))
    assert feedback_pending(viewer=_viewer(portal_user)) == [
        PendingFeedback("revisit", visit.pk, "2026-11-20", datetime.date(2026, 11, 20))]

    feedback_give(client=client_company, about="revisit", about_id=visit.pk, score=3,
                  comment="一般", actor=portal_user)

    assert feedback_pending(viewer=_viewer(portal_user)) == []


def test_the_rep_hears_when_the_client_writes_again(client_company):
    rep = UserFactory(role=Role.SERVICE_REP)
    client_company.service_rep = rep
    client_company.save()
    inquiry = _open(client_company, actor=rep, channel="email")
    inquiry_reply(inquiry=inquiry, body="答复", actor=rep, from_client=False, now=T0)

    inquiry_reply(inquiry=inquiry, body="追问", actor=None, from_client=True,
                  actor_label="api-key:1", now=T0 + HOUR_2)

    assert [(n.user, n.link) for n in Notification.objects.all()] == [
        (rep, f"/staff/inquiries/{inquiry.pk}/")]


def test_a_follow_up_question_on_a_closed_case_and_not_on_an_open_one(client_company):
    from enrollment.models import Case
    from tests.enrollment.case_fixtures import open_case

    closed, still_open = open_case(client_company), open_case(client_company)
    Case.objects.filter(pk=closed.pk).update(status="succeeded")

    asked = _open(client_company, about_type="case", about_id=closed.pk)
    with pytest.raises(ValidationFailed) as refused:
        _open(client_company, about_type="case", about_id=still_open.pk)

    assert (asked.about_type, asked.about_id) == ("case", closed.pk)
    assert [(d.code, d.field) for d in refused.value.details] == [("not_finished", "about")]
