"""Demo money in and out: today's bank statement (工商银行's layout) whose receipts pay
the demo bills `billing.demo` issued for last month (issued today too, so the receipts
follow them on the ledgers), so a new user sees the money pages filled:

- 北京华泰 pays the rest of its bill quoting the bill number in 摘要: confirmed;
- 深圳前海云帆 pays through its group's supply-chain company, an account it is known to
  pay from (a `PayerAccount`): proposed, waiting in the queue to be confirmed;
- 上海启明 (its bill already paid) pays in advance: confirmed as a credit on its account,
  with part of it asked back as a refund a manager has to decide;
- a payer nobody knows: unmatched, in the queue;
- and a bank charge (a debit: read, not a receipt).

Idempotent: nothing is done once a demo statement exists. `billing.demo` calls `seed`
after the bills are seeded."""

import datetime
import io
from decimal import Decimal

from openpyxl import Workbook

from agency.deadlines import add_months, month_start
from agency.models import User
from billing.models import BankStatement, Bill, BillStatus, PayerAccount, Receipt
from billing.money_services import receipt_confirm, refund_request, statement_import
from clients.models import Client

DEMO_PREFIX = "演示-工商银行流水-"
HEADER = ["交易日期", "对方户名", "对方账号", "贷方发生额", "借方发生额", "摘要", "交易流水号"]
HUATAI = "北京华泰精密制造有限公司"
YUNFAN = "深圳前海云帆物流有限公司"
QIMING = "上海启明信息技术有限公司"
YUNFAN_PAYER = ("前海云帆供应链管理有限公司", "755912345610801")


def _bill(name: str, month: datetime.date) -> Bill | None:
    return (Bill.objects.filter(client__name=name, month=month)
            .exclude(status__in=[BillStatus.DRAFT, BillStatus.VOID]).first())


def _rows(today: datetime.date, month: datetime.date) -> list[list[object]]:
    serial = f"DEMO{today:%Y%m}"
    rows: list[list[object]] = []
    huatai, yunfan = _bill(HUATAI, month), _bill(YUNFAN, month)
    if huatai is not None and huatai.outstanding > 0:
        rows.append([today, HUATAI, "0200001234567890123", huatai.outstanding, None,
                     f"支付{huatai.number}社保及服务费余款", f"{serial}0001"])
    if yunfan is not None and yunfan.outstanding > 0:
        rows.append([today, YUNFAN_PAYER[0], YUNFAN_PAYER[1], yunfan.outstanding,
                     None, "代付社保款", f"{serial}0002"])
    rows.append([today, QIMING, "31050161393600001234", Decimal("20000.00"), None,
                 "预付服务费", f"{serial}0003"])
    rows.append([today, "王建国", "6217000010012345678", Decimal("3500.00"), None,
                 "转账", f"{serial}0004"])
    rows.append([today, "", "", None, Decimal("25.00"), "汇划手续费",
                 f"{serial}0005"])
    return rows


def _workbook(today: datetime.date, rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.append([f"中国工商银行 账户历史明细 {today:%Y-%m}"])
    sheet.append(["账号：1001 2000 0900 0012 345", None, None, "币种：人民币"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def seed(today: datetime.date) -> None:
    if BankStatement.objects.filter(file_name__startswith=DEMO_PREFIX).exists():
        return
    month = add_months(month_start(today), -1)
    finance = User.objects.filter(username="finance").first()
    yunfan = Client.objects.filter(name=YUNFAN).first()
    if yunfan is not None:
        PayerAccount.objects.get_or_create(name=YUNFAN_PAYER[0], account=YUNFAN_PAYER[1],
                                           defaults={"client": yunfan})
    statement = statement_import(data=_workbook(today, _rows(today, month)),
                                 file_name=f"{DEMO_PREFIX}{today:%Y%m}.xlsx", actor=finance)
    receipts = {r.payer_name: r for r in Receipt.objects.filter(statement=statement)}
    for payer in (HUATAI, QIMING):
        if payer in receipts and receipts[payer].proposal.get("client"):
            receipt_confirm(receipt=receipts[payer], actor=finance)
    qiming = Client.objects.filter(name=QIMING).first()
    if qiming is not None and QIMING in receipts:
        refund_request(client=qiming, amount=Decimal("5000.00"),
                       reason="客户要求退回部分预付款", actor=finance)
