"""Shared fixtures. Tests run on PostgreSQL (make test starts a throwaway one)."""

import pytest
from django.db import connection

from agency.roles import Role
from policies.policy_file import POLICY_FILE, read_policy_file
from policies.services import policies_load
from tests.factories import ClientFactory, UserFactory


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
