"""The dashboards' charts and the portal's figures (issue 16): each series from its app's
selector, with exact values for known data; the pages draw them (bars and points carry
their figures) in a fixed number of queries whatever the number of rows."""

import datetime
import re
from decimal import Decimal
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agency.charts import last_months
from agency.roles import Role
from agency.viewer import Viewer
from billing.models import Bill, BillStatus
from billing.selectors import bill_totals_by_month, current_bill
from compliance.models import Inquiry
from compliance.selectors import sla_by_month
from enrollment.models import InsuredPerson, RosterLine, RosterOrder, RosterTask
from enrollment.persons.selectors import headcount_by_month
from tests.factories import ClientFactory, EnrollmentFactory, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SH_TZ = timezone.get_fixed_timezone(8 * 60)
TODAY = datetime.date(2026, 12, 3)
NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=SH_TZ)
MONTHS = last_months(TODAY)  # 2026-01 … 2026-12
D = datetime.date


def at(year: int, month: int, day: int, hour: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SH_TZ)


def enrol(client, city, starts, *, ends=None, status="active", scheme="social_insurance",
          person=None, sealed=None):
    return EnrollmentFactory(person=person or InsuredPersonFactory(), client=client, city=city,
                             starts_on=starts, ends_on=ends, status=status, scheme=scheme,
                             sealed_on=sealed)


def client_viewer(client) -> Viewer:
    return Viewer(role=Role.CLIENT_ADMIN, client_id=client.pk)


def staff_viewer(role: str, user=None) -> Viewer:
    return Viewer(role=role, client_id=None, user_id=user.pk if user else None)


# --- headcount by month and city -----------------------------------------------------------

@pytest.fixture
def staffed(company, shanghai, beijing):
    """The company's persons over 2026, and one person of another client."""
    p1 = enrol(company, shanghai, D(2025, 6, 1)).person
    enrol(company, shanghai, D(2025, 6, 1), person=p1, scheme="housing_fund")  # counted once
    enrol(company, shanghai, D(2026, 3, 15), ends=D(2026, 5, 10), status="ended")
    enrol(company, beijing, D(2026, 11, 20))
    enrol(company, shanghai, None, status="pending")  # never counted
    enrol(company, shanghai, D(2026, 12, 20))  # not yet (after today)
    enrol(company, shanghai, D(2025, 1, 1), scheme="housing_fund", status="sealed",
          sealed=D(2026, 2, 10))  # in force until sealed
    other = ClientFactory()
    enrol(other, shanghai, D(2025, 1, 1))
    return other


OWN = {"上海市": [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1], "北京市": [0] * 10 + [1, 1]}


def test_headcount_counts_each_person_in_force_on_some_day_of_the_month(company, staffed):
    counts = headcount_by_month(viewer=client_viewer(company), months=MONTHS, today=TODAY)
    assert counts == OWN
    assert list(counts) == ["上海市", "北京市"]


def test_headcount_follows_who_may_see_the_persons(company, staffed):
    rep = UserFactory(role=Role.SERVICE_REP)
    company.service_rep = rep
    company.save(update_fields=["service_rep"])

    assert headcount_by_month(viewer=staff_viewer(Role.SERVICE_REP, rep), months=MONTHS,
                              today=TODAY) == OWN
    idle = UserFactory(role=Role.SERVICE_REP)
    assert headcount_by_month(viewer=staff_viewer(Role.SERVICE_REP, idle), months=MONTHS,
                              today=TODAY) == {}
    assert headcount_by_month(viewer=staff_viewer(Role.MANAGER), months=MONTHS,
                              today=TODAY) == {
        "上海市": [3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2], "北京市": [0] * 10 + [1, 1]}
    assert headcount_by_month(viewer=client_viewer(staffed), months=MONTHS, today=TODAY) == {
        "上海市": [1] * 12}


# --- SLA compliance by month ---------------------------------------------------------------

def line(order, n, due, status, *, finished=None):
    city = order.client.contracts.first().prices.first().city
    row = RosterLine.objects.create(order=order, line_no=n, action="add", name=f"员工{n}",
                                    person=cast(InsuredPerson, InsuredPersonFactory()),
                                    city=city, effective_date=D(2026, 12, 1),
                                    effective_month=D(2026, 12, 1), handle_by=due,
                                    status=status)
    if finished is not None:
        RosterTask.objects.create(line=row, scheme="social_insurance", status="succeeded",
                                  finished_at=finished)
    return row


def inquiry(client, due, answered=None):
    return Inquiry.objects.create(client=client, subject="问题", body="?", channel="portal",
                                  received_at=due - datetime.timedelta(hours=12),
                                  respond_by=due, first_response_at=answered,
                                  status="answered" if answered else "open")


@pytest.fixture
def deadlines(company):
    order = RosterOrder.objects.create(client=company, channel="portal",
                                       received_at=at(2026, 10, 1, 9))
    line(order, 1, at(2026, 10, 10, 10), "succeeded", finished=at(2026, 10, 9, 10))  # kept
    line(order, 2, at(2026, 10, 20, 10), "succeeded", finished=at(2026, 10, 21, 10))  # late
    line(order, 3, at(2026, 11, 15, 10), "cancelled")  # out of the workflow in time: kept
    line(order, 4, at(2026, 12, 1, 1), "received")  # December in Shanghai; still open: missed
    line(order, 5, at(2026, 12, 5, 10), "received")  # not due yet
    inquiry(company, at(2026, 11, 10, 10), answered=at(2026, 11, 10, 9))  # kept
    inquiry(company, at(2026, 11, 11, 10), answered=at(2026, 11, 11, 11))  # late
    inquiry(company, at(2026, 12, 2, 10))  # no answer: missed
    inquiry(company, at(2026, 12, 4, 10))  # not due yet
    other = ClientFactory()
    inquiry(other, at(2026, 11, 12, 10), answered=at(2026, 11, 12, 8))
    return other


def sla_rows(viewer):
    return {f"{r.month:%Y-%m}": (r.lines_due, r.lines_kept, r.lines_percent,
                                 r.inquiries_due, r.inquiries_kept, r.inquiries_percent)
            for r in sla_by_month(viewer=viewer, months=MONTHS, now=NOW)
            if r.lines_due or r.inquiries_due}


def test_sla_counts_the_deadlines_due_each_month_and_those_kept(company, deadlines):
    rep = UserFactory(role=Role.SERVICE_REP)
    company.service_rep = rep
    company.save(update_fields=["service_rep"])

    assert sla_rows(staff_viewer(Role.SERVICE_REP, rep)) == {
        "2026-10": (2, 1, 50.0, 0, 0, None),
        "2026-11": (1, 1, 100.0, 2, 1, 50.0),
        "2026-12": (1, 0, 0.0, 1, 0, 0.0),
    }
    assert sla_rows(staff_viewer(Role.MANAGER))["2026-11"] == (1, 1, 100.0, 3, 2, 66.7)
    assert len(sla_by_month(viewer=staff_viewer(Role.MANAGER), months=MONTHS, now=NOW)) == 12


# --- bill totals by month, this month's bill -----------------------------------------------

def bill(client, month, status, si="1000.00", hf="200.00", fee="80.00"):
    total = Decimal(si) + Decimal(hf) + Decimal(fee)
    return Bill.objects.create(client=client, month=month, status=status,
                               social_insurance=Decimal(si), housing_fund=Decimal(hf),
                               service_fee=Decimal(fee), total=total)


def test_bill_totals_are_the_issued_bills_of_each_month(company):
    other = ClientFactory()
    bill(company, D(2026, 9, 1), BillStatus.VOID)
    bill(company, D(2026, 10, 1), BillStatus.ISSUED)
    bill(company, D(2026, 11, 1), BillStatus.PAID, si="2000.50")
    bill(other, D(2026, 11, 1), BillStatus.CONFIRMED, si="500.00", hf="0.00", fee="50.00")
    bill(other, D(2026, 12, 1), BillStatus.DRAFT)

    def totals(viewer):
        return {f"{r.month:%Y-%m}": (r.bills, r.social_insurance, r.housing_fund, r.service_fee,
                                     r.total)
                for r in bill_totals_by_month(viewer=viewer, months=MONTHS) if r.bills}

    assert totals(client_viewer(company)) == {
        "2026-10": (1, Decimal("1000.00"), Decimal("200.00"), Decimal("80.00"),
                    Decimal("1280.00")),
        "2026-11": (1, Decimal("2000.50"), Decimal("200.00"), Decimal("80.00"),
                    Decimal("2280.50")),
    }
    assert totals(staff_viewer(Role.FINANCE))["2026-11"] == (
        2, Decimal("2500.50"), Decimal("200.00"), Decimal("130.00"), Decimal("2830.50"))
    assert "2026-12" not in totals(staff_viewer(Role.FINANCE))


def test_this_months_bill_is_the_months_own_else_last_months(company):
    viewer = client_viewer(company)
    assert current_bill(viewer=viewer, today=TODAY) is None
    bill(company, D(2026, 10, 1), BillStatus.ISSUED)
    assert current_bill(viewer=viewer, today=TODAY) is None  # two months back: not this one
    november = bill(company, D(2026, 11, 1), BillStatus.PAID)
    assert current_bill(viewer=viewer, today=TODAY) == november
    december = bill(company, D(2026, 12, 1), BillStatus.DRAFT)
    assert current_bill(viewer=viewer, today=TODAY) == november  # a draft is not issued
    december.status = BillStatus.ISSUED
    december.save()
    assert current_bill(viewer=viewer, today=TODAY) == december


# --- the pages -----------------------------------------------------------------------------

def figure(html: str, testid: str) -> str:
    found = re.search(rf'<figure [^>]*data-testid="{testid}".*?</figure>', html, flags=re.S)
    assert found is not None, testid
    return found.group(0)


def drawn(html: str, tag: str) -> list[tuple[str, str, str]]:
    return [(s, label, value) for s, label, value in re.findall(
        rf'<{tag} [^>]*data-series="([^"]*)" data-label="([^"]*)" data-value="([^"]*)"', html)]


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def last_month() -> datetime.date:
    return (this_month() - datetime.timedelta(days=1)).replace(day=1)


def fill(company, shanghai, beijing, n: int, *, skip: int = 0) -> None:
    """n persons in force since last year in each city, and paid bills for the n months
    before last month (after `skip` of them)."""
    for _ in range(n):
        enrol(company, shanghai, D(2025, 1, 1))
        enrol(company, beijing, D(2025, 1, 1))
    month = last_month()
    for i in range(n + skip):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        if i >= skip:
            bill(company, month, BillStatus.PAID)


def test_the_portal_dashboard_shows_this_months_bill_and_the_charts(client, company,
                                                                   shanghai, beijing):
    fill(company, shanghai, beijing, 2)
    billed = bill(company, last_month(), BillStatus.ISSUED, si="12000.00", hf="1500.00",
                  fee="160.00")
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=company))

    html = client.get("/portal/").content.decode()

    card = re.search(r'data-testid="card-this-month-bill".*?data-testid="card-inquiries"', html,
                     re.S)
    assert card is not None
    assert re.search(r'data-testid="this-month-bill-link">¥13,660.00<', html)
    assert f'href="/portal/billing/bills/{billed.pk}/"' in card.group(0)
    assert 'data-testid="this-month-bill-confirm"' in html
    assert f'action="/portal/billing/bills/{billed.pk}/confirm/"' in html

    month = f"{this_month():%Y-%m}"
    heads = drawn(figure(html, "chart-headcount"), "rect")
    assert [(s, v) for s, label, v in heads if label == month] == [("上海市", "2"),
                                                                   ("北京市", "2")]
    bills = drawn(figure(html, "chart-bills"), "rect")
    assert [(s, v) for s, label, v in bills if label == f"{last_month():%Y-%m}"] == [
        ("社会保险", "12000.00"), ("住房公积金", "1500.00"), ("服务费", "160.00")]
    assert len(bills) == 36  # 12 months × 3 series


def test_a_client_viewer_sees_the_bill_without_the_confirm_button(client, company):
    bill(company, last_month(), BillStatus.ISSUED)
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=company))
    html = client.get("/portal/").content.decode()
    assert 'data-testid="this-month-bill-status"' in html
    assert 'data-testid="this-month-bill-confirm"' not in html


def test_before_the_bill_is_issued_the_card_says_so(client, company):
    bill(company, last_month(), BillStatus.DRAFT)
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=company))
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "this-month-bill-link" not in html
    assert "Not issued yet." in html or "尚未出具。" in html


def test_the_staff_dashboard_draws_the_three_charts(client, company, shanghai, beijing):
    fill(company, shanghai, beijing, 3)
    client.force_login(UserFactory(role=Role.MANAGER))

    html = client.get("/staff/").content.decode()

    month = f"{this_month():%Y-%m}"
    heads = drawn(figure(html, "chart-headcount"), "rect")
    assert sorted((s, v) for s, label, v in heads if label == month) == [("上海市", "3"),
                                                                         ("北京市", "3")]
    assert 'data-kind="line"' in figure(html, "chart-sla")
    bills = drawn(figure(html, "chart-bills"), "rect")
    prior = (last_month() - datetime.timedelta(days=1)).replace(day=1)
    assert [v for s, label, v in bills if label == f"{prior:%Y-%m}"] == ["1000.00", "200.00",
                                                                        "80.00"]


def test_an_archivist_sees_no_bill_chart(client):
    client.force_login(UserFactory(role=Role.ARCHIVIST))
    html = client.get("/staff/").content.decode()
    assert 'data-testid="chart-headcount"' in html
    assert 'data-testid="chart-bills"' not in html


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("face,role", [("portal", Role.CLIENT_ADMIN),
                                       ("staff", Role.MANAGER),
                                       ("staff", Role.SERVICE_REP)])
def test_the_dashboards_query_count_does_not_grow_with_the_rows(client, company, shanghai,
                                                                beijing, face, role):
    user = UserFactory(role=role, client=company if face == "portal" else None)
    if role == Role.SERVICE_REP:
        company.service_rep = user
        company.save(update_fields=["service_rep"])
    client.force_login(user)
    fill(company, shanghai, beijing, 1)
    few = queries(client, f"/{face}/")
    fill(company, shanghai, beijing, 8, skip=1)
    bill(company, last_month(), BillStatus.ISSUED)
    now = timezone.now()
    for n in range(6):
        inquiry(company, now - datetime.timedelta(days=20 * n + 1))
    many = queries(client, f"/{face}/")
    assert many == few
