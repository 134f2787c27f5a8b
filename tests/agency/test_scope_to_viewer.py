"""scope_to_viewer: the one rule of tenant isolation."""

import pytest

from agency.viewer import ApiKeyPrincipal, Viewer, scope_to_viewer
from clients.models import Client
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_all_a_client_its_own_and_anyone_else_nothing():
    mine, theirs = ClientFactory(), ClientFactory()
    qs = Client.objects.filter(pk__in=[mine.pk, theirs.pk]).order_by("pk")

    staff = Viewer.of(UserFactory(role="finance"))
    portal = Viewer.of(UserFactory(role="client_viewer", client=mine))
    key = Viewer.of(ApiKeyPrincipal(client_id=mine.pk, api_key_id=1))
    nobody = Viewer.of(None)

    assert list(scope_to_viewer(qs, staff, "pk")) == [mine, theirs]
    assert list(scope_to_viewer(qs, portal, "pk")) == [mine]
    assert list(scope_to_viewer(qs, key, "pk")) == [mine]
    assert list(scope_to_viewer(qs, nobody, "pk")) == []
