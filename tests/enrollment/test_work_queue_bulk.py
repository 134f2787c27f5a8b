"""Issue 16: bulk actions in the work queue (ticked lines → submitted / succeeded / returned
with a reason), all or nothing through the workflow service, updated in place by htmx; and
the single line's move on its page in place too."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agency.deadlines import add_months
from agency.roles import Role
from enrollment.models import Enrollment, RosterLine
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import BulkTransitionFailed, line_bulk_transition
from tests.enrollment.order_fixtures import add_line, give_all_papers

pytestmark = pytest.mark.django_db

BULK = "/staff/orders/queue/bulk/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def next_month() -> datetime.date:
    return add_months(timezone.localdate().replace(day=1), 1)


def lines_of(company, *numbers, papers=True, **over):
    """An order of one add line per number (social insurance only); with `papers`, every
    person's papers are in, so the lines are received (ready to submit)."""
    order = order_submit(
        client=company, channel="api", actor=None,
        lines=[add_line(n, effective_date=next_month().isoformat(), housing_fund=False, **over)
               for n in numbers])
    lines = list(order.lines.order_by("line_no"))
    if papers:
        for line in lines:
            give_all_papers(line.person, company)
    return [RosterLine.objects.get(pk=line.pk) for line in lines]


def statuses(lines):
    return [RosterLine.objects.get(pk=line.pk).status for line in lines]


@pytest.fixture
def rep(client, staff_user):
    user = staff_user(Role.SERVICE_REP)
    client.force_login(user)
    return user


def test_bulk_submit_moves_every_ticked_line_and_redirects_back_with_the_filters(
        client, rep, company):
    lines = lines_of(company, 1, 2, 3)

    response = client.post(f"{BULK}?action=add&status=received",
                           {"line": [lines[0].pk, lines[2].pk], "to": "submitted"})

    assert response.status_code == 302
    assert response["Location"] == "/staff/orders/queue/?action=add&status=received"
    assert statuses(lines) == ["submitted", "received", "submitted"]
    page = client.get(response["Location"]).content.decode()
    assert "已变为“已报送”的明细：2 条。" in page


def test_one_line_that_cannot_move_stops_them_all_and_is_named(client, rep, company):
    ready = lines_of(company, 1, 2)
    waiting = lines_of(company, 3, papers=False)[0]  # papers missing: cannot be submitted

    response = client.post(BULK, {"line": [ready[0].pk, waiting.pk, ready[1].pk],
                                  "to": "submitted"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert statuses([*ready, waiting]) == ["received", "received", "papers_missing"]
    assert "1 条明细不能变更，全部未改动 / 1 line(s) cannot move: nothing was changed" in html
    assert (f"<li>#{waiting.order_id}/1 {waiting.name}: 不能从「材料不全」变为「已报送」 / Cannot "
            "move a task from papers_missing to submitted</li>") in html
    assert html.count('data-testid="line-failure"') == 1
    # the ticked boxes stay ticked, so the line can be unticked and the rest sent again
    assert [pk for pk in (ready[0].pk, waiting.pk, ready[1].pk)
            if f'value="{pk}" id="pick-{pk}" checked' in html] == [
        ready[0].pk, waiting.pk, ready[1].pk]


def test_the_service_rolls_back_lines_already_moved_when_a_later_one_fails(company):
    first, second = lines_of(company, 1, 2)
    succeeded_before = Enrollment.objects.count()
    line_bulk_transition(lines=[first], to="submitted", actor=None)

    with pytest.raises(BulkTransitionFailed) as caught:
        # the first (lower id) goes through to succeeded and opens its enrolment, then the
        # second cannot skip "submitted": both stay where they were
        line_bulk_transition(lines=[second, first], to="succeeded", actor=None)

    assert statuses([first, second]) == ["submitted", "received"]
    assert Enrollment.objects.count() == succeeded_before
    assert caught.value.failures == {second.pk: [
        "不能从「已受理」变为「成功」 / Cannot move a task from received to succeeded"]}


def test_bulk_succeeded_opens_each_enrolment(client, rep, company):
    lines = lines_of(company, 1, 2)
    line_bulk_transition(lines=lines, to="submitted", actor=rep)

    response = client.post(BULK, {"line": [ln.pk for ln in lines], "to": "succeeded"}, **HTMX)

    assert response.status_code == 200
    assert statuses(lines) == ["succeeded", "succeeded"]
    assert sorted(Enrollment.objects.filter(client=company, status="active").values_list(
        "person__name", flat=True)) == sorted(ln.name for ln in lines)
    assert "已变为“成功”的明细：2 条。" in response.content.decode()


def test_returning_needs_a_reason_and_keeps_it_on_every_line(client, rep, company):
    lines = lines_of(company, 1, 2)

    without = client.post(BULK, {"line": [ln.pk for ln in lines], "to": "returned",
                                 "reason": " "}, **HTMX)
    moved_without = statuses(lines)
    with_reason = client.post(BULK, {"line": [ln.pk for ln in lines], "to": "returned",
                                     "reason": "客户撤回"}, **HTMX)

    assert "请填写原因 / A reason is required" in without.content.decode()
    assert moved_without == ["received", "received"]
    assert with_reason.status_code == 200
    assert statuses(lines) == ["returned", "returned"]
    assert [ln.tasks.get().reason for ln in lines] == ["客户撤回", "客户撤回"]


def test_htmx_gets_the_queue_panel_only_without_htmx_the_page(client, rep, company):
    lines = lines_of(company, 1)

    partial = client.post(BULK, {"line": [lines[0].pk], "to": "bogus"}, **HTMX)
    page = client.post(BULK, {"line": [lines[0].pk], "to": "bogus"})

    assert (partial.status_code, page.status_code) == (200, 400)
    assert partial.content.decode().startswith('<div id="queue-panel">')
    assert "<html" not in partial.content.decode()
    assert "<html" in page.content.decode()
    assert "选择一个有效的选项。 bogus 不在可用的选项中。" in partial.content.decode()


def test_nothing_ticked_unknown_and_malformed_lines(client, rep, company):
    lines = lines_of(company, 1)

    empty = client.post(BULK, {"to": "submitted"}, **HTMX)
    unknown = client.post(BULK, {"line": [lines[0].pk, 999999], "to": "submitted"}, **HTMX)
    malformed = client.post(BULK, {"line": ["1; drop", "x"], "to": "submitted"}, **HTMX)

    assert "请至少选择一条明细 / Select at least one line" in empty.content.decode()
    assert unknown.status_code == 404
    assert malformed.status_code == 200
    assert "请从列表中选择明细。" in malformed.content.decode()
    assert statuses(lines) == ["received"]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ARCHIVIST])
def test_read_only_staff_have_no_bulk_form_and_cannot_post(client, staff_user, company, role):
    lines = lines_of(company, 1)
    client.force_login(staff_user(role))

    page = client.get("/staff/orders/queue/").content.decode()
    post = client.post(BULK, {"line": [lines[0].pk], "to": "submitted"})

    assert ('data-testid="bulk-form"' in page, 'name="line"' in page) == (False, False)
    assert post.status_code == 404
    assert statuses(lines) == ["received"]


def test_the_queue_page_is_labelled_for_the_keyboard(client, rep, company):
    line = lines_of(company, 1)[0]

    html = client.get("/staff/orders/queue/").content.decode()

    assert '<label for="pick-all" class="sr-only">全选本页明细</label>' in html
    assert (f'<label for="pick-{line.pk}" class="sr-only">'
            f"选择明细 #{line.order_id}/1 {line.name}</label>") in html
    assert 'hx-post="/staff/orders/queue/bulk/"' in html


def test_the_queue_costs_the_same_queries_for_3_and_30_lines(client, rep, company):
    lines_of(company, 1, 2, 3, papers=False)
    with CaptureQueriesContext(connection) as small:
        few = client.get("/staff/orders/queue/")
    lines_of(company, *range(4, 31), papers=False)
    with CaptureQueriesContext(connection) as large:
        many = client.get("/staff/orders/queue/")

    assert few.content.decode().count('type="checkbox" name="line"') == 3
    assert many.content.decode().count('type="checkbox" name="line"') == 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_bulk_answer_costs_the_same_queries_for_1_and_10_lines_shown(client, rep, company):
    """Re-rendering the panel after a refused move does not grow with the rows shown."""
    waiting = lines_of(company, 1, papers=False)
    with CaptureQueriesContext(connection) as small:
        client.post(BULK, {"line": [waiting[0].pk], "to": "submitted"}, **HTMX)
    lines_of(company, *range(2, 11), papers=False)
    with CaptureQueriesContext(connection) as large:
        client.post(BULK, {"line": [waiting[0].pk], "to": "submitted"}, **HTMX)

    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_line_moves_in_place_on_its_page_with_htmx(client, rep, company):
    line = lines_of(company, 1)[0]
    url = f"/staff/orders/lines/{line.pk}/transition/"

    moved = client.post(url, {"to": "submitted", "scheme": "", "reason": ""}, **HTMX)
    refused = client.post(url, {"to": "received", "scheme": "", "reason": ""}, **HTMX)

    html = moved.content.decode()
    assert moved.status_code == 200
    assert html.startswith('<div id="line-panel">')
    assert '<span class="badge " data-testid="line-status">已报送</span>' in html
    assert "明细已更新。" in html
    assert refused.status_code == 200
    assert "不能从「已报送」变为「已受理」" in refused.content.decode()
    assert statuses([line]) == ["submitted"]
    page = client.get(f"/staff/orders/lines/{line.pk}/").content.decode()
    assert f'hx-post="{url}"' in page
