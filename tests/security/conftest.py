"""The isolation matrix's data set, made once per module (`world`, `callers`), and its
case count, printed at the end of the session (report.py)."""

import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as PageClient
from django.urls import resolve
from rest_framework.authtoken.models import Token

from tests.conftest import verify_second_factor
from tests.security import matrix
from tests.security.matrix import ANONYMOUS, API_KEY
from tests.security.world import World, build_world


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("tests.security.report"):
        from tests.security import report

        config.pluginmanager.register(report, "tests.security.report")


@pytest.fixture(scope="module")
def media_root(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("matrix-media"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=media_root), django_db_blocker.unblock(), \
            transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def world_media(settings, media_root):
    """The files of the module's data set stay readable in every test."""
    settings.MEDIA_ROOT = media_root


@pytest.fixture(scope="module")
def callers(world: World, django_db_blocker) -> dict[str, Any]:
    """role -> (page client, API headers). Users log in by session (pages) and send
    their token (API); the key sends `Authorization: Token <key>` on both."""
    from clients.services import api_key_issue

    out: dict[str, Any] = {}
    with django_db_blocker.unblock():
        users = {**world.staff, **world.mine.users}
        for role, user in users.items():
            page = PageClient()
            page.force_login(user)
            verify_second_factor(page, user)  # staff who reveal IDs passed their TOTP step
            token = Token.objects.create(user=user)
            out[role] = (page, {"HTTP_AUTHORIZATION": f"Token {token.key}"}, user)
        _, key = api_key_issue(client=world.mine.client, name="matrix", actor=None)
        out[API_KEY] = (PageClient(), {"HTTP_AUTHORIZATION": f"Token {key}"}, None)
        out[ANONYMOUS] = (PageClient(), {}, None)
    return out


@pytest.fixture(scope="module")
def api_methods() -> dict[str, set[str]]:
    """URL name -> the methods the API schema documents for it."""
    out: dict[str, set[str]] = {}
    for path, method in matrix.api_operations():
        name = resolve(_sample(path)).url_name
        out.setdefault(name, set()).add(method)
    return out


def _sample(schema_path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", schema_path)
