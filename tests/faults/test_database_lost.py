"""PostgreSQL going away while a request is in flight (issue 18). A restart terminates
every backend; here the backend serving the request is terminated at a chosen point — by a
trigger on the roster-line table, when the order's lines are being written — which is what
a restart does to it, without stopping the server the other test processes share. The
request answers 503 in the contract's shape, nothing of the order stays, and the next
request succeeds on a new connection."""

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from agency.roles import Role
from clients.services import api_key_issue
from enrollment.models import InsuredPerson, RosterLine, RosterOrder
from tests.enrollment.order_fixtures import add_line
from tests.factories import UserFactory

KILL = """
CREATE OR REPLACE FUNCTION fault_terminate_backend() RETURNS trigger AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER fault_terminate_backend BEFORE INSERT ON enrollment_rosterline
    FOR EACH ROW EXECUTE FUNCTION fault_terminate_backend();
"""
HEAL = """
DROP TRIGGER IF EXISTS fault_terminate_backend ON enrollment_rosterline;
DROP FUNCTION IF EXISTS fault_terminate_backend();
"""


def _admin_sql(sql: str) -> None:
    """Run `sql` on a connection of its own (not the one the requests use)."""
    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"],
                         password=s["PASSWORD"] or None, dbname=s["NAME"],
                         autocommit=True) as admin:
        admin.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_the_connection_lost_mid_order_is_a_503_and_the_next_request_succeeds(api_client,
                                                                              company):
    _, key = api_key_issue(client=company, name="HR", actor=UserFactory(role=Role.MANAGER))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    _admin_sql(KILL)
    try:
        lost = api_client.post("/api/v1/orders/", {"lines": [add_line(1), add_line(2)]},
                               format="json")
    finally:
        _admin_sql(HEAL)
    nothing = (RosterOrder.objects.count(), RosterLine.objects.count(),
               InsuredPerson.objects.count())
    again = api_client.post("/api/v1/orders/", {"lines": [add_line(1), add_line(2)]},
                            format="json")

    assert lost.status_code == 503
    assert lost.json()["error"]["code"] == "service_unavailable"
    assert lost["Retry-After"] == "5"
    assert nothing == (0, 0, 0)
    assert again.status_code == 201
    assert RosterLine.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_page_gets_a_503_page_not_a_500(staff_user):
    # the response the server sends, not the exception the test client would re-raise
    client = Client(raise_request_exception=False)
    client.force_login(staff_user(Role.MANAGER))
    s = connection.settings_dict
    pid = connection.cursor().connection.info.backend_pid
    with psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"],
                         password=s["PASSWORD"] or None, dbname=s["NAME"],
                         autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    lost = client.get("/staff/orders/")
    # what the server does between requests (request_started/finished); Django's test
    # client leaves it out so as to keep a test's transaction
    close_old_connections()
    again = client.get("/staff/orders/")

    assert (lost.status_code, again.status_code) == (503, 200)
    assert "暂时无法服务" in lost.content.decode()
