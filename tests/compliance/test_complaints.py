"""Complaints (投诉, STD-6.3, 7.1, 7.3): the 48-hour clock, the workflow received →
investigating → corrective action → closed on the client's confirmation, its refusals,
and the feedback that follows (STD-7.2)."""

import datetime

import pytest
from django.http import Http404

from agency.errors import Conflict, DomainError, ValidationFailed
from agency.models import Notification
from agency.roles import Role
from agency.viewer import Viewer
from compliance.models import Complaint, CorrectiveAction
from compliance.service_desk import (
    action_get,
    complaint_action_done,
    complaint_add_action,
    complaint_can_confirm,
    complaint_confirm_closed,
    complaint_get,
    complaint_investigate,
    complaint_open,
    complaint_overdue,
    complaint_reply,
    feedback_give,
    service_counts,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SH = datetime.timezone(datetime.timedelta(hours=8))
T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=SH)
SECOND = datetime.timedelta(seconds=1)
HOUR = datetime.timedelta(hours=1)
DUE = datetime.date(2026, 12, 10)
MANAGER = Viewer(role=Role.MANAGER, client_id=None)


def _open(client, *, now=T0, actor=None, **kwargs):
    kwargs.setdefault("subject", "账单金额有误")
    kwargs.setdefault("body", "十一月账单多收了两人的费用。")
    kwargs.setdefault("channel", "portal")
    return complaint_open(client=client, actor=actor, now=now, **kwargs)


def _fields(error):
    return sorted((d.field, d.code) for d in error.details)


@pytest.fixture
def agent(db):
    return UserFactory(role=Role.SERVICE_REP)


def _to_action(complaint, agent):
    complaint_investigate(complaint=complaint, findings="核对属实", actor=agent,
                          now=T0 + HOUR)
    return complaint_add_action(complaint=complaint, description="退还多收费用", owner=agent,
                                due_on=DUE, actor=agent)


def test_open_sets_the_48_hour_deadline_and_the_first_message(client_company, portal_user):
    complaint = _open(client_company, actor=portal_user, subject=" 账单金额有误 ")

    assert complaint.handle_by == datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SH)
    assert (complaint.status, complaint.subject, complaint.opened_by) == (
        "received", "账单金额有误", portal_user)
    assert [(m.body, m.from_client) for m in complaint.messages.all()] == [
        ("十一月账单多收了两人的费用。", True)]


def test_open_names_every_bad_field(client_company):
    with pytest.raises(ValidationFailed) as caught:
        _open(client_company, subject="诉" * 201, body=" ", channel="")

    assert _fields(caught.value) == [("body", "required"), ("channel", "invalid_choice"),
                                     ("subject", "too_long")]


def test_48_hour_boundary_through_service_counts(client_company):
    complaint = _open(client_company)
    due = complaint.handle_by

    before = service_counts(viewer=MANAGER, now=due - SECOND)
    at = service_counts(viewer=MANAGER, now=due)
    after = service_counts(viewer=MANAGER, now=due + SECOND)

    assert [(c["complaints_open"], c["complaints_overdue"]) for c in (before, at, after)] == [
        (1, 0), (1, 0), (1, 1)]
    assert [complaint_overdue(complaint, due), complaint_overdue(complaint, due + SECOND)] == [
        False, True]


def test_the_investigation_stops_the_clock_once(client_company, agent):
    complaint = _open(client_company)
    started = T0 + 47 * HOUR

    complaint_investigate(complaint=complaint, findings="正在核对", actor=agent, now=started)
    complaint_investigate(complaint=complaint, findings=" 核对属实 ", actor=agent,
                          now=T0 + 50 * HOUR)

    complaint.refresh_from_db()
    assert (complaint.status, complaint.first_action_at, complaint.findings) == (
        "investigating", started, "核对属实")
    counts = service_counts(viewer=MANAGER, now=T0 + 60 * HOUR)
    assert (counts["complaints_open"], counts["complaints_overdue"]) == (1, 0)


def test_the_whole_workflow_closes_on_the_clients_confirmation(client_company, agent,
                                                               portal_user):
    complaint = _open(client_company, actor=portal_user)
    action = _to_action(complaint, agent)
    complaint.refresh_from_db()
    assert (complaint.status, action.owner, action.due_on) == ("action", agent, DUE)
    assert complaint_can_confirm(complaint) is False

    done = T0 + 30 * HOUR
    complaint_action_done(action=action, actor=agent, now=done)
    complaint.refresh_from_db()
    assert complaint_can_confirm(complaint) is True
    closed = T0 + 40 * HOUR
    complaint_confirm_closed(complaint=complaint, actor=portal_user, now=closed)

    complaint.refresh_from_db()
    action.refresh_from_db()
    assert (complaint.status, complaint.client_confirmed_at, complaint.closed_at,
            action.done_at) == ("closed", closed, closed, done)
    assert complaint.history.first().history_user == portal_user


def test_the_clients_api_key_confirms_too(client_company, agent):
    complaint = _open(client_company, channel="api", actor_label="api-key:7")
    complaint_action_done(action=_to_action(complaint, agent), actor=agent, now=T0)

    complaint_confirm_closed(complaint=complaint, actor=None, now=T0 + HOUR,
                             viewer=Viewer(role="api_key", client_id=client_company.pk,
                                           api_key_id=7))

    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_only_the_client_confirms(client_company, other_client_company, agent):
    complaint = _open(client_company)
    complaint_action_done(action=_to_action(complaint, agent), actor=agent, now=T0)
    other_hr = UserFactory(role=Role.CLIENT_ADMIN, client=other_client_company)
    other_key = Viewer(role="api_key", client_id=other_client_company.pk, api_key_id=3)

    refusals = []
    for actor, viewer in ((agent, Viewer.of(agent)), (other_hr, None), (None, other_key),
                          (None, None)):
        with pytest.raises(DomainError) as caught:
            complaint_confirm_closed(complaint=complaint, actor=actor, viewer=viewer)
        refusals.append((caught.value.code, caught.value.status))

    assert refusals == [("permission_denied", 403)] * 4
    complaint.refresh_from_db()
    assert complaint.status == "action"


def test_workflow_refusals(client_company, agent, portal_user):
    complaint = _open(client_company)

    def refused(call):
        with pytest.raises(Conflict) as caught:
            call()
        return caught.value.code

    codes = [refused(lambda: complaint_add_action(complaint=complaint, description="x",
                                                  owner=agent, due_on=DUE, actor=agent)),
             refused(lambda: complaint_confirm_closed(complaint=complaint, actor=portal_user))]
    action = _to_action(complaint, agent)
    codes += [refused(lambda: complaint_confirm_closed(complaint=complaint, actor=portal_user)),
              refused(lambda: complaint_investigate(complaint=complaint, findings="改",
                                                    actor=agent))]
    complaint_action_done(action=action, actor=agent, now=T0)
    codes.append(refused(lambda: complaint_action_done(action=action, actor=agent)))
    complaint_confirm_closed(complaint=complaint, actor=portal_user, now=T0)
    codes += [refused(lambda: complaint_reply(complaint=complaint, body="再说一句",
                                              actor=portal_user, from_client=True)),
              refused(lambda: complaint_confirm_closed(complaint=complaint, actor=portal_user)),
              refused(lambda: complaint_add_action(complaint=complaint, description="x",
                                                   owner=agent, due_on=DUE, actor=agent))]

    assert codes == ["not_investigated", "no_corrective_action", "actions_open",
                     "invalid_transition", "action_done", "complaint_closed",
                     "complaint_closed", "complaint_closed"]


def test_a_bad_corrective_action_names_its_fields(client_company, agent, portal_user):
    complaint = _open(client_company)
    complaint_investigate(complaint=complaint, findings="属实", actor=agent, now=T0)

    with pytest.raises(ValidationFailed) as caught:
        complaint_add_action(complaint=complaint, description=" ", owner=portal_user,
                             due_on=None, actor=agent)

    assert _fields(caught.value) == [("description", "required"), ("due_on", "required"),
                                     ("owner", "invalid_owner")]
    assert CorrectiveAction.objects.count() == 0
    with pytest.raises(ValidationFailed) as empty:
        complaint_investigate(complaint=complaint, findings="", actor=agent)
    assert _fields(empty.value) == [("findings", "required")]


def test_the_owner_and_the_complainant_are_notified(client_company, agent, portal_user):
    owner = UserFactory(role=Role.MANAGER)
    complaint = _open(client_company, actor=portal_user)
    complaint_investigate(complaint=complaint, findings="属实", actor=agent, now=T0)

    complaint_add_action(complaint=complaint, description="退费", owner=owner, due_on=DUE,
                         actor=agent)
    complaint_reply(complaint=complaint, body="已安排退费", actor=agent, from_client=False)

    assert sorted((n.user.username, n.link) for n in Notification.objects.all()) == sorted([
        (owner.username, f"/staff/complaints/{complaint.pk}/"),
        (portal_user.username, f"/portal/complaints/{complaint.pk}/")])


def test_scope_another_clients_complaint_and_action_answer_404(client_company,
                                                               other_client_company, agent,
                                                               portal_user):
    theirs = _open(other_client_company)
    action = _to_action(theirs, agent)

    with pytest.raises(Http404):
        complaint_get(viewer=Viewer.of(portal_user), pk=theirs.pk)
    with pytest.raises(Http404):
        action_get(viewer=Viewer.of(portal_user), pk=action.pk)
    # a representative of another client does not see it either
    with pytest.raises(Http404):
        complaint_get(viewer=Viewer.of(agent), pk=theirs.pk)
    assert complaint_get(viewer=MANAGER, pk=theirs.pk) == theirs


def test_feedback_follows_the_closed_complaint_once(client_company, agent, portal_user):
    complaint = _open(client_company)
    action = _to_action(complaint, agent)

    with pytest.raises(ValidationFailed) as early:
        feedback_give(client=client_company, about="complaint", about_id=complaint.pk,
                      score=4, comment="", actor=portal_user)
    complaint_action_done(action=action, actor=agent, now=T0)
    complaint_confirm_closed(complaint=complaint, actor=portal_user, now=T0)
    feedback = feedback_give(client=client_company, about="complaint", about_id=complaint.pk,
                             score=4, comment="处理得当", actor=portal_user)

    assert _fields(early.value) == [("about", "not_done")]
    assert (feedback.about, feedback.about_id, feedback.score) == ("complaint", complaint.pk, 4)
    assert Complaint.objects.get().status == "closed"
