"""Staff and portal pages of billing.

The figures are those of `test_bills.py`: one person (甲) in Shanghai at base 10000 in
November 2026 costs 3716.00 of social insurance and an 80.00 service fee: 3796.00."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook

from agency.celery import app
from agency.deadlines import add_months, month_start
from agency.models import AuditEvent, WorkdayOverride
from agency.roles import Role
from billing.models import Bill, BillStatus, Invoice, Payment
from billing.services import (
    bill_dispute,
    bill_generate,
    bill_issue,
    invoice_issue,
    payment_record,
)
from clients.models import Contract
from policies.models import City
from tests.billing.conftest import NOV, enrol
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAID_ON = datetime.date(2026, 11, 25)


@pytest.fixture
def bill(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    return bill_generate(client=two_city_client, month=NOV, actor=None)


@pytest.fixture
def issued(bill):
    return bill_issue(bill=bill, actor=None)


@pytest.fixture
def finance(client):
    user = UserFactory(role=Role.FINANCE)
    client.force_login(user)
    return user


def as_portal(client, company, role=Role.CLIENT_ADMIN):
    user = UserFactory(role=role, client=company)
    client.force_login(user)
    return user


@pytest.fixture
def celery_eager():
    """Celery runs the task in the request, as with CELERY_TASK_ALWAYS_EAGER (the worker
    itself is tested in tests/integration)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def other_company_bill():
    shanghai = City.objects.get(code="310000")
    other = VerifiedClientFactory(name="别家公司")
    contract = ContractFactory(client=other, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2027, 12, 31))
    ContractPriceFactory(contract=contract, city=shanghai)
    enrol(other, "310000", name="丁", base="10000.00")
    return bill_issue(bill=bill_generate(client=other, month=NOV, actor=None), actor=None)


def text_of(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)<', html, re.S)
    return match.group(1).strip() if match else ""


# --- staff ------------------------------------------------------------------------------


def test_the_bill_list_shows_the_months_bills_with_their_figures(client, finance, bill):
    response = client.get("/staff/billing/bills/", {"month": "2026-11"})
    html = response.content.decode()
    default = client.get("/staff/billing/bills/")

    assert html.count('data-testid="bill-row"') == 1
    row = html[html.index('data-testid="bill-row"'):]
    assert re.findall(r'<td class="num">(?:<strong>)?([\d.—]+)', row)[:5] == [
        "3716.00", "0.00", "80.00", "3796.00", "—"]  # a draft has nothing paid yet
    assert "上海启明信息技术有限公司" in row
    assert '<span class="badge ">草稿</span>' in row
    last_month = add_months(month_start(timezone.localdate()), -1)
    assert default.context["form"]["month"].value() == f"{last_month:%Y-%m}"


def test_the_bill_list_links_the_number_to_the_bill_and_the_name_to_the_client(
        client, finance, bill):
    # the client's name led to the bill and the number was plain text (issue 16's leftover)
    html = client.get("/staff/billing/bills/", {"month": "2026-11"}).content.decode()

    start = html.index('data-testid="bill-row"')
    row = html[start:html.index("</tr>", start)]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', row) == [
        (f"/staff/clients/{bill.client_id}/", "上海启明信息技术有限公司"),
        (f"/staff/billing/bills/{bill.pk}/", bill.number)]
    assert bill.number.startswith("B202611-")


def test_the_bill_list_filters_by_status_and_client(client, finance, bill):
    other_company_bill()

    by_status = client.get("/staff/billing/bills/", {"month": "2026-11", "status": "issued"})
    by_client = client.get("/staff/billing/bills/", {"month": "2026-11", "q": "启明"})
    other_month = client.get("/staff/billing/bills/", {"month": "2026-10"})

    assert [r["bill"].client.name for r in by_status.context["rows"]] == ["别家公司"]
    assert [r["bill"].client.name for r in by_client.context["rows"]] == [
        "上海启明信息技术有限公司"]
    assert other_month.context["rows"] == []


# Celery warns on reading any result while eager; this task stores its own (StoredWhenEager)
@pytest.mark.filterwarnings("ignore:Results are not stored in backend:RuntimeWarning")
def test_generating_a_month_runs_the_task_and_shows_it_done(client, finance, two_city_client,
                                                            celery_eager):
    enrol(two_city_client, "310000", name="甲", base="10000.00")

    started = client.post("/staff/billing/generate/", {"month": "2026-11"})
    progress = client.get(started["Location"])
    status = client.get(started["Location"].split("?")[0] + "status/").json()

    bill = Bill.objects.get()
    assert (bill.month, bill.status, str(bill.total)) == (NOV, BillStatus.DRAFT, "3796.00")
    assert started["Location"].startswith("/staff/billing/generate/")
    html = progress.content.decode()
    assert text_of(html, "run-text") == "已生成 1 / 1"
    assert text_of(html, "run-percent") == "100 %"
    assert 'href="/staff/billing/bills/?month=2026-11" data-testid="run-bills"' in html
    assert {k: status[k] for k in ("state", "done", "total", "percent", "finished")} == {
        "state": "SUCCESS", "done": 1, "total": 1, "percent": 100, "finished": True}


def test_a_bad_month_is_shown_on_the_generate_form(client, finance):
    response = client.post("/staff/billing/generate/", {"month": "2026-13"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"month": ["请使用 YYYY-MM 格式。"]}


def test_issuing_a_draft_shows_it_issued(client, finance, bill):
    response = client.post(f"/staff/billing/bills/{bill.pk}/issue/", follow=True)

    bill.refresh_from_db()
    assert bill.status == BillStatus.ISSUED
    assert text_of(response.content.decode(), "bill-status") == "已出具"


def test_an_over_payment_is_shown_on_the_amount_and_nothing_is_saved(client, finance, issued):
    response = client.post(f"/staff/billing/bills/{issued.pk}/payments/", {
        "amount": "3796.01", "paid_on": "2026-11-25", "method": "bank_transfer",
        "reference": "HX-1"})

    assert response.status_code == 400
    assert response.context["payment_form"].errors == {
        "amount": ["超出未付金额 3796.00 / More than the 3796.00 still owed"]}
    assert Payment.objects.count() == 0
    issued.refresh_from_db()
    assert (str(issued.paid), issued.status) == ("0.00", BillStatus.ISSUED)


def test_paying_in_full_then_invoicing_shows_the_invoice_number(client, finance, issued, seller):
    paid = client.post(f"/staff/billing/bills/{issued.pk}/payments/", {
        "amount": "3796.00", "paid_on": "2026-11-25", "method": "bank_transfer"})
    response = client.post(f"/staff/billing/bills/{issued.pk}/invoice/", follow=True)

    number = f"{timezone.localdate().year}00000001"
    assert paid.status_code == 302
    assert Invoice.objects.get().number == number
    html = response.content.decode()
    assert f"<tr data-testid=\"invoice-row\"><td>{number}</td>" in html
    assert f"发票 {number} 已开具" in html
    assert text_of(html, "bill-status") == "已付清"


def test_answering_a_dispute_needs_an_answer_and_issues_the_bill_again(client, issued):
    bill_dispute(bill=issued, reason="人数不对", actor=None)
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    empty = client.post(f"/staff/billing/bills/{issued.pk}/answer/", {"answer": " "})
    answered = client.post(f"/staff/billing/bills/{issued.pk}/answer/",
                           {"answer": "已核对，人数无误"}, follow=True)

    assert empty.status_code == 400
    assert empty.context["answer_form"].errors == {"answer": ["请填写答复 / Write the answer"]}
    html = answered.content.decode()
    assert text_of(html, "bill-status") == "已出具"
    assert text_of(html, "dispute-answer") == "已核对，人数无误"


def test_roles_service_rep_reads_and_archivist_has_no_billing_pages(client, bill):
    client.force_login(UserFactory(role=Role.SERVICE_REP))
    read = client.get(f"/staff/billing/bills/{bill.pk}/")
    issue = client.post(f"/staff/billing/bills/{bill.pk}/issue/")
    generate = client.get("/staff/billing/generate/")
    client.force_login(UserFactory(role=Role.ARCHIVIST))
    archivist = client.get("/staff/billing/bills/")
    archivist_nav = client.get("/staff/").content.decode()

    assert read.status_code == 200
    assert '<a href="/staff/billing/bills/">账单</a>' in read.content.decode()
    assert '<a href="/staff/billing/bills/">' not in archivist_nav
    assert 'data-testid="issue"' not in read.content.decode()
    assert (issue.status_code, generate.status_code, archivist.status_code) == (404, 404, 404)
    bill.refresh_from_db()
    assert bill.status == BillStatus.DRAFT


def test_the_bill_detail_takes_a_bounded_number_of_queries(client, finance, two_city_client,
                                                           django_assert_max_num_queries):
    for n in range(50):
        enrol(two_city_client, "310000", name=f"员工{n}", base="10000.00")
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)

    with django_assert_max_num_queries(10):
        response = client.get(f"/staff/billing/bills/{bill.pk}/")

    assert response.content.decode().count('data-testid="bill-line"') == 50


def test_the_lines_page_through_fifty_at_a_time(client, finance, two_city_client):
    for n in range(51):
        enrol(two_city_client, "310000", name=f"员工{n}", base="10000.00")
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)

    second = client.get(f"/staff/billing/bills/{bill.pk}/", {"page": 2}).content.decode()

    assert second.count('data-testid="bill-line"') == 1
    assert "2 / 2" in second


def test_a_download_is_audited(client, finance, issued):
    response = client.get(f"/staff/billing/bills/{issued.pk}/xlsx/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{issued.number}.xlsx"'
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.target_id, event.client_id_ref, event.detail["file"]) == (
        str(issued.pk), issued.client_id, "bill_xlsx")


def test_the_invoices_page_flags_an_overdue_invoice_and_exports_the_month(client, finance,
                                                                          issued, seller):
    payment_record(bill=issued, amount=issued.total, paid_on=datetime.date(2026, 11, 2),
                   method=Payment.Method.BANK_TRANSFER, actor=None)
    issued.refresh_from_db()

    due = client.get("/staff/billing/invoices/").content.decode()
    invoice_issue(bill=issued, actor=None)
    month = f"{timezone.localdate():%Y-%m}"
    export = client.get("/staff/billing/invoices/export/", {"month": month})

    assert str(issued.invoice_due_by) == "2026-11-16"
    assert text_of(due, "overdue-count") == "1"
    assert '<span class="badge bad" data-testid="invoice-overdue">2026-11-16' in due
    assert export.status_code == 200
    assert export["Content-Disposition"] == f'attachment; filename="invoices-{month}.xlsx"'
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.detail["month"], event.detail["invoices"]) == (month, 1)


def tax_numbers_file(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["发票号(本系统)", "税务平台发票号码"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "numbers.xlsx"
    return out


def test_tax_platform_numbers_name_the_bad_row_and_save_nothing(client, finance, issued,
                                                               seller):
    payment_record(bill=issued, amount=issued.total, paid_on=PAID_ON,
                   method=Payment.Method.BANK_TRANSFER, actor=None)
    invoice = invoice_issue(bill=issued, actor=None)[0]

    refused = client.post("/staff/billing/invoices/numbers/", {"file": tax_numbers_file([
        [invoice.number, "24312000000000000001"], ["209900000099", "24312000000000000002"]])})
    recorded = client.post("/staff/billing/invoices/numbers/", {"file": tax_numbers_file([
        [invoice.number, "24312000000000000001"]])})

    assert refused.status_code == 400
    assert refused.context["upload_errors"] == [{
        "line": 2, "field": "发票号", "message": "没有发票 209900000099 / No invoice 209900000099"}]
    assert recorded.status_code == 302
    invoice.refresh_from_db()
    assert invoice.tax_platform_number == "24312000000000000001"


def test_month_totals_by_city_and_by_item(client, finance, bill):
    response = client.get("/staff/billing/totals/", {"month": "2026-11"})
    html = response.content.decode()

    items = {r["label"]: str(r["total"]) for r in response.context["items"]}
    assert items == {"养老保险": "2400.00", "医疗保险": "1100.00", "生育保险": "100.00",
                     "失业保险": "100.00", "工伤保险": "16.00"}
    assert [r["label"] for r in response.context["items"]] == [
        "养老保险", "医疗保险", "生育保险", "失业保险", "工伤保险"]
    assert '<td>上海市</td><td class="num">1</td><td class="num">3716.00</td>' in html


def test_the_calendar_warning_shows_until_both_years_have_holidays(client, finance):
    today = timezone.localdate()
    before = client.get("/staff/billing/bills/")
    for year in (today.year, today.year + 1):
        WorkdayOverride.objects.create(date=datetime.date(year, 1, 1),
                                       kind=WorkdayOverride.Kind.HOLIDAY)
    after = client.get("/staff/billing/bills/").content.decode()

    assert before.content.decode().count('data-testid="calendar-gap"') == len(
        before.context["calendar_gaps"])
    assert 'data-testid="calendar-gap"' not in after


# --- portal -----------------------------------------------------------------------------


def test_a_client_admin_confirms_an_issued_bill(client, two_city_client, issued):
    as_portal(client, two_city_client)

    listed = client.get("/portal/billing/bills/").content.decode()
    response = client.post(f"/portal/billing/bills/{issued.pk}/confirm/", follow=True)

    assert listed.count('data-testid="bill-row"') == 1
    assert "3796.00" in listed
    assert '<a href="/portal/billing/invoices/">发票</a>' in listed
    issued.refresh_from_db()
    assert issued.status == BillStatus.CONFIRMED
    assert text_of(response.content.decode(), "bill-status") == "已确认"


def test_a_dispute_without_a_reason_is_refused_on_the_field(client, two_city_client, issued):
    as_portal(client, two_city_client)

    empty = client.post(f"/portal/billing/bills/{issued.pk}/dispute/", {"reason": ""})
    disputed = client.post(f"/portal/billing/bills/{issued.pk}/dispute/",
                           {"reason": "甲已于10月离职"})

    assert empty.status_code == 400
    assert empty.context["dispute_form"].errors == {"reason": ["请说明异议原因 / Give the reason"]}
    assert disputed.status_code == 302
    issued.refresh_from_db()
    assert (issued.status, issued.dispute_reason) == (BillStatus.DISPUTED, "甲已于10月离职")


def test_a_client_viewer_reads_but_may_not_confirm(client, two_city_client, issued):
    as_portal(client, two_city_client, Role.CLIENT_VIEWER)

    page = client.get(f"/portal/billing/bills/{issued.pk}/").content.decode()
    confirm = client.post(f"/portal/billing/bills/{issued.pk}/confirm/")
    dispute = client.post(f"/portal/billing/bills/{issued.pk}/dispute/", {"reason": "x"})

    assert 'data-testid="confirm"' not in page and 'data-testid="dispute-form"' not in page
    assert (confirm.status_code, dispute.status_code) == (403, 403)
    issued.refresh_from_db()
    assert issued.status == BillStatus.ISSUED


def test_another_clients_bill_and_a_draft_answer_404(client, two_city_client, bill):
    other = other_company_bill()
    as_portal(client, two_city_client)

    foreign = [client.get(f"/portal/billing/bills/{other.pk}/"),
               client.post(f"/portal/billing/bills/{other.pk}/confirm/"),
               client.get(f"/portal/billing/bills/{other.pk}/pdf/"),
               client.get(f"/portal/billing/bills/{other.pk}/xlsx/")]
    draft = client.get(f"/portal/billing/bills/{bill.pk}/")
    listed = client.get("/portal/billing/bills/")

    assert [r.status_code for r in foreign] == [404, 404, 404, 404]
    assert draft.status_code == 404
    assert listed.context["rows"] == []
    other.refresh_from_db()
    assert other.status == BillStatus.ISSUED


def test_another_clients_invoice_answers_404(client, two_city_client, seller):
    other = other_company_bill()
    payment_record(bill=other, amount=other.total, paid_on=PAID_ON,
                   method=Payment.Method.BANK_TRANSFER, actor=None)
    invoice = invoice_issue(bill=other, actor=None)[0]
    as_portal(client, two_city_client)

    response = client.get(f"/portal/billing/invoices/{invoice.pk}/pdf/")
    listed = client.get("/portal/billing/invoices/")

    assert response.status_code == 404
    assert list(listed.context["page"].object_list) == []


def test_a_manual_adjustment_needs_a_reason_then_changes_the_drafts_total(client, finance,
                                                                          bill):
    url = f"/staff/billing/bills/{bill.pk}/adjust/"
    refused = client.post(url, {"part": "service_fee", "amount": "-80.00", "description": ""})
    assert refused.status_code == 400
    assert refused.context["adjust_form"].errors == {
        "description": ["请说明调整原因 / Give the reason"]}
    client.post(url, {"part": "service_fee", "amount": "-80.00",
                      "description": "首月服务费减免"}, follow=True)
    bill.refresh_from_db()
    assert (str(bill.service_fee), str(bill.total)) == ("0.00", "3716.00")
