"""A new user starts with no role at all (least privilege); only createsuperuser makes an
administrator. Portal passwords pass Django's password validators."""

import pytest
from django.core.management import call_command

from agency.errors import ValidationFailed
from agency.models import User
from agency.roles import PORTAL_ROLES, STAFF_ROLES, Role
from clients.services import portal_user_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_user_has_no_staff_or_portal_role():
    user = User.objects.create_user("x")

    assert (user.role, user.is_agency_staff, user.is_portal_user) == ("", False, False)
    assert user.role not in STAFF_ROLES | PORTAL_ROLES


def test_create_superuser_makes_a_working_admin():
    user = User.objects.create_superuser("root", "root@example.com", "s3cret-Passw0rd")

    assert (user.role, user.is_superuser, user.is_agency_staff) == (Role.ADMIN, True, True)


def test_the_createsuperuser_command_makes_an_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-Passw0rd")

    call_command("createsuperuser", "--noinput", username="boss", email="boss@example.com",
                 verbosity=0)

    boss = User.objects.get(username="boss")
    assert (boss.role, boss.is_superuser, boss.check_password("s3cret-Passw0rd")) == (
        Role.ADMIN, True, True)


@pytest.mark.parametrize("password", ["123", "1234567890", "password123"])
def test_a_weak_portal_password_is_refused_naming_the_field(client_company, password):
    with pytest.raises(ValidationFailed) as refused:
        portal_user_create(client=client_company, username="hr-li", display_name="李",
                           role=Role.CLIENT_ADMIN, password=password,
                           actor=UserFactory(role=Role.MANAGER))

    fields = {error.field for error in refused.value.details}
    assert fields == {"password"}
    assert all(" / " in str(error.message) for error in refused.value.details)
    assert User.objects.filter(username="hr-li").exists() is False


def test_a_password_like_the_username_is_refused(client_company):
    with pytest.raises(ValidationFailed) as refused:
        portal_user_create(client=client_company, username="zhangsanfeng",
                           display_name="张三丰", role=Role.CLIENT_ADMIN,
                           password="zhangsanfeng1", actor=UserFactory(role=Role.MANAGER))

    assert [error.field for error in refused.value.details] == ["password"]


def test_a_strong_portal_password_is_accepted(client_company):
    user = portal_user_create(client=client_company, username="hr-li", display_name="李",
                              role=Role.CLIENT_ADMIN, password="Vq7!tLm2#pRz",
                              actor=UserFactory(role=Role.MANAGER))

    assert (user.role, user.client_id, user.check_password("Vq7!tLm2#pRz")) == (
        Role.CLIENT_ADMIN, client_company.pk, True)
