"""Each face lets in its own users only; anonymous visitors go to that face's login."""

import pytest

from agency.models import AuditEvent
from agency.roles import PORTAL_ROLES, STAFF_ROLES, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROLE_LABELS_ZH = {
    Role.ADMIN: "系统管理员",
    Role.MANAGER: "业务经理",
    Role.SERVICE_REP: "客服专员",
    Role.FINANCE: "财务",
    Role.ARCHIVIST: "档案管理员",
}


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_each_staff_role_logs_in_and_sees_the_staff_dashboard(client, settings, role):
    settings.STAFF_OTP_REQUIRED = False  # the code step: tests/security/test_two_factor.py
    user = UserFactory(role=role)

    response = client.post(
        "/staff/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain == [("/staff/", 302)]
    html = response.content.decode()
    assert "员工工作台" in html
    assert f"当前身份：{ROLE_LABELS_ZH[role]}。" in html
    assert AuditEvent.objects.filter(actor=user, action="login").count() == 1


@pytest.mark.parametrize("role", sorted(PORTAL_ROLES))
def test_portal_user_logs_in_and_sees_own_client_dashboard(client, client_company, role):
    user = UserFactory(role=role, client=client_company)

    response = client.post(
        "/portal/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [("/portal/", 302)]
    html = response.content.decode()
    assert "客户工作台" in html
    assert f'<p class="muted" data-testid="dashboard-client">{client_company.name}</p>' in html


def test_portal_user_gets_404_on_staff_pages(client, portal_user):
    client.force_login(portal_user)

    assert client.get("/staff/").status_code == 404


def test_staff_user_gets_404_on_portal_pages(client, staff_user):
    client.force_login(staff_user(Role.MANAGER))

    assert client.get("/portal/").status_code == 404


def test_portal_user_cannot_log_in_on_the_staff_face(client, portal_user):
    response = client.post(
        "/staff/login/", {"username": portal_user.username, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_visitor_is_sent_to_the_login_of_the_face(client):
    assert client.get("/staff/")["Location"] == "/staff/login/?next=/staff/"
    assert client.get("/portal/")["Location"] == "/portal/login/?next=/portal/"


def test_login_pages_render_in_chinese_by_default_and_english_on_request(client):
    zh = client.get("/staff/login/")
    en = client.get("/staff/login/", headers={"accept-language": "en"})

    assert zh.status_code == 200
    assert "<h1>员工登录</h1>" in zh.content.decode()
    assert "<h1>Staff login</h1>" in en.content.decode()


def test_language_switch_sets_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/portal/login/"},
                           follow=True)

    assert "<h1>Client portal login</h1>" in response.content.decode()


def test_logout_ends_the_session(client, staff_user):
    user = staff_user(Role.FINANCE)
    client.force_login(user)

    response = client.post("/staff/logout/")

    assert response["Location"] == "/staff/login/"
    assert client.get("/staff/").status_code == 302
