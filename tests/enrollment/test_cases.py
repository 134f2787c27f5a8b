"""Insurance cases (STD-4.1, 6.3): the checklists, opening (48-hour and statutory clocks,
refusals naming their fields), steps, papers, thread, waiting, closing, and what the
client hears."""

import datetime

import pytest
from django.core import mail
from django.http import Http404
from django.utils import translation

from agency.errors import Conflict, DomainError, ValidationFailed
from agency.models import Notification
from agency.roles import Role
from agency.viewer import Viewer
from archive.models import ArchiveItem, ItemKind
from clients.models import WebhookDelivery
from enrollment.cases import services
from enrollment.cases.checklists import CHECKLISTS, checklist_of
from enrollment.cases.selectors import case_clock, case_get, case_list, case_queue
from enrollment.cases.services import (
    case_close,
    case_message,
    case_paper_upload,
    case_step_done,
    case_wait_for_client,
)
from enrollment.models import CaseStatus, CaseType
from tests.enrollment.case_fixtures import OPENED, SHANGHAI, open_case, served, webhook
from tests.enrollment.factories_person import JPEG, enrolled_person, pdf_upload, png_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)


def _fields(exc: DomainError) -> list[tuple[str | None, str]]:
    return [(d.field, d.code) for d in exc.details]


# --- checklists -------------------------------------------------------------------------


def test_every_type_has_its_checklist_in_order():
    keys = {kind: [(i.key, i.is_paper) for i in checklist_of(kind)] for kind in CaseType}

    assert keys == {
        "work_injury": [("accident_report", True), ("medical_records", True),
                        ("injury_recognition", False), ("capacity_assessment", False),
                        ("benefits_paid", False)],
        "maternity": [("birth_certificate", True), ("allowance_claim", False),
                      ("medical_costs", False)],
        "medical_reimbursement": [("receipts", True), ("cost_list", True),
                                  ("claim_submitted", False), ("refund_received", False)],
        "retirement": [("id_card", True), ("file_review", False),
                       ("pension_assessed", False), ("retirement_completed", False)],
        "transfer_out": [("contribution_certificate", False),
                         ("transfer_application", False), ("fund_transfer", False)],
        "transfer_in": [("origin_certificate", True), ("transfer_application", False),
                        ("contact_letters", False), ("fund_received", False)],
        "back_payment": [("application", False), ("assessment", False), ("payment", False)],
        "other": [("handling", False)],
    }
    assert set(CHECKLISTS) == set(CaseType.values)


def test_checklist_labels_are_chinese_in_zh():
    with translation.override("zh-hans"):
        labels = [str(i.label) for i in checklist_of(CaseType.WORK_INJURY)]
        maternity = [str(i.label) for i in checklist_of(CaseType.MATERNITY)]

    assert labels == ["事故报告", "病历及诊断证明", "工伤认定申请", "劳动能力鉴定",
                      "待遇核定与支付"]
    assert maternity == ["生育医学证明/出生证明", "生育津贴申领", "医疗费用报销"]
    assert [i.key for i in checklist_of(CaseType.WORK_INJURY) if i.statutory] == [
        "injury_recognition"]


# --- opening ----------------------------------------------------------------------------


def test_open_sets_the_clock_the_steps_the_assignee_and_the_enrolment(client_company):
    rep = served(client_company)
    person = enrolled_person(client_company)
    staff = UserFactory(role=Role.MANAGER)

    case = open_case(client_company, person, type=CaseType.RETIREMENT, actor=staff,
                     description="下月满60岁")

    assert case.status == CaseStatus.OPEN
    assert case.opened_at == OPENED
    assert case.handle_by == datetime.datetime(2026, 11, 12, 9, 0, tzinfo=SHANGHAI)
    assert case.statutory_due is None
    assert case.assignee == rep
    assert case.enrollment == person.enrollments.get()
    assert case.opened_by_label == staff.username
    assert [(s.position, s.key, s.is_paper, s.done_at) for s in case.steps.all()] == [
        (1, "id_card", True, None), (2, "file_review", False, None),
        (3, "pension_assessed", False, None), (4, "retirement_completed", False, None)]
    assert list(Notification.objects.filter(user=rep).values_list("link", flat=True)) == [
        f"/staff/cases/{case.pk}/"]


def test_work_injury_statutory_deadline_is_thirty_days_after_the_injury(client_company):
    case = open_case(client_company, type=CaseType.WORK_INJURY,
                     incident_date=datetime.date(2026, 11, 2))

    assert case.incident_date == datetime.date(2026, 11, 2)
    assert case.statutory_due == datetime.date(2026, 12, 2)


def test_work_injury_needs_its_date_and_not_a_future_one(client_company):
    person = enrolled_person(client_company)

    with pytest.raises(ValidationFailed) as missing:
        open_case(client_company, person, type=CaseType.WORK_INJURY)
    with pytest.raises(ValidationFailed) as future:
        open_case(client_company, person, type=CaseType.WORK_INJURY,
                  incident_date=datetime.date(2026, 11, 11))

    assert _fields(missing.value) == [("incident_date", "required")]
    assert _fields(future.value) == [("incident_date", "date_in_future")]
    assert person.cases.count() == 0


def test_an_injury_today_is_accepted(client_company):
    case = open_case(client_company, type=CaseType.WORK_INJURY,
                     incident_date=datetime.date(2026, 11, 10))

    assert case.statutory_due == datetime.date(2026, 12, 10)


def with_policy(person):
    """The person's city has a policy from 2026-01: a back-payment's months can be computed
    (`case_open` computes them at once)."""
    from tests.enrollment.test_backpay import version

    version(person.enrollments.get().city, datetime.date(2026, 1, 1), None, floor="7310.00",
            ceiling="36549.00", medical_er="0.09")
    return person


def test_back_payment_needs_months_in_order(client_company):
    person = with_policy(enrolled_person(client_company))

    with pytest.raises(ValidationFailed) as missing:
        open_case(client_company, person, type=CaseType.BACK_PAYMENT)
    with pytest.raises(ValidationFailed) as reversed_:
        open_case(client_company, person, type=CaseType.BACK_PAYMENT,
                  period_from=datetime.date(2026, 5, 1), period_to=datetime.date(2026, 5, 1))
    case = open_case(client_company, person, type=CaseType.BACK_PAYMENT,
                     period_from=datetime.date(2026, 3, 15), period_to=datetime.date(2026, 6, 1))

    assert _fields(missing.value) == [("period_from", "required"), ("period_to", "required")]
    assert _fields(reversed_.value) == [("period_to", "period_invalid")]
    assert (case.period_from, case.period_to) == (datetime.date(2026, 3, 1),
                                                  datetime.date(2026, 6, 1))


def test_another_clients_person_is_refused_like_a_missing_one(client_company,
                                                               other_client_company):
    theirs = enrolled_person(other_client_company)

    with pytest.raises(ValidationFailed) as other:
        open_case(client_company, theirs)
    with pytest.raises(ValidationFailed) as none:
        services.case_open(client=client_company, person=None, type="other",
                           channel="staff", actor=None, now=OPENED)

    assert other.value.as_dict() == none.value.as_dict()
    assert _fields(other.value) == [("person", "not_found")]


def test_a_person_whose_enrolment_ended_may_still_have_a_case(client_company):
    person = enrolled_person(client_company, status="ended")

    case = open_case(client_company, person, type=CaseType.TRANSFER_OUT)

    assert case.enrollment is None
    assert case.person == person


def test_bad_type_and_channel_are_named(client_company):
    person = enrolled_person(client_company)

    with pytest.raises(ValidationFailed) as exc:
        services.case_open(client=client_company, person=person, type="holiday",
                           channel="fax", actor=None, now=OPENED)

    assert _fields(exc.value) == [("type", "invalid_choice"), ("channel", "invalid_choice")]


# --- the 48-hour clock ------------------------------------------------------------------


def test_clock_at_48_hours_minus_and_plus_one_second(client_company):
    case = open_case(client_company)
    due = OPENED + datetime.timedelta(hours=48)

    assert case_clock(case, OPENED + HOUR) == "running"
    assert case_clock(case, due - datetime.timedelta(hours=6) - SECOND) == "running"
    assert case_clock(case, due - SECOND) == "due_soon"
    assert case_clock(case, due + SECOND) == "breached"


def test_the_first_step_stops_the_clock_once(client_company):
    served(client_company)
    case = open_case(client_company)
    staff = UserFactory(role=Role.SERVICE_REP)
    first = OPENED + datetime.timedelta(hours=47)

    case_step_done(case=case, key="handling", actor=staff, note="已受理", now=first)
    case.refresh_from_db()

    assert case.first_action_at == first
    assert case.status == CaseStatus.IN_PROGRESS
    assert case_clock(case, OPENED + datetime.timedelta(hours=49)) == "stopped"
    step = case.steps.get()
    assert (step.done_at, step.done_by, step.note) == (first, staff, "已受理")


def test_the_first_staff_message_stops_the_clock_a_later_step_keeps_it(client_company):
    case = open_case(client_company, type=CaseType.TRANSFER_OUT)
    staff = UserFactory(role=Role.SERVICE_REP)

    case_message(case=case, body="请提供转入地信息", actor=staff, from_client=False,
                 now=OPENED + HOUR)
    case_step_done(case=case, key="contribution_certificate", actor=staff,
                   now=OPENED + 3 * HOUR)
    case.refresh_from_db()

    assert case.first_action_at == OPENED + HOUR
    assert case.status == CaseStatus.IN_PROGRESS


def test_a_clients_message_does_not_stop_the_clock(client_company, portal_user):
    case = open_case(client_company, actor=portal_user)

    case_message(case=case, body="请尽快", actor=portal_user, from_client=True,
                 now=OPENED + HOUR)
    case.refresh_from_db()

    assert case.first_action_at is None
    assert case.status == CaseStatus.OPEN
    assert case_clock(case, OPENED + 2 * HOUR) == "running"


def test_step_refusals(client_company, portal_user):
    case = open_case(client_company)
    staff = UserFactory(role=Role.SERVICE_REP)

    with pytest.raises(ValidationFailed) as unknown:
        case_step_done(case=case, key="nope", actor=staff, now=OPENED)
    with pytest.raises(DomainError) as by_client:
        case_step_done(case=case, key="handling", actor=portal_user, now=OPENED)
    case_step_done(case=case, key="handling", actor=staff, now=OPENED + HOUR)
    with pytest.raises(Conflict) as twice:
        case_step_done(case=case, key="handling", actor=staff, now=OPENED + 2 * HOUR)

    assert _fields(unknown.value) == [("key", "not_found")]
    assert (by_client.value.code, by_client.value.status) == ("permission_denied", 403)
    assert twice.value.code == "step_done"


# --- what the client hears --------------------------------------------------------------


def test_a_step_notifies_the_opener_mails_the_client_and_emits_the_webhook(
        client_company, portal_user, django_capture_on_commit_callbacks):
    served(client_company, email="hr@client.cn")
    webhook(client_company)
    case = open_case(client_company, type=CaseType.WORK_INJURY, actor=portal_user,
                     incident_date=datetime.date(2026, 11, 2))
    mail.outbox.clear()
    WebhookDelivery.objects.all().delete()
    staff = UserFactory(role=Role.SERVICE_REP)

    with django_capture_on_commit_callbacks(execute=True):
        case_step_done(case=case, key="injury_recognition", actor=staff,
                       now=OPENED + HOUR)

    expected = f"{case.person.name}的工伤保险事项 #{case.pk}：工伤认定申请 已办理。"
    assert list(Notification.objects.filter(user=portal_user).values_list(
        "message", "link")) == [(expected, f"/portal/cases/{case.pk}/")]
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["hr@client.cn"], f"社保业务事项 #{case.pk}（工伤保险）", expected)]
    delivery = WebhookDelivery.objects.get()
    data = delivery.payload["data"]
    assert (delivery.event, data["id"], data["change"], data["status"]) == (
        "case.updated", case.pk, "step_done", "in_progress")
    assert data["statutory_due"] == "2026-12-02"
    assert [s["key"] for s in data["steps"] if s["done_at"]] == ["injury_recognition"]


def test_no_mail_without_a_contact_address_and_no_notice_to_whoever_acted(client_company):
    served(client_company, email="")
    staff = UserFactory(role=Role.SERVICE_REP)
    case = open_case(client_company, actor=staff)

    case_step_done(case=case, key="handling", actor=staff, now=OPENED + HOUR)

    assert mail.outbox == []
    assert Notification.objects.filter(user=staff).count() == 0


# --- papers -----------------------------------------------------------------------------


def test_a_paper_is_stored_filed_and_marks_its_step(client_company, portal_user, committed):
    rep = served(client_company)
    case = open_case(client_company, type=CaseType.MEDICAL_REIMBURSEMENT, actor=portal_user)

    with committed():
        paper = case_paper_upload(case=case, step_key="receipts", upload=pdf_upload("票据.pdf"),
                                  actor=portal_user, now=OPENED + HOUR)
    case.refresh_from_db()

    item = ArchiveItem.objects.get()
    assert (item.kind, item.client_id, item.object_id, item.sha256) == (
        ItemKind.CLIENT_PAPERS, client_company.pk, case.pk, paper.sha256)
    assert item.title == f"医疗费用票据 · 业务办理 #{case.pk}"
    assert paper.file.name == item.file.name
    assert paper.original_name == "票据.pdf"
    assert case.steps.get(key="receipts").done_at == OPENED + HOUR
    assert case.first_action_at is None  # the client's paper is not the agency's action
    assert Notification.objects.filter(user=rep).count() == 2  # opened, paper received


def test_a_paper_refusals_name_their_fields(client_company):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = UserFactory(role=Role.SERVICE_REP)
    case = open_case(client_company, type=CaseType.RETIREMENT)

    with pytest.raises(ValidationFailed) as not_a_paper:
        case_paper_upload(case=case, step_key="file_review", upload=png_upload(), actor=staff)
    with pytest.raises(ValidationFailed) as text:
        case_paper_upload(case=case, step_key="id_card", actor=staff,
                          upload=SimpleUploadedFile("id.pdf", b"hello, not a pdf"))
    jpeg = case_paper_upload(case=case, step_key="id_card", actor=staff,
                             upload=SimpleUploadedFile("id.jpg", JPEG), now=OPENED + HOUR)

    assert _fields(not_a_paper.value) == [("step_key", "invalid_choice")]
    assert _fields(text.value) == [("file", "file_type")]
    assert jpeg.size == len(JPEG)
    case.refresh_from_db()
    assert case.first_action_at == OPENED + HOUR  # the agency's upload is its action


# --- waiting, closing -------------------------------------------------------------------


def test_wait_for_client_then_the_clients_message_resumes(client_company, portal_user):
    staff = UserFactory(role=Role.SERVICE_REP)
    case = open_case(client_company, actor=portal_user)

    case_wait_for_client(case=case, actor=staff, note="请补充身份证复印件",
                         now=OPENED + HOUR)
    case.refresh_from_db()
    waiting = (case.status, case.first_action_at)
    case_message(case=case, body="已补充", actor=portal_user, from_client=True,
                 now=OPENED + 2 * HOUR)
    case.refresh_from_db()

    assert waiting == (CaseStatus.WAITING_CLIENT, OPENED + HOUR)
    assert case.status == CaseStatus.IN_PROGRESS
    assert [(m.from_client, m.body) for m in case.messages.all()] == [
        (False, "请补充身份证复印件"), (True, "已补充")]
    with pytest.raises(ValidationFailed) as empty:
        case_wait_for_client(case=case, actor=staff, note=" ")
    assert _fields(empty.value) == [("note", "required")]


def test_success_needs_every_step_done(client_company):
    staff = UserFactory(role=Role.SERVICE_REP)
    case = open_case(client_company, with_policy(enrolled_person(client_company)),
                     type=CaseType.BACK_PAYMENT,
                     period_from=datetime.date(2026, 1, 1), period_to=datetime.date(2026, 3, 1))
    case_step_done(case=case, key="application", actor=staff, now=OPENED + HOUR)

    with pytest.raises(ValidationFailed) as early:
        case_close(case=case, outcome="succeeded", note="", actor=staff, now=OPENED + 2 * HOUR)
    for key in ("assessment", "payment"):
        case_step_done(case=case, key=key, actor=staff, now=OPENED + 2 * HOUR)
    closed = case_close(case=case, outcome="succeeded", note="已补缴", actor=staff,
                        now=OPENED + 3 * HOUR)

    assert _fields(early.value) == [("outcome", "steps_open")]
    assert early.value.details[0].message == (
        "尚有未办理的步骤 / Steps are not done yet: 补缴核定、补缴款缴纳")
    assert (closed.status, closed.closed_at, closed.outcome) == (
        CaseStatus.SUCCEEDED, OPENED + 3 * HOUR, "已补缴")
    with pytest.raises(Conflict) as again:
        case_close(case=case, outcome="failed", note="x", actor=staff)
    assert again.value.code == "case_closed"


def test_success_calls_the_hook(client_company, monkeypatch):
    staff = UserFactory(role=Role.SERVICE_REP)
    case = open_case(client_company)
    case_step_done(case=case, key="handling", actor=staff, now=OPENED + HOUR)
    called = []
    monkeypatch.setattr(services, "_on_success",
                        lambda c, a, n: called.append((c.pk, a, n)))

    case_close(case=case, outcome="succeeded", note="", actor=staff, now=OPENED + 2 * HOUR)

    assert called == [(case.pk, staff, OPENED + 2 * HOUR)]


def test_failure_needs_a_reason(client_company):
    staff = UserFactory(role=Role.SERVICE_REP)
    case = open_case(client_company)

    with pytest.raises(ValidationFailed) as exc:
        case_close(case=case, outcome="failed", note="", actor=staff)
    with pytest.raises(ValidationFailed) as bad:
        case_close(case=case, outcome="done", note="", actor=staff)

    assert _fields(exc.value) == [("note", "required")]
    assert _fields(bad.value) == [("outcome", "invalid_choice")]


def test_a_client_may_only_cancel_its_own_case(client_company, other_client_company,
                                                portal_user):
    rep = served(client_company)
    mine = open_case(client_company, actor=portal_user)
    theirs = open_case(other_client_company)

    with pytest.raises(ValidationFailed) as succeed:
        case_close(case=mine, outcome="succeeded", note="", actor=portal_user)
    with pytest.raises(Http404):
        case_close(case=theirs, outcome="cancelled", note="", actor=portal_user)
    cancelled = case_close(case=mine, outcome="cancelled", note="不需要了",
                           actor=portal_user, now=OPENED + HOUR)

    assert _fields(succeed.value) == [("outcome", "not_allowed")]
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.OPEN
    assert cancelled.status == CaseStatus.CANCELLED
    assert cancelled.first_action_at is None
    assert Notification.objects.filter(user=rep).count() == 2  # opened, cancelled


def test_a_read_only_portal_user_cannot_open_or_cancel(client_company):
    viewer_user = UserFactory(role=Role.CLIENT_VIEWER, client=client_company)
    case = open_case(client_company)

    with pytest.raises(DomainError) as opening:
        open_case(client_company, actor=viewer_user)
    with pytest.raises(DomainError) as cancelling:
        case_close(case=case, outcome="cancelled", note="", actor=viewer_user)

    assert (opening.value.status, cancelling.value.status) == (403, 403)


# --- selectors --------------------------------------------------------------------------


def test_queue_orders_by_the_nearer_deadline_and_hides_closed(client_company):
    staff = UserFactory(role=Role.MANAGER)
    late = open_case(client_company, now=OPENED)  # handle by 11-12 09:00
    # an injury of 10-12: statutory due 11-11 (end of day), nearer than its handle_by
    injury = open_case(client_company, type=CaseType.WORK_INJURY, now=OPENED + HOUR,
                       incident_date=datetime.date(2026, 10, 12))
    early = open_case(client_company, now=OPENED - 2 * HOUR)  # handle by 11-12 07:00
    done = open_case(client_company, now=OPENED - 3 * HOUR)
    case_close(case=done, outcome="cancelled", note="", actor=staff)

    queue = list(case_queue(viewer=Viewer(role=Role.MANAGER, client_id=None,
                                          user_id=staff.pk)))

    assert injury.statutory_due == datetime.date(2026, 11, 11)
    assert [c.pk for c in queue] == [injury.pk, early.pk, late.pk]


def test_scope_client_rep_and_other_staff(client_company, other_client_company, portal_user):
    rep = served(client_company)
    mine = open_case(client_company)
    theirs = open_case(other_client_company)
    portal = Viewer.of(portal_user)
    representative = Viewer.of(rep)
    archivist = Viewer.of(UserFactory(role=Role.ARCHIVIST))

    assert [c.pk for c in case_list(viewer=portal)] == [mine.pk]
    assert [c.pk for c in case_list(viewer=representative)] == [mine.pk]
    assert list(case_list(viewer=archivist)) == []
    with pytest.raises(Http404):
        case_get(viewer=portal, pk=theirs.pk)
    assert case_get(viewer=representative, pk=mine.pk) == mine
