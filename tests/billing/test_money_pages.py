"""The money pages: bank statements, the match queue, a receipt, client ledgers, refunds
(staff) and the client's ledger (portal).

One person (甲) in Shanghai at base 10000 in November 2026: a 3796.00 bill."""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from billing.models import BankStatement, BillStatus, Receipt, ReceiptStatus, Refund, RefundStatus
from billing.money_services import receipt_confirm, refund_request
from tests.billing.test_money_services import (
    fresh,
    icbc,
    make_dec_bill,
    make_nov_bill,
    other_client_owing,
    receipt_from,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def nov_bill(two_city_client):
    return make_nov_bill(two_city_client)


@pytest.fixture
def dec_bill(two_city_client, nov_bill):
    return make_dec_bill(two_city_client)


def login(client, role, company=None):
    user = UserFactory(role=role, client=company)
    client.force_login(user)
    return user


@pytest.fixture
def finance(client):
    return login(client, Role.FINANCE)


def cells(html, testid):
    """The text of each cell of the rows marked `testid`, tags removed."""
    rows = re.findall(rf'<tr data-testid="{testid}">(.*?)</tr>', html, re.S)
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


# --- statements -------------------------------------------------------------------------

def test_a_statement_uploaded_on_the_page_is_listed_with_its_counts(client, finance, nov_bill):
    data = icbc([datetime.date(2026, 11, 26), "张三", "", "3796.00", None, nov_bill.number,
                 "S1"],
                [datetime.date(2026, 11, 27), "王五", "", "100.00", None, "货款", "S2"],
                [datetime.date(2026, 11, 27), "电力公司", "", None, "50.00", "电费", "S3"])

    response = client.post("/staff/billing/statements/", {
        "file": SimpleUploadedFile("工行.xlsx", data)})
    listing = client.get("/staff/billing/statements/")

    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"/staff/billing/receipts/?status=all&statement={statement.pk}")
    assert cells(listing.content.decode(), "statement-row") == [
        [f"工行.xlsx {statement.uploaded_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} · "
         f"{finance.display_name}", "3", "2", "0", "0", "1", "1"]]


def test_a_bad_row_is_shown_with_its_row_and_field_and_nothing_is_saved(client, finance):
    data = icbc([datetime.date(2026, 11, 26), "张三", "", "100.00", None, "a", "S1"],
                ["26号", "王五", "", "100.00", None, "b", "S2"])

    response = client.post("/staff/billing/statements/", {
        "file": SimpleUploadedFile("bad.xlsx", data)})

    assert response.status_code == 400
    errors = response.context["upload_errors"]
    assert [(e["line"], e["field"], e["message"][:21]) for e in errors] == [
        (2, "日期", "第 2 行 交易日期“26号”不是有效日期")]
    assert BankStatement.objects.count() == 0


def test_a_service_rep_reads_the_statements_but_does_not_upload(client):
    login(client, Role.SERVICE_REP)

    page = client.get("/staff/billing/statements/")
    upload = client.post("/staff/billing/statements/", {
        "file": SimpleUploadedFile("a.csv", "交易日期,贷方发生额\n2026-11-26,1\n".encode())})

    assert page.status_code == 200
    assert 'data-testid="statement-form"' not in page.content.decode()
    assert upload.status_code == 403
    assert Receipt.objects.count() == 0


def test_an_archivist_has_no_money_page(client):
    login(client, Role.ARCHIVIST)

    assert [client.get(url).status_code for url in (
        "/staff/billing/receipts/", "/staff/billing/statements/", "/staff/billing/ledgers/",
        "/staff/billing/refunds/")] == [404, 404, 404, 404]


# --- the queue --------------------------------------------------------------------------

def test_the_queue_shows_proposals_and_candidates(client, finance, nov_bill):
    other = other_client_owing()
    receipt_from("3796.00", payer="张三", reference=f"付{nov_bill.number}", serial="S1")
    # 启明's bill is held by the receipt above: the only bill owing 3796.00 is 远航's
    receipt_from("3796.00", payer="不认识的人", serial="S2")
    receipt_from("50.00", payer="上海启明信息", serial="S3")
    receipt_from("12.34", payer="王五", serial="S4")

    html = client.get("/staff/billing/receipts/").content.decode()

    assert cells(html, "receipt-row") == [
        ["12.34 2026-11-28", "王五", "— S4", "未认款", "未找到客户：请选择客户。", "查看并确认"],
        ["50.00 2026-11-28", "上海启明信息", "— S3", "未认款",
         "可能的客户： 上海启明信息技术有限公司 · 名称相近", "查看并确认"],
        ["3796.00 2026-11-28", "不认识的人", "— S2", "已建议匹配",
         f"北京远航科技有限公司 金额与应收一致 {other.number} · 3796.00", "查看并确认"],
        ["3796.00 2026-11-28", "张三", f"付{nov_bill.number} S1", "已建议匹配",
         f"上海启明信息技术有限公司 摘要中的账单号 {nov_bill.number} · 3796.00", "查看并确认"],
    ]


def test_the_queue_page_reads_a_fixed_number_of_queries(client, finance, nov_bill,
                                                        django_assert_max_num_queries):
    receipt_from("3796.00", payer="张三", reference=nov_bill.number, serial="S1")
    with django_assert_max_num_queries(14):
        few = client.get("/staff/billing/receipts/?status=all")
    for n in range(2, 12):
        receipt = receipt_from(f"{n}.00", payer=f"付款人{n}", serial=f"S{n}")
        if n % 2:
            receipt_confirm(receipt=receipt, client=nov_bill.client, actor=None)

    with django_assert_max_num_queries(14):
        many = client.get("/staff/billing/receipts/?status=all")

    assert (few.content.decode().count('data-testid="receipt-row"'),
            many.content.decode().count('data-testid="receipt-row"')) == (1, 11)


def test_ticked_proposals_are_confirmed_in_bulk(client, finance, nov_bill, dec_bill):
    first = receipt_from("3796.00", payer="张三", reference=nov_bill.number, serial="S1")
    second = receipt_from("6848.80", payer="张三", reference=dec_bill.number, serial="S2")

    response = client.post("/staff/billing/receipts/confirm/", {"receipt": [first.pk]})
    every = client.post("/staff/billing/receipts/confirm/", {
        "all": "1", "shown": [first.pk, second.pk]})

    assert (response.status_code, every.status_code) == (302, 302)
    assert [fresh(r).status for r in (first, second)] == [ReceiptStatus.MATCHED] * 2
    assert [fresh(b).status for b in (nov_bill, dec_bill)] == [BillStatus.PAID] * 2


def test_a_receipt_is_confirmed_for_another_client_with_a_split(client, finance, nov_bill,
                                                                dec_bill):
    receipt = receipt_from("5000.00", payer="王五", serial="S1")
    url = f"/staff/billing/receipts/{receipt.pk}/"

    page = client.get(url, {"client": nov_bill.client_id})
    form = page.context["split_form"]
    response = client.post(url + "confirm/", {
        "client": nov_bill.client_id, f"bill_{nov_bill.pk}": "1000.00",
        f"bill_{dec_bill.pk}": "3000.00"})

    # filled with the matcher's rules: the oldest bill, then the next
    assert {k: str(v) for k, v in form.initial.items() if k != "client"} == {
        f"bill_{nov_bill.pk}": "3796.00", f"bill_{dec_bill.pk}": "1204.00"}
    assert response.status_code == 302
    assert (fresh(nov_bill).paid, fresh(dec_bill).paid) == (Decimal("1000.00"),
                                                            Decimal("3000.00"))
    assert fresh(receipt).client_id == nov_bill.client_id


def test_a_split_above_the_receipt_is_refused_on_the_page(client, finance, nov_bill):
    receipt = receipt_from("100.00", payer="王五", serial="S1")

    response = client.post(f"/staff/billing/receipts/{receipt.pk}/confirm/", {
        "client": nov_bill.client_id, f"bill_{nov_bill.pk}": "200.00"})

    assert response.status_code == 400
    assert response.context["split_form"].non_field_errors() == [
        "分配合计 200.00 超过到账金额 100.00 / The parts (200.00) are more than the receipt "
        "(100.00)"]
    assert fresh(receipt).status == ReceiptStatus.UNMATCHED


def test_undo_on_the_page_takes_a_manager_and_a_reason(client, nov_bill):
    receipt = receipt_from("3796.00", payer="张三", reference=nov_bill.number, serial="S1")
    receipt_confirm(receipt=receipt, actor=None)
    url = f"/staff/billing/receipts/{receipt.pk}/undo/"

    login(client, Role.FINANCE)
    by_finance = client.post(url, {"reason": "错了"})
    login(client, Role.MANAGER)
    page = client.get(f"/staff/billing/receipts/{receipt.pk}/")
    without_reason = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "付款人是别家公司"})

    assert by_finance.status_code == 403
    assert 'data-testid="undo-form"' in page.content.decode()
    assert without_reason.status_code == 400
    assert without_reason.context["undo_form"].errors == {
        "reason": ["请说明撤销原因 / Give the reason"]}
    assert done.status_code == 302
    assert (fresh(nov_bill).status, fresh(nov_bill).outstanding) == (BillStatus.ISSUED,
                                                                     Decimal("3796.00"))
    assert fresh(receipt).status == ReceiptStatus.UNMATCHED


# --- ledgers and refunds ----------------------------------------------------------------

@pytest.fixture
def overpaid(nov_bill):
    """5000.00 received for the 3796.00 bill: 1204.00 of credit."""
    receipt = receipt_from("5000.00", payer="张三", reference=nov_bill.number, serial="S1")
    return receipt_confirm(receipt=receipt, actor=None)


def test_the_ledger_page_shows_the_entries_newest_first(client, finance, nov_bill, overpaid):
    ledgers = client.get("/staff/billing/ledgers/").content.decode()
    page = client.get(f"/staff/billing/ledgers/{nov_bill.client_id}/").content.decode()

    assert cells(ledgers, "ledger-client-row") == [
        ["上海启明信息技术有限公司", "3796.00", "5000.00", "—", "-1204.00", "1204.00"]]
    assert cells(page, "ledger-row") == [
        ["转为预收余额 2026-11-28", "-1204.00", "-1204.00", "S1"],
        ["到账 2026-11-28", "-3796.00", "0.00", "S1"],
        ["账单 2026-11-20", "3796.00", "3796.00", nov_bill.number],
    ]
    assert 'data-testid="refund-form"' in page


def test_credit_is_used_on_a_bill_from_the_ledger(client, finance, overpaid, dec_bill):
    response = client.post(f"/staff/billing/ledgers/{dec_bill.client_id}/credit/", {
        "bill": dec_bill.pk, "amount": "1204.00"})

    assert response.status_code == 302
    assert fresh(dec_bill).paid == Decimal("1204.00")


def test_a_refund_is_asked_by_finance_and_decided_by_another_manager(client, nov_bill,
                                                                     overpaid):
    url = f"/staff/billing/ledgers/{nov_bill.client_id}/refund/"
    login(client, Role.FINANCE)
    too_much = client.post(url, {"amount": "2000.00", "reason": "退回"})
    asked = client.post(url, {"amount": "1204.00", "reason": "退回多付款"})
    refund = Refund.objects.get()
    by_finance = client.post(f"/staff/billing/refunds/{refund.pk}/decide/",
                             {"decision": "approve"})
    login(client, Role.MANAGER)
    listing = client.get("/staff/billing/refunds/").content.decode()
    approved = client.post(f"/staff/billing/refunds/{refund.pk}/decide/",
                           {"decision": "approve"})

    assert too_much.status_code == 400
    assert too_much.context["refund_form"].errors == {
        "amount": ["超出可退余额 1204.00 / More than the 1204.00 of credit available"]}
    assert asked.status_code == 302
    assert by_finance.status_code == 403
    assert 'data-testid="approve"' in listing
    assert approved.status_code == 302
    assert fresh(refund).status == RefundStatus.APPROVED


# --- portal -----------------------------------------------------------------------------

def test_the_portal_ledger_shows_the_clients_own_entries_only(client, nov_bill, overpaid):
    other = other_client_owing()
    stranger = receipt_from("3796.00", payer="李四", reference=other.number, serial="S9")
    receipt_confirm(receipt=stranger, actor=None)
    login(client, Role.CLIENT_VIEWER, company=nov_bill.client)

    html = client.get("/portal/billing/ledger/").content.decode()

    assert cells(html, "ledger-row") == [
        ["转为预收余额 2026-11-28", "-1204.00", "-1204.00", "S1"],
        ["到账 2026-11-28", "-3796.00", "0.00", "S1"],
        ["账单 2026-11-20", "3796.00", "3796.00", nov_bill.number],
    ]
    assert [c[0] for c in cells(html, "client-receipt-row")] == ["5000.00 2026-11-28"]
    assert other.number not in html and "李四" not in html
    assert client.get(f"/staff/billing/ledgers/{other.client_id}/").status_code == 404


def test_a_refund_request_shows_on_the_ledger_figures(client, finance, nov_bill, overpaid):
    refund_request(client=nov_bill.client, amount=Decimal("200.00"), reason="退回",
                   actor=finance)

    html = client.get(f"/staff/billing/ledgers/{nov_bill.client_id}/").content.decode()

    assert "其中 200.00 已申请退费，待审批" in html
