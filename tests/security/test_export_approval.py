"""Issue 17: exports of full ID numbers are capped and need a manager's approval; the
requester downloads once, before the approval expires. Masked exports stay free."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from agency.errors import DomainError, ValidationFailed
from agency.models import AuditEvent, Notification
from agency.roles import Role
from agency.viewer import Viewer
from enrollment.models import InsuredPerson, PersonExportRequest
from enrollment.persons.export_services import (
    export_request_create,
    export_request_decide,
    export_request_download,
)
from enrollment.persons.services import person_export
from tests.enrollment.factories_person import enrolled_person
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"


@pytest.fixture
def rep():
    return UserFactory(role=Role.SERVICE_REP, username="rep")


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER, username="boss")


@pytest.fixture
def served(rep):
    return ClientFactory(service_rep=rep)


def _rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_the_old_direct_export_of_full_numbers_is_gone(client, rep, served):
    enrolled_person(served, name="张三", id_number=NUMBER)
    client.force_login(rep)

    response = client.get("/staff/persons/export.xlsx")

    assert response.status_code == 200
    assert _rows(response.content) == [
        ("姓名", "证件类型", "证件号码（后四位）", "出生年份", "户籍类型", "用工形式"),
        ("张三", "居民身份证", "**************002X", 1949, "本地城镇", "普通用工"),
    ]
    assert NUMBER.encode() not in response.content


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ARCHIVIST])
def test_masked_export_is_free_for_every_staff_role_and_audited(client, served, role):
    enrolled_person(served, name="张三", id_number=NUMBER)
    client.force_login(UserFactory(role=role))

    response = client.get("/staff/persons/export.xlsx")

    assert (response.status_code, _rows(response.content)[1][2]) == (200, "**************002X")
    assert list(AuditEvent.objects.exclude(action="login").values_list("action", "detail")) == [
        ("export", {"what": "insured_persons_masked", "count": 1, "filters": {}})]


def test_rep_requests_manager_approves_rep_downloads_once(client, rep, manager, served):
    person = enrolled_person(served, name="张三", id_number=NUMBER)
    client.force_login(rep)

    asked = client.post(f"/staff/persons/export-requests/new/?client={served.pk}",
                        {"reason": "社保局年审"})
    export = PersonExportRequest.objects.get()
    early = client.post(f"/staff/persons/export-requests/{export.pk}/download/")
    client.force_login(manager)
    approved = client.post(f"/staff/persons/export-requests/{export.pk}/decide/",
                           {"decision": "approve"})
    client.force_login(rep)
    first = client.post(f"/staff/persons/export-requests/{export.pk}/download/")
    second = client.post(f"/staff/persons/export-requests/{export.pk}/download/")

    export.refresh_from_db()
    assert (asked.status_code, asked["Location"]) == (302, "/staff/persons/export-requests/")
    assert (export.requester, export.client, export.person_ids, export.row_count,
            export.reason, export.filters) == (rep, served, [person.pk], 1, "社保局年审",
                                               {"client": served.pk})
    assert early.status_code == 302  # back to the list with "not approved"
    assert approved.status_code == 302
    assert first.status_code == 200
    assert _rows(first.content)[1][:3] == ("张三", "居民身份证", NUMBER)
    assert second.status_code == 302  # already downloaded
    assert (export.status, export.decided_by) == ("downloaded", manager)
    actions = list(AuditEvent.objects.exclude(action="login").order_by("id")
                   .values_list("action", "detail__what"))
    assert actions == [
        ("export", "insured_persons_full_id_requested"),
        ("export", "insured_persons_full_id_decided"),
        ("export", "insured_persons"),  # person_export's own row: how many, which filters
        ("download", "insured_persons_full_id_downloaded"),
    ]
    assert NUMBER not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert list(Notification.objects.order_by("id").values_list("user__username", "link")) == [
        ("boss", "/staff/persons/export-requests/"),
        ("rep", "/staff/persons/export-requests/"),
    ]


def test_requests_page_shows_approve_buttons_to_managers_only(client, rep, manager, served):
    enrolled_person(served)
    export = export_request_create(persons=InsuredPerson.objects.all(), actor=rep,
                                   reason="年审")

    client.force_login(manager)
    as_manager = client.get("/staff/persons/export-requests/").content.decode()
    client.force_login(rep)
    as_rep = client.get("/staff/persons/export-requests/").content.decode()
    client.force_login(UserFactory(role=Role.SERVICE_REP))
    as_other_rep = client.get("/staff/persons/export-requests/").content.decode()

    decide = f"/staff/persons/export-requests/{export.pk}/decide/"
    assert (decide in as_manager, decide in as_rep) == (True, False)
    assert (f'data-testid="export-request-{export.pk}"' in as_rep,
            f'data-testid="export-request-{export.pk}"' in as_other_rep) == (True, False)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ARCHIVIST])
def test_finance_and_archivists_cannot_request_or_see_requests(client, served, role):
    client.force_login(UserFactory(role=role))

    assert client.get("/staff/persons/export-requests/").status_code == 404
    assert client.post("/staff/persons/export-requests/new/", {"reason": "x"}).status_code == 404


def test_a_rep_cannot_decide_and_a_manager_not_on_their_own_request(client, rep, manager,
                                                                     served):
    enrolled_person(served)
    theirs = export_request_create(persons=InsuredPerson.objects.all(), actor=rep, reason="x")
    own = export_request_create(persons=InsuredPerson.objects.all(), actor=manager,
                                reason="y")
    now = timezone.now()

    client.force_login(UserFactory(role=Role.SERVICE_REP))
    by_rep = client.post(f"/staff/persons/export-requests/{theirs.pk}/decide/",
                         {"decision": "approve"})
    with pytest.raises(DomainError) as own_error:
        export_request_decide(export=own, actor=manager, approve=True, now=now)

    assert by_rep.status_code == 404  # the guard answers a role without the right so
    assert own_error.value.code == "own_request"
    assert set(PersonExportRequest.objects.values_list("status", flat=True)) == {"pending"}


def test_only_the_requester_downloads(client, rep, manager, served):
    enrolled_person(served)
    export = export_request_create(persons=InsuredPerson.objects.all(), actor=rep, reason="x")
    export_request_decide(export=export, actor=manager, approve=True, now=timezone.now())

    client.force_login(UserFactory(role=Role.SERVICE_REP))
    other_rep = client.post(f"/staff/persons/export-requests/{export.pk}/download/")
    client.force_login(manager)
    by_manager = client.post(f"/staff/persons/export-requests/{export.pk}/download/")

    assert (other_rep.status_code, by_manager.status_code) == (404, 404)
    assert PersonExportRequest.objects.get().status == "approved"


def test_an_approval_expires_after_a_day(rep, manager, served, settings):
    enrolled_person(served)
    export = export_request_create(persons=InsuredPerson.objects.all(), actor=rep, reason="x")
    decided = timezone.now()
    export_request_decide(export=export, actor=manager, approve=True, now=decided)
    viewer = Viewer.of(rep)

    with pytest.raises(DomainError) as late:
        export_request_download(export=export, actor=rep, viewer=viewer,
                                now=decided + datetime.timedelta(hours=24))

    assert (late.value.code, late.value.status) == ("expired", 410)
    assert PersonExportRequest.objects.get().status == "expired"


def test_a_refused_request_cannot_be_downloaded(rep, manager, served):
    enrolled_person(served)
    export = export_request_create(persons=InsuredPerson.objects.all(), actor=rep, reason="x")
    export_request_decide(export=export, actor=manager, approve=False, now=timezone.now(),
                          note="无必要")

    with pytest.raises(DomainError) as refused:
        export_request_download(export=export, actor=rep, viewer=Viewer.of(rep),
                                now=timezone.now())

    assert refused.value.code == "not_downloadable"


def test_requests_are_capped_and_need_a_reason(rep, served, settings):
    settings.EXPORT_FULL_ID_MAX_ROWS = 2
    for _ in range(3):
        enrolled_person(served)

    with pytest.raises(ValidationFailed) as error:
        export_request_create(persons=InsuredPerson.objects.all(), actor=rep, reason=" ")

    assert [(d.code, d.field) for d in error.value.details] == [
        ("required", "reason"), ("export_too_large", "filters")]
    assert PersonExportRequest.objects.count() == 0


def test_the_full_export_itself_is_capped(manager, served, settings):
    settings.EXPORT_FULL_ID_MAX_ROWS = 2
    for _ in range(3):
        enrolled_person(served)

    with pytest.raises(ValidationFailed) as error:
        person_export(persons=InsuredPerson.objects.all(), actor=manager)

    assert [d.code for d in error.value.details] == ["export_too_large"]


def test_a_rep_who_lost_the_client_downloads_none_of_its_persons(rep, manager, served):
    enrolled_person(served)
    export = export_request_create(persons=InsuredPerson.objects.all(), actor=rep, reason="x")
    export_request_decide(export=export, actor=manager, approve=True, now=timezone.now())
    served.service_rep = UserFactory(role=Role.SERVICE_REP)
    served.save(update_fields=["service_rep"])

    data = export_request_download(export=export, actor=rep, viewer=Viewer.of(rep),
                                   now=timezone.now())

    assert len(_rows(data)) == 1  # the header only
