"""The agency's own licences (STD-3.1) and staff qualifications (STD-3.2.1–3.2.3)."""

import datetime

import pytest

from agency.errors import ValidationFailed
from agency.models import Licence
from agency.qualifications import unqualified_reasons
from agency.roles import Role
from agency.selectors import licence_expiring_list
from agency.services import licence_save, staff_profile_save
from agency.viewer import Viewer
from tests.clients.factories import LicenceFactory, StaffProfileFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


def test_a_qualified_profile_has_no_reasons():
    profile = StaffProfileFactory(hr_experience_since=datetime.date(2025, 11, 27),
                                  certificate_valid_until=TODAY, education="college")

    assert unqualified_reasons(profile, today=TODAY) == []


def test_each_missing_qualification_is_named():
    profile = StaffProfileFactory(education="below_college",
                                  hr_experience_since=datetime.date(2025, 11, 28),
                                  certificate_valid_until=datetime.date(2026, 11, 26))

    assert unqualified_reasons(profile, today=TODAY) == [
        "学历低于大专", "人力资源工作经验不足一年", "人力资源从业资格证已过期"]
    assert unqualified_reasons(None, today=TODAY) == ["无员工档案"]


def test_licences_expired_or_expiring_within_60_days_are_listed_unless_renewed():
    dispatch = Licence.Kind.LABOUR_DISPATCH
    soon = LicenceFactory(kind=dispatch, valid_to=TODAY + datetime.timedelta(days=60))
    expired = LicenceFactory(kind=dispatch, valid_to=TODAY - datetime.timedelta(days=1))
    # an HR-service licence that ran out last year, renewed by one valid beyond the window
    LicenceFactory(kind=Licence.Kind.HR_SERVICE, valid_to=TODAY - datetime.timedelta(days=400))
    LicenceFactory(kind=Licence.Kind.HR_SERVICE, valid_to=TODAY + datetime.timedelta(days=61))
    viewer = Viewer.of(UserFactory(role=Role.MANAGER))

    listed = list(licence_expiring_list(viewer=viewer, today=TODAY))

    assert listed == [expired, soon]
    assert list(licence_expiring_list(viewer=Viewer(role="client_admin", client_id=1),
                                      today=TODAY)) == []


def test_licence_save_refuses_an_inverted_term_and_a_duplicate_number():
    LicenceFactory(number="（沪）人服证字〔2024〕第1号")
    with pytest.raises(ValidationFailed) as refused:
        licence_save(kind="hr_service", number="（沪）人服证字〔2024〕第1号", authority="x",
                     valid_from=TODAY, valid_to=TODAY - datetime.timedelta(days=1),
                     actor=UserFactory(role=Role.ADMIN))

    assert sorted(d.field for d in refused.value.details) == ["number", "valid_to"]


def test_licence_page_warns_of_expiry(client):
    from django.utils import timezone

    LicenceFactory(number="（京）劳派证字〔2023〕第88号", kind=Licence.Kind.LABOUR_DISPATCH,
                   valid_to=timezone.localdate() + datetime.timedelta(days=30))
    LicenceFactory(number="（沪）人服证字〔2021〕第7号", kind=Licence.Kind.HR_SERVICE,
                   valid_to=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(UserFactory(role=Role.FINANCE))

    html = client.get("/staff/licences/").content.decode()

    assert 'data-testid="licence-warnings"' in html
    assert "已过期或60天内到期" in html
    assert "即将到期</span> 劳务派遣经营许可证 （京）劳派证字〔2023〕第88号" in html
    assert "已到期</span> 人力资源服务许可证 （沪）人服证字〔2021〕第7号" in html


def test_staff_profile_page_flags_the_unqualified_with_reasons(client):
    StaffProfileFactory(user__username="weak", education="below_college")
    StaffProfileFactory(user__username="strong")
    client.force_login(UserFactory(role=Role.MANAGER, username="boss"))

    html = client.get("/staff/staff-profiles/").content.decode()

    weak = html.split('data-testid="staff-weak"')[1].split("</tr>")[0]
    strong = html.split('data-testid="staff-strong"')[1].split("</tr>")[0]
    boss = html.split('data-testid="staff-boss"')[1].split("</tr>")[0]
    assert "不符合任职条件</span> <span class=\"muted\">学历低于大专</span>" in weak
    assert "符合任职条件" in strong and "不符合" not in strong
    assert "无员工档案" in boss


def test_staff_profile_form_saves_and_reports_the_reasons(client):
    rep = UserFactory(role=Role.SERVICE_REP)
    client.force_login(UserFactory(role=Role.MANAGER))

    response = client.post(f"/staff/staff-profiles/{rep.pk}/edit/", {
        "education": "bachelor", "hr_experience_since": "2020-01-01",
        "certificate_number": "", "certificate_valid_until": ""}, follow=True)

    assert "员工档案已保存；不符合任职条件：无人力资源从业资格证" in response.content.decode()
    assert rep.staff_profile.education == "bachelor"


def test_only_staff_have_profiles(client_company):
    portal = UserFactory(role=Role.CLIENT_ADMIN, client=client_company)
    with pytest.raises(ValidationFailed):
        staff_profile_save(user=portal, education="bachelor", hr_experience_since=None,
                           certificate_number="", certificate_valid_until=None,
                           actor=UserFactory(role=Role.ADMIN))


def test_beat_schedule_runs_contract_expiry_and_the_watch_reminds():
    from agency.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}

    # the expiry reminders (STD-5.2) are the compliance watch's, never sent twice
    assert {"clients.tasks.contract_expire_due_task",
            "compliance.tasks.watch_run_task"} <= tasks
    assert "clients.tasks.contract_reminders_send_task" not in tasks


def test_licence_form_uploads_a_scan_served_to_staff(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(UserFactory(role=Role.ADMIN))

    saved = client.post("/staff/licences/new/", {
        "kind": "hr_service", "number": "（沪）人服证字〔2025〕第7号", "authority": "上海市人社局",
        "valid_from": "2025-01-01", "valid_to": "2029-12-31",
        "scan": SimpleUploadedFile("licence.pdf", b"%PDF-1.4 scan")})
    licence = Licence.objects.get()
    inverted = client.post(f"/staff/licences/{licence.pk}/edit/", {
        "kind": "hr_service", "number": licence.number, "authority": "上海市人社局",
        "valid_from": "2025-01-01", "valid_to": "2024-12-31"})

    assert saved["Location"] == "/staff/licences/"
    assert client.get(f"/staff/licences/{licence.pk}/scan/").content == b"%PDF-1.4 scan"
    assert inverted.context["form"].errors == {
        "valid_to": ["有效期止早于起始日 / Valid to is before valid from"]}
