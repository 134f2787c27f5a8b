"""Billing's documents read back as people and the tax platform read them: the bill and
invoice PDFs (pdftotext, pdffonts), the bill workbook and the tax platform's sheets
(openpyxl). Figures: 甲 in Shanghai at base 10000 with housing fund (see test_bills.py)."""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.errors import ValidationFailed
from agency.models import Licence
from billing.documents import (
    bill_pdf,
    bill_xlsx,
    invoice_pdf,
    invoices_tax_export,
    tax_numbers_read,
)
from billing.models import Bill, Invoice, InvoiceKind, InvoiceTitle
from billing.services import (
    bill_generate,
    bill_issue,
    invoice_issue,
    invoice_record_numbers,
    payment_record,
)
from enrollment.persons.services import person_id_number
from policies.models import City
from tests.billing.conftest import NOV, enrol
from tests.pdf_utils import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db
LICENCE = "（沪）人服证字〔2024〕第0101000123号"
FORMULA_NAME = "=cmd|' /C calc'!A0"


def issued(client):
    return bill_issue(bill=bill_generate(client=client, month=NOV, actor=None), actor=None)


def invoiced(bill):
    payment_record(bill=bill, amount=bill.total, paid_on=datetime.date(2026, 11, 25),
                   method="bank_transfer", actor=None)
    return invoice_issue(bill=bill, actor=None, issued_on=datetime.date(2026, 11, 26))


@pytest.fixture
def licence(db):
    return Licence.objects.create(
        kind=Licence.Kind.HR_SERVICE, number=LICENCE, authority="上海市人力资源和社会保障局",
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2028, 12, 31))


def sheet_rows(data, title):
    """A sheet's values; a date cell (read back as a naive datetime) as its date."""
    workbook = openpyxl.load_workbook(BytesIO(data))
    return [[v.date() if isinstance(v, datetime.datetime) else v for v in row]
            for row in workbook[title].iter_rows(values_only=True)]


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the invoice record -----------------------------------------------------------------

def test_the_invoice_pdf_shows_the_items_their_vat_and_the_bill(two_city_client, seller,
                                                                  licence):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    bill = issued(two_city_client)
    [invoice] = invoiced(bill)

    pdf = invoice_pdf(Invoice.objects.get(pk=invoice.pk))

    text = pdf_text(pdf)
    words = [line.split() for line in text.splitlines()]
    # items: 项目名称, 金额(含税), 税率, 税额 (pass-through amounts are not taxed; the fee's
    # 6 % VAT is inside it: 80 × 6 / 106 = 4.528… → 4.53)
    assert ["代缴社会保险费", "3716.00", "不征税", "***"] in words
    assert ["代缴住房公积金费", "1400.00", "不征税", "***"] in words
    assert ["服务费", "80.00", "6%", "4.53"] in words
    assert ["价税合计", "5196.00", "税额合计", "4.53"] in words
    assert f"发票号（本系统）：{invoice.number}" in text
    assert "发票种类：普通发票" in text
    assert f"所属账单：{bill.number}" in text
    assert "上海安信人力资源服务有限公司" in text
    assert "91310000MA1FL8XQ30" in text
    assert "上海启明信息技术有限公司" in text
    assert LICENCE in text
    assert "合法有效的发票以税务平台开具的电子发票为准" in text
    fonts = pdf_fonts(pdf)
    font_line = next(line for line in fonts.splitlines() if line.split()[0].endswith("+CJK"))
    assert font_line.split()[-5:-3] == ["yes", "yes"]  # embedded, subset


def test_a_special_invoice_record_says_so_and_taxes_the_fee_only(two_city_client, seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    InvoiceTitle.objects.create(client=two_city_client, buyer_name="上海启明信息技术有限公司",
                                buyer_uscc="91310000MA1FL8XQ31", kind=InvoiceTitle.Kind.SPECIAL)
    invoices = invoiced(issued(two_city_client))
    special = next(i for i in invoices if i.kind == InvoiceKind.SPECIAL)

    text = pdf_text(invoice_pdf(special))

    assert "发票种类：专用发票" in text
    words = [line.split() for line in text.splitlines()]
    assert ["服务费", "80.00", "6%", "4.53"] in words
    assert "代缴社会保险费" not in text  # on the ordinary invoice, with its note


# --- the bill -------------------------------------------------------------------------------

def test_the_bill_pdf_shows_masked_ids_and_totals_that_equal_the_bill(
        two_city_client, seller, django_assert_num_queries):
    person = enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    bill = Bill.objects.get(pk=issued(two_city_client).pk)

    with django_assert_num_queries(3):  # the client, the seller, the lines
        pdf = bill_pdf(bill)

    text = pdf_text(pdf)
    assert person.id_number_masked in text
    assert person_id_number(person) not in text
    assert f"账单编号：{bill.number}" in text
    assert "客户：上海启明信息技术有限公司" in text
    assert "服务机构：上海安信人力资源服务有限公司" in text
    assert "账单月份：2026年11月" in text
    assert "状态：已出具" in text
    words = [line.split() for line in text.splitlines()]
    # the totals box: 社会保险 / 住房公积金 / 服务费 / 合计
    assert ["3716.00", "1400.00", "80.00", "5196.00"] in words
    # 甲's line: pension, medical, maternity, unemployment, work injury, housing fund
    # (单位/个人 each), then the subtotals; and the totals row equal to it
    amounts = ["1600.00/800.00", "900.00/200.00", "100.00/0.00", "50.00/50.00", "16.00/0.00",
               "700.00/700.00", "3716.00", "1400.00", "80.00", "5196.00"]
    shanghai = City.objects.get(code="310000").name
    assert ["甲", person.id_number_masked, shanghai, "正常", "2026-11", *amounts] in words
    assert ["合计", *amounts] in words


def test_the_bill_pdf_reads_its_lines_in_one_query_however_many(two_city_client,
                                                              django_assert_num_queries):
    for name in ("甲", "乙", "丙", "丁"):
        enrol(two_city_client, "110000", name=name, base="8000.00")
    bill = Bill.objects.get(pk=bill_generate(client=two_city_client, month=NOV, actor=None).pk)

    with django_assert_num_queries(3):
        text = pdf_text(bill_pdf(bill))

    assert "服务机构：—" in text  # no seller set yet
    assert "状态：草稿" in text
    assert "生育" not in text  # Beijing has no maternity item: no such columns


def test_back_payment_lines_are_labelled_and_summed_in_the_totals_row(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00",
          starts=datetime.date(2026, 9, 1))
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)

    words = [line.split() for line in pdf_text(bill_pdf(bill)).splitlines()]

    kinds = [w[3:5] for w in words if w[:1] == ["甲"]]
    assert kinds == [["补缴", "2026-09"], ["补缴", "2026-10"], ["正常", "2026-11"]]
    assert ["合计", "4800.00/2400.00", "2700.00/600.00", "300.00/0.00", "150.00/150.00",
            "48.00/0.00", "2100.00/2100.00", "11148.00", "4200.00", "240.00",
            "15588.00"] in words
    assert bill.total == Decimal("15588.00")


def test_the_bill_workbook_has_numbers_per_item_side_and_neutralised_names(two_city_client):
    a = enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    b = enrol(two_city_client, "310000", name=FORMULA_NAME, base="10000.00",
              fund_base="10000.00")
    bill = issued(two_city_client)
    shanghai = City.objects.get(code="310000").name

    data = bill_xlsx(bill)

    workbook = openpyxl.load_workbook(BytesIO(data))
    assert workbook.sheetnames == ["账单明细", "汇总"]
    detail = workbook["账单明细"]
    rows = [list(row) for row in detail.iter_rows(values_only=True)]
    assert rows[0][0] == "上海启明信息技术有限公司 2026年11月 社会保险及住房公积金账单明细"
    assert rows[1][0] == (f"账单编号：{bill.number}　状态：已出具　"
                          f"出具日期：{timezone.localdate(bill.issued_at):%Y-%m-%d}")
    assert rows[2] == [
        "姓名", "证件号", "城市", "类型", "月份", "养老单位", "养老个人", "医疗单位", "医疗个人",
        "生育单位", "生育个人", "失业单位", "失业个人", "工伤单位", "工伤个人", "公积金单位",
        "公积金个人", "社保小计", "公积金小计", "服务费", "合计",
    ]
    amounts = [1600, 800, 900, 200, 100, 0, 50, 50, 16, 0, 700, 700, 3716, 1400, 80, 5196]
    by_name = {row[0]: row for row in rows[3:5]}
    assert by_name["甲"] == ["甲", a.id_number_masked, shanghai, "正常", "2026-11", *amounts]
    # a name typed like a formula is written as text, never run
    assert by_name["'" + FORMULA_NAME] == [
        "'" + FORMULA_NAME, b.id_number_masked, shanghai, "正常", "2026-11", *amounts]
    assert rows[5] == ["合计", None, None, None, None, *[2 * x for x in amounts]]
    assert rows[5][-1] == bill.total == Decimal("10392.00")
    pension = detail.cell(row=4, column=6)
    assert (pension.data_type, pension.number_format) == ("n", "0.00")
    name_cells = [detail.cell(row=r, column=1) for r in (4, 5)]
    assert [c.data_type for c in name_cells] == ["s", "s"]

    summary = sheet_rows(data, "汇总")
    assert summary[0][0] == "上海启明信息技术有限公司 2026年11月 社会保险及住房公积金账单汇总"
    assert summary[2:] == [["项目", "金额（元）"], ["社会保险", 7432], ["住房公积金", 2800],
                           ["服务费", 160], ["合计", 10392]]


def test_a_client_name_like_a_formula_is_neutralised_in_the_titles(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    two_city_client.__class__.objects.filter(pk=two_city_client.pk).update(name="+86 启明")
    bill = Bill.objects.get(pk=bill_generate(client=two_city_client, month=NOV, actor=None).pk)

    rows = sheet_rows(bill_xlsx(bill), "汇总")

    assert rows[0][0] == "'+86 启明 2026年11月 社会保险及住房公积金账单汇总"


# --- the tax platform ---------------------------------------------------------------------

def test_the_tax_export_has_one_row_per_item_with_exact_amounts(two_city_client, seller,
                                                                 licence):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    bill = issued(two_city_client)
    [invoice] = invoiced(bill)
    Invoice.objects.filter(pk=invoice.pk).update(buyer_address_phone="=HYPERLINK(\"x\")")

    rows = sheet_rows(invoices_tax_export(Invoice.objects.filter(pk=invoice.pk)), "发票明细")

    buyer = ["上海启明信息技术有限公司", two_city_client.uscc, "'=HYPERLINK(\"x\")",
             invoice.buyer_bank_account or None]
    day = datetime.date(2026, 11, 26)
    remark = f"账单号：{bill.number}；许可证编号：{LICENCE}"
    assert rows == [
        ["发票号(本系统)", "发票种类", "购买方名称", "购买方纳税人识别号", "购买方地址电话",
         "购买方开户行及账号", "项目名称", "金额(含税)", "税率", "税额", "不征税标志", "开票日期",
         "备注"],
        [invoice.number, "普通发票", *buyer, "代缴社会保险费", 3716, None, 0, "是", day, remark],
        [invoice.number, "普通发票", *buyer, "代缴住房公积金费", 1400, None, 0, "是", day, remark],
        [invoice.number, "普通发票", *buyer, "服务费", 80, 0.06, 4.53, "否", day, remark],
    ]


def test_the_tax_export_lists_every_item_of_every_invoice(two_city_client, seller,
                                                         django_assert_num_queries):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    InvoiceTitle.objects.create(client=two_city_client, buyer_name="上海启明信息技术有限公司",
                                buyer_uscc="91310000MA1FL8XQ31", kind=InvoiceTitle.Kind.SPECIAL)
    invoices = invoiced(issued(two_city_client))

    with django_assert_num_queries(3):  # the invoices, their bill, their items
        data = invoices_tax_export(Invoice.objects.order_by("number"))

    rows = sheet_rows(data, "发票明细")

    assert [(r[0], r[1], r[6], r[7], r[8], r[9]) for r in rows[1:]] == [
        (invoices[0].number, "专用发票", "服务费", 80, 0.06, 4.53),
        (invoices[1].number, "普通发票", "代缴社会保险费", 3716, None, 0),
        (invoices[1].number, "普通发票", "代缴住房公积金费", 1400, None, 0),
    ]


def test_the_platform_numbers_come_back_on_the_exported_sheet(two_city_client, seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    [invoice] = invoiced(issued(two_city_client))
    # staff add the platform's number to the sheet they exported, one per invoice
    workbook = openpyxl.load_workbook(BytesIO(invoices_tax_export([invoice])))
    sheet = workbook.active
    sheet.cell(row=1, column=14, value="税务平台发票号码")
    sheet.cell(row=2, column=14, value="26312000000012345678")
    sheet.delete_rows(3, 2)
    out = BytesIO()
    workbook.save(out)

    rows = tax_numbers_read(SimpleUploadedFile("numbers.xlsx", out.getvalue()))

    assert rows == [{"line": 1, "number": invoice.number,
                     "tax_platform_number": "26312000000012345678"}]
    assert invoice_record_numbers(rows=rows, actor=None) == 1
    invoice.refresh_from_db()
    assert invoice.tax_platform_number == "26312000000012345678"


def test_platform_numbers_are_read_past_blank_rows_and_other_columns():
    data = xlsx_bytes([
        ["序号", "税务平台发票号码", "购买方名称", "发票号（本系统）"],
        [1, "26312000000012345678", "甲公司", "202600000001"],
        [],
        [None, None, "乙公司", None],
        [2, "26312000000012345679", "", 202600000002],
    ])

    assert tax_numbers_read(data) == [
        {"line": 1, "number": "202600000001", "tax_platform_number": "26312000000012345678"},
        {"line": 2, "number": "202600000002", "tax_platform_number": "26312000000012345679"},
    ]


def test_a_sheet_without_a_header_is_refused_naming_it():
    data = xlsx_bytes([["发票号(本系统)", "购买方名称"], ["202600000001", "甲公司"]])

    with pytest.raises(ValidationFailed) as exc:
        tax_numbers_read(data)

    assert [(d.field, d.code) for d in exc.value.details] == [
        ("tax_platform_number", "header_missing")]
    assert "税务平台发票号码" in exc.value.details[0].message


def test_an_empty_sheet_lacks_both_headers():
    with pytest.raises(ValidationFailed) as exc:
        tax_numbers_read(xlsx_bytes([]))

    assert [(d.field, d.code) for d in exc.value.details] == [
        ("number", "header_missing"), ("tax_platform_number", "header_missing")]


@pytest.mark.parametrize(("data", "code"), [
    (b"%PDF-1.7\n", "file_not_xlsx"),
    ("发票号(本系统),税务平台发票号码\n202600000001,1\n".encode(), "file_not_xlsx"),
    (b"PK\x03\x04 not really a zip", "file_corrupt"),
])
def test_a_file_that_is_not_a_workbook_is_refused_as_the_file(data, code):
    with pytest.raises(ValidationFailed) as exc:
        tax_numbers_read(SimpleUploadedFile("numbers.xlsx", data))

    assert [(d.field, d.code) for d in exc.value.details] == [("file", code)]


def test_a_platform_number_excel_kept_as_a_number_is_refused_by_line():
    data = xlsx_bytes([["发票号(本系统)", "税务平台发票号码"],
                       ["202600000001", 2.6312000000012346e19]])

    with pytest.raises(ValidationFailed) as exc:
        tax_numbers_read(data)

    assert [(d.line, d.field, d.code) for d in exc.value.details] == [
        (1, "tax_platform_number", "number_not_text")]


def test_the_bill_pdf_detail_columns_line_up_for_chinese_and_latin_text(two_city_client):
    """Monospaced: Latin 0.6 em, CJK 1.0 em. Every line ends at the same width (the last
    column is right-aligned), whatever the names' and cities' lengths."""
    from billing.documents import _mono_table, _units, bill_detail

    enrol(two_city_client, "310000", name="欧阳娜娜", base="10000.00", fund_base="8000.00")
    enrol(two_city_client, "110000", name="李", base="5000.00")
    enrol(two_city_client, "110000", name="Anna Lee", base="6000.00",
          starts=datetime.date(2026, 10, 1))
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)
    header, rows, total_line, size = _mono_table(bill_detail(bill))
    assert len(rows) == 4  # 补缴 2026-10 of Anna Lee too
    assert len({_units(line) for line in [header[0], *rows, total_line]}) == 1
    width_pt = _units(rows[0]) * Decimal("0.2") * Decimal(size.removesuffix("pt"))
    assert Decimal("770") < width_pt <= Decimal("780")  # 277 mm of A4 landscape, just fits
