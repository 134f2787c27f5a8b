"""Fixtures of the enrollment tests: a client HR administrator and the API as that user."""

import pytest

from agency.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def hr(company):
    return UserFactory(role=Role.CLIENT_ADMIN, client=company)


@pytest.fixture
def as_hr(api_client, hr):
    api_client.force_authenticate(hr)
    return api_client
