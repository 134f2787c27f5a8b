"""A representative processes a roster line from received to succeeded: the work queue,
the line, submitted to the bureau, succeeded; the client then sees the line succeeded in
the portal (issue 16)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.deadlines import add_months
from agency.roles import Role
from enrollment.models import Enrollment
from enrollment.orders.services import order_submit
from tests.e2e.steps import log_in, log_out
from tests.enrollment.order_fixtures import add_line, give_all_papers
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_representative_takes_a_line_from_received_to_succeeded(live_server, page, shots,
                                                                  company):
    rep = UserFactory(role=Role.SERVICE_REP, display_name="客服 小王")
    type(company).objects.filter(pk=company.pk).update(service_rep=rep)
    hr = UserFactory(role=Role.CLIENT_VIEWER, client=company)
    month = add_months(timezone.localdate().replace(day=1), 1)
    order = order_submit(
        client=company, channel="api", actor=None,
        received_at=timezone.now() - datetime.timedelta(hours=2),
        lines=[add_line(1, name="王芳", effective_date=month.isoformat(), housing_fund=False)])
    line = order.lines.get()
    give_all_papers(line.person, company)  # complete papers: the line waits as received

    log_in(page, live_server, rep, face="staff")
    page.get_by_role("navigation").get_by_role("link", name="待办队列").click()
    row = page.get_by_test_id("queue-line").filter(has_text="王芳")
    expect(row).to_contain_text("已受理")
    expect(row).to_contain_text(company.name)
    shots("work-queue")

    row.get_by_role("link", name="王芳").click()
    page.wait_for_url(f"{live_server.url}/staff/orders/lines/{line.pk}/")
    expect(page.get_by_test_id("line-status")).to_have_text("已受理")
    shots("line-received")

    page.get_by_label("变更为").select_option(label="已报送")
    page.get_by_role("button", name="确定", exact=True).click()
    expect(page.get_by_test_id("line-status")).to_have_text("已报送")
    expect(page.get_by_test_id("tasks")).to_have_text("社会保险: 已报送")
    shots("line-submitted")

    page.get_by_label("变更为").select_option(label="成功")
    page.get_by_role("button", name="确定", exact=True).click()
    expect(page.get_by_test_id("line-status")).to_have_text("成功")
    expect(page.get_by_test_id("history")).to_contain_text("已报送")
    shots("line-succeeded")
    enrolment = Enrollment.objects.get(person=line.person)
    assert (enrolment.client_id, enrolment.status, enrolment.starts_on) == (
        company.pk, "active", month)

    log_out(page)
    log_in(page, live_server, hr, face="portal")
    page.get_by_role("navigation").get_by_role("link", name="增减员派单").click()
    page.get_by_role("link", name=f"#{order.pk}", exact=True).click()
    page.wait_for_url(f"{live_server.url}/portal/orders/{order.pk}/")
    expect(page.get_by_test_id("line-1").get_by_test_id("line-status")).to_have_text("成功")
    expect(page.get_by_test_id("order-status")).to_have_text("已完成")
    shots("portal-line-succeeded")
