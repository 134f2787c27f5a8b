"""The dashboards show real figures: the viewer's roster lines against their 48-hour
deadline, contracts ending soon, and for a client its persons and orders in progress."""

import datetime
import re

import pytest
from django.utils import timezone

from agency.models import WorkdayOverride
from agency.roles import Role
from compliance.selectors import workday_calendar_gaps
from enrollment.orders.services import order_submit
from tests.billing.conftest import seller, two_city_client  # noqa: F401 - fixtures
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


def calendar_gaps(html: str) -> list[str]:
    return [re.sub(r"<a .*", "", text).strip() for text in
            re.findall(r'data-testid="calendar-gap">(.*?)</li>', html, flags=re.S)]


def test_the_years_without_holiday_data_are_this_year_and_next_unless_covered():
    # the package covers 2004–2026; staff entered nothing
    assert workday_calendar_gaps(today=datetime.date(2026, 12, 2)) == [2027]
    assert workday_calendar_gaps(today=datetime.date(2027, 1, 4)) == [2027, 2028]
    assert workday_calendar_gaps(today=datetime.date(2025, 6, 1)) == []

    WorkdayOverride.objects.create(date=datetime.date(2027, 1, 1),
                                   kind=WorkdayOverride.Kind.HOLIDAY, note="元旦")

    assert workday_calendar_gaps(today=datetime.date(2026, 12, 2)) == []
    assert workday_calendar_gaps(today=datetime.date(2027, 1, 4)) == [2028]


def test_the_staff_dashboard_warns_that_next_years_holidays_are_missing(client):
    # today (Asia/Shanghai) is 2 Dec 2026: 2027 is past the package (which ends in 2026)
    today = timezone.localdate()
    missing = [year for year in (today.year, today.year + 1) if year > 2026]
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    html = client.get("/staff/").content.decode()

    assert calendar_gaps(html) == [
        f"{year} 年法定节假日数据缺失：工作日按周一至周五计算，请在后台补录调休安排。"
        for year in missing
    ]
    assert missing[-1] == today.year + 1
    assert "/admin/agency/workdayoverride/" not in html  # the back-office is the admins'


def test_the_warning_goes_once_staff_entered_the_years_holidays(client):
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        WorkdayOverride.objects.create(date=datetime.date(year, 1, 1),
                                       kind=WorkdayOverride.Kind.HOLIDAY, note="元旦")
    client.force_login(UserFactory(role=Role.ADMIN))

    html = client.get("/staff/").content.decode()

    assert calendar_gaps(html) == []


def test_an_admin_is_linked_to_where_the_holidays_are_entered(client):
    client.force_login(UserFactory(role=Role.ADMIN))

    html = client.get("/staff/").content.decode()

    assert '<a href="/admin/agency/workdayoverride/">补录节假日与调休</a>' in html


def test_the_dashboards_count_bills_to_invoice_overdue_disputed_and_to_confirm(
        client, two_city_client, seller):  # noqa: F811 - the fixtures
    from billing.services import bill_dispute, bill_generate, bill_issue, payment_record
    from tests.billing.conftest import NOV, enrol
    from tests.clients.factories import ContractFactory

    enrol(two_city_client, "310000", name="甲", base="10000.00")
    november = bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None),
                          actor=None)
    payment_record(bill=november, amount=november.total, paid_on=datetime.date(2026, 11, 2),
                   method="bank_transfer", actor=None)  # invoice due 2026-11-16: past
    other = ContractFactory(status="active", starts_on=datetime.date(2026, 1, 1),
                            ends_on=datetime.date(2027, 12, 31)).client
    bill_dispute(bill=bill_issue(bill=bill_generate(client=other, month=NOV, actor=None),
                                 actor=None), reason="人数不对", actor=None)

    client.force_login(UserFactory(role=Role.FINANCE))
    html = client.get("/staff/").content.decode()
    assert [card(html, c) for c in ("card-invoices-due", "card-invoices-overdue",
                                    "card-disputed")] == ["1", "1", "1"]
    client.force_login(UserFactory(role=Role.ARCHIVIST))
    assert "card-invoices-due" not in client.get("/staff/").content.decode()
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=other))
    assert card(client.get("/portal/").content.decode(), "card-bills-to-confirm") == "0"
