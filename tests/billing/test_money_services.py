"""Money in and out: bank statements imported as receipts, matched to bills, confirmed,
undone; credit used on a bill; refunds; the client ledger.

The figures are those of `test_bills.py`: one person (甲) in Shanghai at base 10000 in
November 2026 costs 3716.00 of social insurance and an 80.00 service fee: 3796.00."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from agency.errors import DomainError, ValidationFailed
from agency.models import AuditEvent
from agency.roles import Role
from agency.viewer import Viewer
from billing.models import (
    Allocation,
    BankStatement,
    Bill,
    BillStatus,
    PayerAccount,
    Payment,
    Receipt,
    ReceiptStatus,
    Refund,
    RefundStatus,
)
from billing.money_selectors import client_ledger, credit_balance, receipt_list
from billing.money_services import (
    allocation_undo,
    credit_apply,
    receipt_confirm,
    receipts_confirm_bulk,
    refund_decide,
    refund_request,
    statement_import,
)
from billing.services import bill_confirm, bill_generate, bill_issue, invoice_issue
from clients.models import Contract
from policies.models import City
from tests.billing.conftest import NOV, enrol
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DEC = datetime.date(2026, 12, 1)
ISSUED_AT = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
STAFF = Viewer(role=Role.FINANCE, client_id=None)

ICBC_HEADER = ["交易日期", "对方户名", "对方账号", "贷方发生额", "借方发生额", "摘要", "交易流水号"]
CMB_HEADER = ["交易时间", "付款人名称", "付款人账号", "收入金额", "支出金额", "用途"]


# --- files as the banks export them -----------------------------------------------------

def workbook(header, rows, *, title=None):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append(["账号：1001234509000012345", None, "币种：人民币"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def icbc(*rows):
    """工商银行 style: a title, the account, then 交易日期 … 交易流水号."""
    return workbook(ICBC_HEADER, rows, title="中国工商银行 账户历史明细")


def cmb(*rows):
    """招商银行 style: no title, 交易时间 … 用途, no serial number."""
    return workbook(CMB_HEADER, rows)


def gbk_csv(header, *rows):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def receipt_from(amount, *, payer="", account="", reference="", serial="", on=None,
                 actor=None):
    """One receipt, imported through an ICBC file."""
    on = on or datetime.date(2026, 11, 28)
    data = icbc([on, payer, account, amount, None, reference, serial])
    statement = statement_import(data=data, file_name="icbc.xlsx", actor=actor)
    return Receipt.objects.get(statement=statement)


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture
def finance(db):
    return UserFactory(role=Role.FINANCE)


@pytest.fixture
def manager(db):
    return UserFactory(role=Role.MANAGER)


def issue(bill):
    bill = bill_issue(bill=bill, actor=None)
    Bill.objects.filter(pk=bill.pk).update(issued_at=ISSUED_AT)
    return Bill.objects.get(pk=bill.pk)


def make_nov_bill(client):
    """甲 at base 10000 in Shanghai from November: 3796.00, issued on 2026-11-20."""
    enrol(client, "310000", name="甲", base="10000.00")
    return issue(bill_generate(client=client, month=NOV, actor=None))


def make_dec_bill(client):
    """甲 again and 乙 at base 8000 from December: 3796.00 + 3052.80."""
    enrol(client, "310000", name="乙", base="8000.00", starts=DEC)
    return issue(bill_generate(client=client, month=DEC, actor=None))


@pytest.fixture
def nov_bill(two_city_client):
    return make_nov_bill(two_city_client)


@pytest.fixture
def dec_bill(two_city_client, nov_bill):
    return make_dec_bill(two_city_client)


def other_client_owing(amount_base="10000.00", name="北京远航科技有限公司"):
    other = VerifiedClientFactory(name=name)
    contract = ContractFactory(client=other, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2027, 12, 31))
    ContractPriceFactory(contract=contract, city=City.objects.get(code="310000"),
                         price_per_head=Decimal("80.00"))
    enrol(other, "310000", name="丁", base=amount_base)
    return issue(bill_generate(client=other, month=NOV, actor=None))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- statements -------------------------------------------------------------------------

def test_statements_of_two_banks_and_a_gbk_csv_import_their_credits(finance):
    icbc_file = icbc(
        [datetime.date(2026, 11, 26), "上海启明信息技术有限公司", "6222 0210 0101 2345",
         "3,796.00", None, "11月社保 B202611-000001", "ICBC20261126001"],
        [datetime.date(2026, 11, 26), "上海电力", "31001500", None, 1250.5, "电费",
         "ICBC20261126002"],
        ["合计", None, None, "3796.00", "1250.50", None, None],
    )
    cmb_file = cmb(["2026-11-27 10:23:45", "北京远航科技有限公司", "110902345610801",
                    1000, None, "服务费"])
    csv_file = gbk_csv(["记账日期", "对方名称", "对方账户", "贷方金额", "借方金额", "附言",
                        "流水号"],
                       ["2026/11/28", "深圳前海云帆物流有限公司", "755912345610801",
                        "290255.05", "", "社保款", "CCB0001"])

    first = statement_import(data=icbc_file, file_name="工行11月.xlsx", actor=finance)
    second = statement_import(data=cmb_file, file_name="招行.xlsx", actor=finance)
    third = statement_import(data=csv_file, file_name="建行.csv", actor=finance)

    assert [(s.rows, s.receipts_added, s.duplicates) for s in (first, second, third)] == [
        (2, 1, 0), (1, 1, 0), (1, 1, 0)]
    receipts = Receipt.objects.order_by("received_on")
    assert [(r.received_on, r.amount, r.payer_name, r.payer_account, r.reference, r.serial,
             r.dedupe_key[:7]) for r in receipts] == [
        (datetime.date(2026, 11, 26), Decimal("3796.00"), "上海启明信息技术有限公司",
         "6222021001012345", "11月社保 B202611-000001", "ICBC20261126001", "serial:"),
        (datetime.date(2026, 11, 27), Decimal("1000.00"), "北京远航科技有限公司",
         "110902345610801", "服务费", "", "h:" + receipts[1].dedupe_key[2:7]),
        (datetime.date(2026, 11, 28), Decimal("290255.05"), "深圳前海云帆物流有限公司",
         "755912345610801", "社保款", "CCB0001", "serial:"),
    ]
    assert len(receipts[1].dedupe_key) == 66
    assert first.uploaded_by == finance
    assert AuditEvent.objects.filter(detail__event="statement.imported").count() == 3


def test_a_utf8_csv_with_a_bom_and_excel_text_cells_imports(finance):
    data = "\ufeff交易日期,对方户名,对方账号,贷方发生额,摘要\n" \
           '20261128,杭州西溪餐饮管理有限公司,="6217000010001234567","1,200.00",货款\n'

    statement = statement_import(data=data.encode("utf-8"), file_name="x.csv", actor=finance)

    receipt = Receipt.objects.get(statement=statement)
    assert (receipt.received_on, receipt.payer_account, receipt.amount) == (
        datetime.date(2026, 11, 28), "6217000010001234567", Decimal("1200.00"))


def test_the_same_file_twice_adds_nothing_and_an_overlapping_one_only_what_is_new(finance):
    rows = [[datetime.date(2026, 11, 26), "甲公司", "1", "100.00", None, "a", "S1"],
            [datetime.date(2026, 11, 27), "乙公司", "2", "200.00", None, "b", "S2"]]
    statement_import(data=icbc(*rows), file_name="a.xlsx", actor=finance)
    no_serial = cmb(["2026-11-27", "丙公司", "3", "300.00", None, "c"])
    statement_import(data=no_serial, file_name="b.xlsx", actor=finance)

    again = statement_import(data=icbc(*rows), file_name="a.xlsx", actor=finance)
    again_cmb = statement_import(data=no_serial, file_name="b.xlsx", actor=finance)
    overlap = statement_import(data=icbc(
        rows[1], [datetime.date(2026, 11, 28), "丁公司", "4", "400.00", None, "d", "S3"]),
        file_name="c.xlsx", actor=finance)

    assert (again.rows, again.receipts_added, again.duplicates) == (2, 0, 2)
    assert (again_cmb.receipts_added, again_cmb.duplicates) == (0, 1)
    assert (overlap.receipts_added, overlap.duplicates) == (1, 1)
    assert sorted(Receipt.objects.values_list("amount", flat=True)) == [
        Decimal("100.00"), Decimal("200.00"), Decimal("300.00"), Decimal("400.00")]


def test_a_bad_row_names_the_row_and_the_field_and_saves_nothing(finance):
    data = icbc([datetime.date(2026, 11, 26), "甲", "1", "100.00", None, "a", "S1"],
                ["2026-11-31", "乙", "2", "200.00", None, "b", "S2"],
                [datetime.date(2026, 11, 27), "丙", "3", "三百元", None, "c", "S3"])

    with pytest.raises(ValidationFailed) as caught:
        statement_import(data=data, file_name="bad.xlsx", actor=finance)

    assert [(d.line, d.field, d.code) for d in caught.value.details] == [
        (2, "date", "date_invalid"), (3, "credit", "amount_invalid")]
    assert caught.value.details[0].message == (
        "第 2 行 交易日期“2026-11-31”不是有效日期（如 2026-11-28、2026/11/28、20261128） / "
        "Row 2: the date \"2026-11-31\" is not a date (e.g. 2026-11-28, 2026/11/28, 20261128)")
    assert (BankStatement.objects.count(), Receipt.objects.count()) == (0, 0)


def test_an_unrecognised_header_names_the_headers_found_and_the_fields_missing(finance):
    data = workbook(["Datum", "Betrag", "Verwendungszweck"], [["2026-11-26", "1", "x"]])

    with pytest.raises(DomainError) as caught:
        statement_import(data=data, file_name="de.xlsx", actor=finance)

    assert caught.value.code == "header_not_found"
    assert caught.value.message.startswith(
        "无法识别流水的表头：找到的列为 Datum、Betrag、Verwendungszweck；缺少 交易日期、贷方发生额")


def test_only_staff_who_handle_money_import(db):
    with pytest.raises(DomainError) as caught:
        statement_import(data=cmb(["2026-11-27", "丙", "3", "300.00", None, "c"]),
                         file_name="b.xlsx", actor=UserFactory(role=Role.SERVICE_REP))

    assert (caught.value.code, caught.value.status) == ("permission_denied", 403)


# --- matching ---------------------------------------------------------------------------

def test_a_receipt_quoting_the_bill_number_is_proposed_for_that_bill(finance, nov_bill):
    receipt = receipt_from("3796.00", payer="张三", reference=f"付{nov_bill.number}社保",
                           serial="S1", actor=finance)

    assert nov_bill.total == Decimal("3796.00")
    assert receipt.status == ReceiptStatus.PROPOSED
    assert receipt.proposal == {"client": nov_bill.client_id,
                                "bills": [[str(nov_bill.pk), "3796.00"]], "credit": "0.00",
                                "rule": "bill_number"}

    receipt_confirm(receipt=receipt, actor=finance)

    bill, receipt = fresh(nov_bill), fresh(receipt)
    assert (bill.status, bill.paid, bill.paid_on) == (
        BillStatus.PAID, Decimal("3796.00"), datetime.date(2026, 11, 28))
    assert (receipt.status, receipt.client_id, receipt.allocated) == (
        ReceiptStatus.MATCHED, bill.client_id, Decimal("3796.00"))
    payment = Payment.objects.get(bill=bill)
    assert (payment.amount, payment.method, payment.reference, payment.recorded_by) == (
        Decimal("3796.00"), "bank_transfer", "S1", finance)
    assert list(Allocation.objects.values_list("bill_id", "payment_id", "amount",
                                               "confirmed_by")) == [
        (bill.pk, payment.pk, Decimal("3796.00"), finance.pk)]
    event = AuditEvent.objects.get(detail__event="receipt.confirmed")
    assert (event.actor, event.action, event.target_id, event.client_id_ref) == (
        finance, "other", str(receipt.pk), bill.client_id)
    assert event.detail["bills"] == [[bill.pk, "3796.00"]]
    # the payer is remembered: its next payment matches by name
    assert list(PayerAccount.objects.values_list("client_id", "name", "account")) == [
        (bill.client_id, "张三", "")]


def test_a_receipt_from_an_account_the_client_pays_from_is_matched_to_it(finance, nov_bill):
    PayerAccount.objects.create(client=nov_bill.client, name="启明集团财务有限公司",
                                account="6222000011112222")

    receipt = receipt_from("3796.00", payer="启明集团", account="6222 0000 1111 2222",
                           reference="转账", actor=finance)

    assert receipt.proposal == {"client": nov_bill.client_id,
                                "bills": [[str(nov_bill.pk), "3796.00"]], "credit": "0.00",
                                "rule": "payer_account"}


def test_a_confirmed_receipt_teaches_the_payers_account_for_next_month(finance, nov_bill,
                                                                       dec_bill):
    first = receipt_from("3796.00", payer="王会计", account="6217001", reference="社保",
                         serial="S1", actor=finance)
    assert first.proposal == {"client": nov_bill.client_id,
                              "bills": [[str(nov_bill.pk), "3796.00"]], "credit": "0.00",
                              "rule": "amount"}
    receipt_confirm(receipt=first, actor=finance)

    second = receipt_from(str(dec_bill.total), payer="王会计(代发)", account="6217001",
                          serial="S2", on=datetime.date(2026, 11, 30), actor=finance)

    assert list(PayerAccount.objects.values_list("name", "account")) == [
        ("王会计", "6217001")]
    assert second.proposal == {"client": nov_bill.client_id,
                               "bills": [[str(dec_bill.pk), "6848.80"]], "credit": "0.00",
                               "rule": "payer_account"}


def test_one_receipt_pays_two_bills_exactly(finance, nov_bill, dec_bill):
    assert (nov_bill.total, dec_bill.total) == (Decimal("3796.00"), Decimal("6848.80"))

    receipt = receipt_from("10644.80", payer="上海启明信息技术有限公司", actor=finance)

    assert receipt.proposal == {
        "client": nov_bill.client_id, "bills": [[str(nov_bill.pk), "3796.00"],
                                                [str(dec_bill.pk), "6848.80"]],
        "credit": "0.00", "rule": "payer_name"}
    receipt_confirm(receipt=receipt, actor=finance)
    assert [(b.status, b.paid) for b in (fresh(nov_bill), fresh(dec_bill))] == [
        (BillStatus.PAID, Decimal("3796.00")), (BillStatus.PAID, Decimal("6848.80"))]
    assert credit_balance(nov_bill.client) == Decimal("0.00")


def test_one_bill_takes_two_receipts(finance, nov_bill):
    data = icbc([datetime.date(2026, 11, 26), "张三", "", "1000.00", None,
                 nov_bill.number, "S1"],
                [datetime.date(2026, 11, 27), "张三", "", "2796.00", None,
                 nov_bill.number, "S2"])
    statement = statement_import(data=data, file_name="a.xlsx", actor=finance)
    receipts = list(Receipt.objects.filter(statement=statement).order_by("received_on"))

    assert [r.proposal["bills"] for r in receipts] == [[[str(nov_bill.pk), "1000.00"]],
                                                       [[str(nov_bill.pk), "2796.00"]]]
    result = receipts_confirm_bulk(receipts=receipts, actor=finance)

    assert (len(result.confirmed), result.failed) == (2, [])
    assert (fresh(nov_bill).status, fresh(nov_bill).paid) == (BillStatus.PAID,
                                                              Decimal("3796.00"))


def test_a_bill_proposed_for_one_receipt_is_not_proposed_again_for_the_next(finance,
                                                                          nov_bill):
    first = receipt_from("3796.00", payer="上海启明信息技术有限公司", serial="S1",
                         actor=finance)
    second = receipt_from("3796.00", payer="上海启明信息技术有限公司", serial="S2",
                          on=datetime.date(2026, 11, 29), actor=finance)

    assert first.proposal["bills"] == [[str(nov_bill.pk), "3796.00"]]
    assert second.proposal == {"client": nov_bill.client_id, "bills": [], "credit": "3796.00",
                               "rule": "payer_name"}


def test_an_over_payment_leaves_a_credit_on_the_clients_account(finance, nov_bill):
    receipt = receipt_from("5000.00", payer="张三", reference=nov_bill.number, serial="S1",
                           actor=finance)

    assert receipt.proposal["bills"] == [[str(nov_bill.pk), "3796.00"]]
    assert receipt.proposal["credit"] == "1204.00"
    receipt_confirm(receipt=receipt, actor=finance)

    client = nov_bill.client
    assert list(Allocation.objects.filter(bill__isnull=True).values_list(
        "receipt_id", "amount", "from_credit")) == [(receipt.pk, Decimal("1204.00"), False)]
    assert credit_balance(client) == Decimal("1204.00")
    ledger = client_ledger(viewer=STAFF, client=client)
    assert [(e.date, e.kind, e.reference, e.amount, e.balance) for e in ledger.entries] == [
        (datetime.date(2026, 11, 20), "bill", nov_bill.number, Decimal("3796.00"),
         Decimal("3796.00")),
        (datetime.date(2026, 11, 28), "receipt", "S1", Decimal("-3796.00"), Decimal("0.00")),
        (datetime.date(2026, 11, 28), "credit", "S1", Decimal("-1204.00"),
         Decimal("-1204.00")),
    ]
    assert ledger.balance == Decimal("-1204.00")


def test_a_receipt_matching_nothing_waits_in_the_queue(finance, nov_bill):
    receipt = receipt_from("123.45", payer="王五", reference="货款", actor=finance)

    assert (receipt.status, receipt.proposal) == (ReceiptStatus.UNMATCHED, {"candidates": []})
    queue = receipt_list(viewer=STAFF, statuses=(ReceiptStatus.UNMATCHED,
                                                 ReceiptStatus.PROPOSED))
    assert list(queue) == [receipt]


def test_an_unknown_payer_of_an_amount_two_clients_owe_gets_both_as_candidates(finance,
                                                                              nov_bill):
    other = other_client_owing()

    receipt = receipt_from("3796.00", payer="上海启明信息", reference="社保款", actor=finance)

    assert receipt.status == ReceiptStatus.UNMATCHED
    assert receipt.proposal == {"candidates": [
        {"client": nov_bill.client_id, "name": "上海启明信息技术有限公司", "reason": "amount",
         "bills": [[str(nov_bill.pk), "3796.00"]]},
        {"client": other.client_id, "name": "北京远航科技有限公司", "reason": "amount",
         "bills": [[str(other.pk), "3796.00"]]},
    ]}


def test_confirming_for_another_client_allocates_to_its_bills(finance, nov_bill):
    other = other_client_owing()
    receipt = receipt_from("4000.00", payer="王五", actor=finance)

    receipt_confirm(receipt=receipt, client=other.client, actor=finance)

    assert (fresh(other).paid, fresh(nov_bill).paid) == (Decimal("3796.00"),
                                                         Decimal("0.00"))
    assert credit_balance(other.client) == Decimal("204.00")


def test_a_split_typed_by_hand_pays_the_parts_and_keeps_the_rest_as_credit(finance, nov_bill,
                                                                           dec_bill):
    receipt = receipt_from("5000.00", payer="王五", actor=finance)

    receipt_confirm(receipt=receipt, client=nov_bill.client, actor=finance, allocations=[
        (nov_bill, Decimal("1000.00")), (dec_bill, Decimal("3000.00"))])

    assert (fresh(nov_bill).paid, fresh(dec_bill).paid) == (Decimal("1000.00"),
                                                            Decimal("3000.00"))
    assert credit_balance(nov_bill.client) == Decimal("1000.00")
    with pytest.raises(ValidationFailed) as caught:
        receipt_confirm(receipt=receipt_from("10.00", payer="x", serial="S9", actor=finance),
                        client=nov_bill.client, actor=finance,
                        allocations=[(nov_bill, Decimal("20.00"))])
    assert [(d.field, d.code) for d in caught.value.details] == [("amount", "over_allocated")]


# --- undo -------------------------------------------------------------------------------

def test_a_manager_undoes_a_confirmation_and_the_bill_is_owed_again(finance, manager,
                                                                    nov_bill):
    bill_confirm(bill=nov_bill, actor=None)
    receipt = receipt_from("3796.00", payer="张三", reference=nov_bill.number, serial="S1",
                           actor=finance)
    receipt_confirm(receipt=receipt, actor=finance)
    assert fresh(nov_bill).status == BillStatus.PAID

    allocation_undo(receipt=receipt, reason="客户说是另一家公司的款", actor=manager)

    bill, receipt = fresh(nov_bill), fresh(receipt)
    assert (bill.status, bill.paid, bill.outstanding, bill.paid_on, bill.invoice_due_by) == (
        BillStatus.CONFIRMED, Decimal("0.00"), Decimal("3796.00"), None, None)
    assert Payment.objects.count() == 0
    allocation = Allocation.objects.get()
    assert (allocation.undone_by, allocation.undo_reason, allocation.payment) == (
        manager, "客户说是另一家公司的款", None)
    assert (receipt.status, receipt.client, receipt.allocated) == (
        ReceiptStatus.UNMATCHED, None, Decimal("0.00"))
    assert receipt.proposal == {"undone": True, "candidates": [
        {"client": bill.client_id, "name": "上海启明信息技术有限公司", "reason": "bill_number",
         "bills": [[str(bill.pk), "3796.00"]]}]}
    assert PayerAccount.objects.count() == 0  # the payer it taught is forgotten
    assert AuditEvent.objects.get(detail__event="receipt.undone").detail["reason"] == (
        "客户说是另一家公司的款")
    assert client_ledger(viewer=STAFF, client=bill.client).balance == Decimal("3796.00")


def test_undo_needs_a_manager_and_a_reason(finance, manager, nov_bill):
    receipt = receipt_from("3796.00", payer="张三", reference=nov_bill.number, actor=finance)
    receipt_confirm(receipt=receipt, actor=finance)

    with pytest.raises(DomainError) as by_finance:
        allocation_undo(receipt=receipt, reason="错了", actor=finance)
    with pytest.raises(ValidationFailed) as without_reason:
        allocation_undo(receipt=receipt, reason="  ", actor=manager)

    assert (by_finance.value.code, by_finance.value.status) == ("permission_denied", 403)
    assert [(d.field, d.code) for d in without_reason.value.details] == [("reason",
                                                                          "required")]
    assert fresh(receipt).status == ReceiptStatus.MATCHED


def test_undo_is_refused_once_the_bill_is_invoiced(finance, manager, nov_bill, seller):
    receipt = receipt_from("3796.00", payer="张三", reference=nov_bill.number, actor=finance)
    receipt_confirm(receipt=receipt, actor=finance)
    invoice_issue(bill=nov_bill, actor=finance)

    with pytest.raises(DomainError) as caught:
        allocation_undo(receipt=receipt, reason="错了", actor=manager)

    assert (caught.value.code, caught.value.status) == ("bill_invoiced", 409)
    assert fresh(nov_bill).status == BillStatus.PAID


# --- credit and refunds -----------------------------------------------------------------

@pytest.fixture
def credit_1204(finance, nov_bill):
    receipt = receipt_from("5000.00", payer="张三", reference=nov_bill.number, serial="S1",
                           actor=finance)
    return receipt_confirm(receipt=receipt, actor=finance)


def test_credit_pays_part_of_the_next_bill_and_is_not_listed_twice(finance, credit_1204,
                                                                   dec_bill):
    credit_apply(client=dec_bill.client, bill=dec_bill, amount=Decimal("1000.00"),
                 actor=finance)

    assert fresh(dec_bill).paid == Decimal("1000.00")
    payment = Payment.objects.get(bill=dec_bill)
    assert (payment.method, payment.reference) == ("other", "余额抵扣")
    assert credit_balance(dec_bill.client) == Decimal("204.00")
    ledger = client_ledger(viewer=STAFF, client=dec_bill.client)
    assert [(e.kind, e.amount, e.balance) for e in ledger.entries] == [
        ("bill", Decimal("3796.00"), Decimal("3796.00")),
        ("bill", Decimal("6848.80"), Decimal("10644.80")),
        ("receipt", Decimal("-3796.00"), Decimal("6848.80")),
        ("credit", Decimal("-1204.00"), Decimal("5644.80")),
    ]
    with pytest.raises(ValidationFailed) as caught:
        credit_apply(client=dec_bill.client, bill=dec_bill, amount=Decimal("204.01"),
                     actor=finance)
    assert [(d.field, d.code) for d in caught.value.details] == [("amount", "amount_invalid")]


def test_a_refund_needs_a_manager_and_fits_in_the_credit(finance, manager, credit_1204):
    client = credit_1204.client

    with pytest.raises(ValidationFailed) as too_much:
        refund_request(client=client, amount=Decimal("1204.01"), reason="多付", actor=finance)
    refund = refund_request(client=client, amount=Decimal("1204.00"), reason="多付退回",
                            actor=finance)
    with pytest.raises(DomainError) as by_finance:
        refund_decide(refund=refund, approve=True, actor=finance)
    assert credit_balance(client) == Decimal("1204.00")  # not refunded until approved

    refund_decide(refund=refund, approve=True, actor=manager)

    assert [(d.field, d.code) for d in too_much.value.details] == [("amount", "above_credit")]
    assert (by_finance.value.code, by_finance.value.status) == ("permission_denied", 403)
    refund = fresh(refund)
    assert (refund.status, refund.decided_by) == (RefundStatus.APPROVED, manager)
    assert credit_balance(client) == Decimal("0.00")
    ledger = client_ledger(viewer=STAFF, client=client)
    today = timezone.localdate()
    assert [(e.date, e.kind, e.reference, e.amount, e.balance) for e in ledger.entries][-1:] == [
        (today, "refund", "多付退回", Decimal("1204.00"), Decimal("0.00"))]
    assert ledger.balance == Decimal("0.00")


def test_a_manager_does_not_approve_the_refund_they_asked_for(manager, credit_1204):
    refund = refund_request(client=credit_1204.client, amount=Decimal("100.00"),
                            reason="退回", actor=manager)

    with pytest.raises(DomainError) as caught:
        refund_decide(refund=refund, approve=True, actor=manager)
    refund_decide(refund=refund, approve=False, actor=UserFactory(role=Role.ADMIN))

    assert caught.value.code == "own_refund"
    assert fresh(refund).status == RefundStatus.REJECTED
    assert Refund.objects.count() == 1


def test_undo_is_refused_when_the_credit_it_left_is_used(finance, manager, credit_1204,
                                                         dec_bill):
    credit_apply(client=dec_bill.client, bill=dec_bill, amount=Decimal("1000.00"),
                 actor=finance)

    with pytest.raises(DomainError) as caught:
        allocation_undo(receipt=credit_1204, reason="错了", actor=manager)

    assert (caught.value.code, caught.value.status) == ("credit_used", 409)
