"""API fuzzing: schemathesis drives every operation of the drf-spectacular schema through
the WSGI app in-process, as a staff user's token and as a client's API key. No input may
answer 5xx, and every answer must be one the schema documents (status code, content type,
body shape).

The data set is small but real (a client with a person, an order, a case, a bill, an
inquiry, a complaint, a webhook), so ids the fuzzer picks sometimes hit an object; the
examples are derandomized so a failure reproduces."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agency.roles import Role
from clients.services import api_key_issue
from tests.factories import UserFactory
from tests.security.world import build_client_data

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Generated (fuzzing-phase) examples per operation and caller. They are not what this file's
# time goes to: schemathesis' coverage phase (each parameter's boundary, missing and
# wrong-type values, made at collection) runs as explicit examples on top, 288 requests per
# caller for POST /api/v1/clients/ against 4 generated ones, about 98 % of the requests.
EXAMPLES = 4


def _schema() -> "schemathesis.schemas.BaseSchema":
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = WSGIHandler()
    return loaded


schema = _schema()


@pytest.fixture(scope="module")
def callers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Authorization headers of a staff admin's token and of a client's API key, the
    client holding one object of each kind the API serves; made once for the module in a
    transaction rolled back at its end."""
    from django.test import override_settings

    from policies.policy_file import POLICY_FILE, read_policy_file
    from policies.services import policies_load

    media = str(tmp_path_factory.mktemp("fuzz-media"))
    # the WSGI handler closes the database connection after each request, as a server
    # should; here that would end the test's transaction (Django's test client does this too)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), \
            transaction.atomic():
        policies_load(cities=read_policy_file(POLICY_FILE))
        admin = UserFactory(role=Role.ADMIN)
        data = build_client_data()
        _, key = api_key_issue(client=data.client, name="fuzz", actor=admin)
        yield {
            "staff": {"Authorization": f"Token {Token.objects.create(user=admin).key}"},
            "client_key": {"Authorization": f"Token {key}"},
            "media": media,
        }
        transaction.set_rollback(True)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_media(settings, callers) -> None:
    """The module's files, once per test: set in the test's body, each of its examples
    stacked one more settings override (hundreds per test), and every settings read of every
    request walked the whole stack."""
    settings.MEDIA_ROOT = callers["media"]


@pytest.mark.parametrize("caller", ["staff", "client_key"])
@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case, caller, callers, fuzz_media, db):
    case.call_and_validate(headers=callers[caller], checks=CHECKS)
