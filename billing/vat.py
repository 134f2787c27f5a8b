"""VAT on an agency's invoice (财税〔2016〕47号; see the domain notes).

The social insurance and housing fund paid on the client's behalf are pass-through: not
the agency's taxable sales, never on a special VAT invoice (专用发票), shown untaxed on an
ordinary one. The service fee carries VAT by the legal entity's method:
- general taxpayer: 6 %;
- simplified 5 % on the difference (差额征税: the taxable difference is the receipts less
  the amounts paid on the client's behalf, i.e. the service fee);
- small-scale taxpayer: 3 %, reduced to 1 % for invoices issued until 2027-12-31.
Amounts are tax-included; tax = amount × rate / (1 + rate), rounded half-up to the cent."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from billing.models import InvoiceKind, VatMethod

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SMALL_SCALE_REDUCED_UNTIL = datetime.date(2027, 12, 31)

SOCIAL_INSURANCE_ITEM = "代缴社会保险费"
HOUSING_FUND_ITEM = "代缴住房公积金费"
SERVICE_FEE_ITEM = "服务费"


def service_fee_rate(method: str, issued_on: datetime.date) -> Decimal:
    if method == VatMethod.GENERAL:
        return Decimal("0.06")
    if method == VatMethod.DIFFERENCE:
        return Decimal("0.05")
    if issued_on <= SMALL_SCALE_REDUCED_UNTIL:
        return Decimal("0.01")
    return Decimal("0.03")


def tax_included(amount: Decimal, rate: Decimal) -> Decimal:
    """The VAT inside a tax-included amount."""
    if not rate:
        return ZERO
    return (amount * rate / (1 + rate)).quantize(CENT, ROUND_HALF_UP)


class PlannedItem(NamedTuple):
    name: str
    amount: Decimal
    tax_rate: Decimal
    tax: Decimal
    taxable: bool


def invoice_items(*, kind: str, social_insurance: Decimal, housing_fund: Decimal,
                  service_fee: Decimal, method: str,
                  issued_on: datetime.date) -> list[PlannedItem]:
    """The items of one invoice of a bill: an ordinary invoice holds the pass-through
    amounts (untaxed) and, unless a special invoice carries it, the service fee; a special
    invoice holds the service fee only. Items of zero are left out."""
    items: list[PlannedItem] = []
    if kind == InvoiceKind.ORDINARY:
        for name, amount in ((SOCIAL_INSURANCE_ITEM, social_insurance),
                             (HOUSING_FUND_ITEM, housing_fund)):
            if amount:
                items.append(PlannedItem(name, amount, ZERO, ZERO, False))
    if service_fee:
        rate = service_fee_rate(method, issued_on)
        items.append(PlannedItem(SERVICE_FEE_ITEM, service_fee, rate,
                                 tax_included(service_fee, rate), True))
    return items
