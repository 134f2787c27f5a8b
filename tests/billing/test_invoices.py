"""Invoices: after payment in full, three items, VAT on the service fee only, pass-through
amounts never on a special VAT invoice, numbers without gaps (STD-4.5)."""

import datetime
from decimal import Decimal

import pytest

from agency.errors import DomainError, ValidationFailed
from billing.models import InvoiceKind, InvoiceTitle, VatMethod
from billing.services import (
    bill_generate,
    bill_issue,
    invoice_issue,
    invoice_record_numbers,
    payment_record,
)
from billing.vat import invoice_items, service_fee_rate
from tests.billing.conftest import NOV, enrol

pytestmark = pytest.mark.django_db
PAID_ON = datetime.date(2026, 11, 25)


def paid_bill(client, month=NOV):
    bill = bill_issue(bill=bill_generate(client=client, month=month, actor=None), actor=None)
    payment_record(bill=bill, amount=bill.total, paid_on=PAID_ON, method="bank_transfer",
                   actor=None)
    bill.refresh_from_db()
    return bill


def items_of(invoice):
    return [(i.name, i.amount, i.tax_rate, i.tax, i.taxable) for i in invoice.items.all()]


def test_an_ordinary_invoice_holds_the_three_items_with_vat_on_the_fee_only(
        two_city_client, seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    bill = paid_bill(two_city_client)
    [invoice] = invoice_issue(bill=bill, actor=None, issued_on=datetime.date(2026, 11, 26))
    assert invoice.kind == InvoiceKind.ORDINARY
    assert items_of(invoice) == [
        ("代缴社会保险费", Decimal("3716.00"), Decimal("0"), Decimal("0.00"), False),
        ("代缴住房公积金费", Decimal("1400.00"), Decimal("0"), Decimal("0.00"), False),
        # 80.00 × 6 % / 1.06 = 4.528… → 4.53
        ("服务费", Decimal("80.00"), Decimal("0.0600"), Decimal("4.53"), True),
    ]
    assert (invoice.amount, invoice.tax) == (Decimal("5196.00"), Decimal("4.53"))
    assert invoice.number == "202600000001"
    assert invoice.due_by == datetime.date(2026, 12, 9)  # 10 working days after 25 Nov
    assert (invoice.buyer_name, invoice.seller_name) == (
        two_city_client.name, "上海安信人力资源服务有限公司")
    with pytest.raises(DomainError) as exc:
        invoice_issue(bill=bill, actor=None)
    assert exc.value.code == "invoice_issued"


def test_a_special_invoice_carries_only_the_service_fee(two_city_client, seller):
    InvoiceTitle.objects.create(client=two_city_client, buyer_name=two_city_client.name,
                                buyer_uscc=two_city_client.uscc,
                                kind=InvoiceTitle.Kind.SPECIAL)
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    special, ordinary = invoice_issue(bill=paid_bill(two_city_client), actor=None,
                                      issued_on=datetime.date(2026, 11, 26))
    assert special.kind == InvoiceKind.SPECIAL
    assert items_of(special) == [
        ("服务费", Decimal("80.00"), Decimal("0.0600"), Decimal("4.53"), True)]
    assert ordinary.kind == InvoiceKind.ORDINARY
    assert items_of(ordinary) == [
        ("代缴社会保险费", Decimal("3716.00"), Decimal("0"), Decimal("0.00"), False)]
    assert [special.number, ordinary.number] == ["202600000001", "202600000002"]


def test_an_unpaid_bill_is_not_invoiced(two_city_client, seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None),
                      actor=None)
    payment_record(bill=bill, amount=Decimal("100.00"), paid_on=PAID_ON, method="cash",
                   actor=None)
    with pytest.raises(DomainError) as exc:
        invoice_issue(bill=bill, actor=None)
    assert (exc.value.code, exc.value.status) == ("bill_not_paid", 409)


@pytest.mark.parametrize(("method", "issued_on", "rate", "tax"), [
    (VatMethod.GENERAL, datetime.date(2026, 12, 1), "0.06", "6.23"),  # 110 × 6/106 = 6.226…
    (VatMethod.DIFFERENCE, datetime.date(2026, 12, 1), "0.05", "5.24"),  # 110 × 5/105 = 5.238…
    (VatMethod.SMALL_SCALE, datetime.date(2027, 12, 31), "0.01", "1.09"),  # 110 × 1/101
    (VatMethod.SMALL_SCALE, datetime.date(2028, 1, 1), "0.03", "3.20"),  # 110 × 3/103 = 3.203…
])
def test_the_service_fee_vat_follows_the_agencys_method(method, issued_on, rate, tax):
    assert service_fee_rate(method, issued_on) == Decimal(rate)
    items = invoice_items(kind=InvoiceKind.ORDINARY, social_insurance=Decimal("1000.00"),
                          housing_fund=Decimal("0.00"), service_fee=Decimal("110.00"),
                          method=method, issued_on=issued_on)
    assert [(i.name, i.tax) for i in items] == [
        ("代缴社会保险费", Decimal("0.00")), ("服务费", Decimal(tax))]


def test_the_tax_platform_numbers_are_recorded_or_the_batch_is_refused(two_city_client,
                                                                        seller):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    [invoice] = invoice_issue(bill=paid_bill(two_city_client), actor=None)
    with pytest.raises(ValidationFailed) as exc:
        invoice_record_numbers(rows=[
            {"line": 2, "number": invoice.number, "tax_platform_number": "26312000000012345678"},
            {"line": 3, "number": "209900000001", "tax_platform_number": "1"},
        ], actor=None)
    assert [(d.line, d.field, d.code) for d in exc.value.details] == [(3, "number", "not_found")]
    invoice.refresh_from_db()
    assert invoice.tax_platform_number == ""
    assert invoice_record_numbers(rows=[{"line": 2, "number": invoice.number,
                                         "tax_platform_number": "26312000000012345678"}],
                                  actor=None) == 1
    invoice.refresh_from_db()
    assert invoice.tax_platform_number == "26312000000012345678"
