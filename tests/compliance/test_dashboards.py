"""The dashboards show real figures: the viewer's roster lines against their 48-hour
deadline, contracts ending soon, and for a client its persons and orders in progress."""

import datetime
import re

import pytest
from django.utils import timezone

from agency.roles import Role
from enrollment.orders.services import order_submit
from tests.enrollment.order_fixtures import add_line, enrolled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def card(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}".*?<div class="stat[^"]*">(\d+)</div>', html,
                      flags=re.S)
    assert found is not None, testid
    return found.group(1)


def orders(company, now):
    """Two orders: one received 50 hours ago (past its deadline), one 30 hours ago (due
    in 18 hours, today or tomorrow), each with one add line waiting for papers."""
    month = (timezone.localdate(now).replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    for n, hours in ((1, 50), (2, 30)):
        order_submit(client=company, channel="api", actor=None,
                     received_at=now - datetime.timedelta(hours=hours),
                     lines=[add_line(n, effective_date=month.isoformat())])


def test_the_staff_dashboard_counts_the_lines_against_their_deadline(client, company, shanghai):
    now = timezone.now()
    orders(company, now)
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    html = client.get("/staff/").content.decode()

    due_in_18h = timezone.localtime(now + datetime.timedelta(hours=18)).date()
    assert card(html, "card-overdue") == "1"
    assert card(html, "card-due-today") == ("1" if due_in_18h == timezone.localdate(now) else "0")
    assert card(html, "card-open") == "2"
    assert card(html, "card-papers") == "2"
    assert card(html, "card-contracts") == "0"


def test_the_portal_dashboard_shows_the_clients_own_figures(client, company, shanghai):
    orders(company, timezone.now())
    enrolled(company, shanghai, 7)
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=company))

    html = client.get("/portal/").content.decode()

    assert card(html, "card-headcount") == "1"
    assert card(html, "card-open-orders") == "2"
    assert card(html, "card-papers") == "2"
