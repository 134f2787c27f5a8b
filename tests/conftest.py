"""Shared fixtures. Tests run on PostgreSQL (make test starts a throwaway one).

`shanghai`, `beijing` and `company` (a verified client with an active contract in both,
housing fund included) serve the roster, dashboard and billing tests."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from agency.roles import Role
from clients.models import Contract
from policies.policy_file import POLICY_FILE, read_policy_file
from policies.services import policies_load
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.factories import CityFactory, ClientFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _require_postgresql(django_db_setup, django_db_blocker):
    """Fail loudly rather than pass on the wrong database."""
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", (
            f"tests must run on PostgreSQL (got {connection.vendor}); use 'make test'"
        )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a throwaway folder, never the project's var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the commit, as a real request's commit would:
    a received file moves from its temporary name to its archived one (STD-5.1)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """PBKDF2's deliberate slowness costs ~0.3 s per user made; tests make hundreds. For the
    whole session, so that the users of module-scoped data sets (the isolation matrix's and
    the page walk's world, the API fuzzing's callers) are made fast too."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def verify_second_factor(client, user) -> None:
    """Mark `client`'s session as having passed the TOTP step for `user` (a confirmed
    device of theirs, as django-otp's own login would), when their role needs one."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agency.roles import OTP_ROLES

    if getattr(user, "role", None) not in OTP_ROLES:
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """`client.force_login(user)` skips the password, and here the TOTP code too: the
    page tests are about pages, not logins. The two-factor check itself stays on
    (STAFF_OTP_REQUIRED) and is tested through the real login in
    tests/security/test_two_factor.py, which never uses force_login to get verified."""
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        verify_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def client_company(db):
    return ClientFactory()


@pytest.fixture
def other_client_company(db):
    return ClientFactory()


@pytest.fixture
def staff_user(db):
    def make(role: str = Role.SERVICE_REP, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def portal_user(db, client_company):
    return UserFactory(role=Role.CLIENT_ADMIN, client=client_company)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def policies(db):
    """The six cities of the shipped policy data file with every policy version."""
    return policies_load(cities=read_policy_file(POLICY_FILE))


@pytest.fixture
def shanghai(db):
    return CityFactory(code="310000", name="上海市", order_cutoff_day=15)


@pytest.fixture
def beijing(db):
    return CityFactory(code="110000", name="北京市", order_cutoff_day=15)


def contracted_client(name: str, *cities):
    """A verified client with an active 2026–2030 contract in `cities` (housing fund 7 %)."""
    client = VerifiedClientFactory(name=name)
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2030, 12, 31),
                               housing_fund_rate=Decimal("0.07"))
    for city in cities:
        ContractPriceFactory(contract=contract, city=city)
    return client


@pytest.fixture
def company(db, shanghai, beijing):
    return contracted_client("上海启明信息技术有限公司", shanghai, beijing)


# a representative, a client that representative serves and one served by another
# (the staff-scope tests: a representative sees only the persons of its own clients)
@pytest.fixture
def rep():
    return UserFactory(role=Role.SERVICE_REP)


@pytest.fixture
def served(rep):
    return ClientFactory(service_rep=rep, name="自家客户")


@pytest.fixture
def unserved():
    return ClientFactory(service_rep=UserFactory(role=Role.SERVICE_REP), name="别人客户")
