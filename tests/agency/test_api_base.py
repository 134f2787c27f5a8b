"""The API's base: token login, the contract's error shape, health, schema and docs."""

import pytest

from agency.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_api_call_without_token_is_401_in_the_error_shape(api_client):
    response = api_client.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400  # the login itself is open; it validates input

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "身份认证信息未提供。",
            "details": [],
        }
    }
    assert response["WWW-Authenticate"] == "Token"


def test_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_token_login_returns_a_token_that_authenticates(api_client, settings):
    settings.STAFF_OTP_REQUIRED = False  # a manager's code: tests/security/test_two_factor.py
    user = UserFactory(role=Role.MANAGER)

    response = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json() == {"username": user.username, "role": "manager", "client": None}


def test_token_login_with_wrong_password_is_400_with_a_code(api_client):
    user = UserFactory(role=Role.MANAGER)

    response = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_token_login_with_missing_fields_names_each_field(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": ""}, format="json")

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_failed"
    assert sorted((d["field"], d["code"]) for d in body["details"]) == [
        ("password", "required"),
        ("username", "blank"),
    ]


def test_unknown_api_path_is_404_json(api_client):
    response = api_client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_docs_page_is_served_with_local_assets(client, portal_user):
    client.force_login(portal_user)

    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"  # make test points CELERY_BROKER_URL at a real Redis


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "error"


def test_me_of_a_portal_user_names_its_client(api_client, portal_user, client_company):
    api_client.force_authenticate(portal_user)

    response = api_client.get("/api/v1/me/")

    body = response.json()
    assert (body["username"], body["role"]) == (portal_user.username, "client_admin")
    assert {k: body["client"][k] for k in ("id", "name", "uscc")} == {
        "id": client_company.pk, "name": client_company.name, "uscc": client_company.uscc}


def test_schema_is_served_to_a_signed_in_caller_only(client, api_client, portal_user):
    anonymous = [api_client.get("/api/schema/"), api_client.get("/api/docs/")]
    client.force_login(portal_user)

    response = client.get("/api/schema/")

    assert [r.status_code for r in anonymous] == [401, 401]
    assert response.status_code == 200
    assert b"/api/v1/auth/token/" in response.content


def test_the_openapi_schema_describes_every_view_without_a_warning(tmp_path):
    # every API view renders through its output serializer, so the schema can say what the
    # API really answers: drf-spectacular must not have to guess a single field
    from django.core.management import call_command

    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = out.read_text(encoding="utf-8")
    assert "/api/v1/orders/{id}/:" in schema
    assert "pattern: ^[1-9][0-9]{3}-(0[1-9]|1[0-2])$" in schema
