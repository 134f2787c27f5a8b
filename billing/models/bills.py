"""Monthly bills (账单), payments (回款), invoices (发票) and the agency's tax details.

A bill is one client's month: a line per person (and per late, corrected or refunded
month), each with its items' figures exactly as the calculator gives them, the service
fee of the person's city, and totals split into social insurance, housing fund and
service fee. A draft is regenerated at will; an issued bill is frozen (corrections go on
the next bill as 补差 lines). Payments are recorded against a bill; once it is paid in
full an invoice is due within 10 Chinese working days (STD-4.5)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ZERO = Decimal("0.00")


def _money(verbose: str) -> models.DecimalField:
    return models.DecimalField(_(verbose), max_digits=14, decimal_places=2, default=ZERO)


class VatMethod(models.TextChoices):
    """How the agency's legal entity charges VAT on its service fee (财税〔2016〕47号)."""

    GENERAL = "general", _("General taxpayer, 6 per cent")
    DIFFERENCE = "difference", _("Simplified, 5 per cent on the difference (差额征税)")
    SMALL_SCALE = "small_scale", _("Small-scale taxpayer (3 per cent; 1 per cent until 2027-12-31)")


class AgencyEntity(models.Model):
    """The agency's legal entity as the seller on its invoices (one row; the first wins)."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bank = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    vat_method = models.CharField(
        _("VAT method"), max_length=20, choices=VatMethod.choices, default=VatMethod.GENERAL
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agency legal entity")
        verbose_name_plural = _("agency legal entity")

    def __str__(self) -> str:
        return self.name


class InvoiceTitle(models.Model):
    """A client's invoicing details (开票信息): what the tax platform needs of the buyer."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary invoice (普通发票)")
        SPECIAL = "special", _("Special VAT invoice (专用发票)")

    client = models.OneToOneField(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
        related_name="invoice_title",
    )
    buyer_name = models.CharField(_("buyer name"), max_length=200)
    buyer_uscc = models.CharField(_("buyer tax number"), max_length=18)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bank = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    kind = models.CharField(
        _("invoice kind for the service fee"), max_length=10, choices=Kind.choices,
        default=Kind.ORDINARY,
    )
    email = models.EmailField(_("e-mail for invoices"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invoice details")
        verbose_name_plural = _("invoice details")

    def __str__(self) -> str:
        return self.buyer_name


class BillStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


# statuses in which a bill is frozen (issued to the client and not void)
FROZEN_STATUSES = (BillStatus.ISSUED, BillStatus.CONFIRMED, BillStatus.DISPUTED, BillStatus.PAID)


class Bill(models.Model):
    """One client's bill for one month (账单)."""

    Status = BillStatus

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="bills",
    )
    month = models.DateField(_("month"), help_text=_("First day of the month billed."))
    status = models.CharField(
        _("status"), max_length=10, choices=BillStatus.choices, default=BillStatus.DRAFT
    )
    social_insurance = _money("social insurance")
    housing_fund = _money("housing fund")
    service_fee = _money("service fee")
    total = _money("total")
    paid = _money("paid")
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    dispute_reason = models.CharField(_("dispute reason"), max_length=500, blank=True)
    dispute_answer = models.CharField(_("answer to the dispute"), max_length=500, blank=True)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    invoice_due_by = models.DateField(
        _("invoice due by"), null=True, blank=True,
        help_text=_("10 working days after the payment in full (STD-4.5)."),
    )
    replaces = models.ForeignKey(
        "self", verbose_name=_("corrects bill"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="corrections",
    )
    void_reason = models.CharField(_("void reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-month", "client_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month"], condition=~models.Q(status="void"),
                name="bill_one_per_client_month",
            ),
            models.CheckConstraint(name="bill_month_first_day",
                                   condition=models.Q(month__day=1)),
            models.CheckConstraint(name="bill_not_overpaid",
                                   condition=models.Q(paid__lte=models.F("total"))
                                   | models.Q(total__lt=0)),
        ]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self) -> str:
        return f"{self.client} {self.month:%Y-%m}"

    @property
    def number(self) -> str:
        """The bill's reference as clients quote it, e.g. B202611-000042."""
        return f"B{self.month:%Y%m}-{self.pk:06d}"

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid

    @property
    def frozen(self) -> bool:
        return self.status in FROZEN_STATUSES


class LineType(models.TextChoices):
    REGULAR = "regular", _("Regular")
    BACKPAY = "backpay", _("Back-payment (补缴)")
    TOPUP = "topup", _("Top-up (补差)")
    REFUND = "refund", _("Refund (退费)")
    MANUAL = "manual", _("Manual adjustment")


class BillLine(models.Model):
    """One line of a bill: a person's month (or months) with each item's figures.

    `items` holds the calculator's figures as strings: `[{"kind", "base", "employer",
    "employee"}]` (the API's shape). A top-up or refund line points at the line it
    corrects (`corrects`), so a correction is made exactly once."""

    Type = LineType

    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.CASCADE,
                             related_name="lines")
    person = models.ForeignKey(
        "enrollment.InsuredPerson", verbose_name=_("person"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="bill_lines",
    )
    city = models.ForeignKey("policies.City", verbose_name=_("city"),
                             on_delete=models.PROTECT, null=True, blank=True)
    line_type = models.CharField(_("line type"), max_length=10, choices=LineType.choices)
    month_from = models.DateField(_("from month"))
    month_to = models.DateField(_("to month"))
    items = models.JSONField(_("items"), default=list, blank=True)
    social_insurance = _money("social insurance")
    housing_fund = _money("housing fund")
    service_fee = _money("service fee")
    total = _money("total")
    policy_version = models.ForeignKey(
        "policies.PolicyVersion", verbose_name=_("policy version"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="bill_lines",
    )
    basis = models.JSONField(
        _("basis"), default=dict, blank=True,
        help_text=_("What the figures were computed from: declared bases, rates, schemes "
                    "and enrolments (a later 补差 or refund recomputes from it)."),
    )
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects line"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="corrections",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")
        ordering = ["bill", "id"]
        indexes = [models.Index(fields=["person", "month_from"])]

    def __str__(self) -> str:
        return f"{self.bill} · {self.get_line_type_display()} · {self.total}"

    @property
    def months(self) -> list[str]:
        out, y, m = [], self.month_from.year, self.month_from.month
        while (y, m) <= (self.month_to.year, self.month_to.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


class Payment(models.Model):
    """Money received against a bill (回款); partial payments add up, never above the total."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        ONLINE = "online", _("Online payment")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.PROTECT,
                             related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(name="payment_positive",
                                              condition=models.Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.bill} {self.amount}"


class InvoiceKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary invoice (普通发票)")
    SPECIAL = "special", _("Special VAT invoice (专用发票)")


class Invoice(models.Model):
    """An invoice of a paid bill, with the seller's and buyer's tax details as they stood
    when it was issued. Numbers run without gaps per year (`InvoiceSequence`)."""

    Kind = InvoiceKind

    number = models.CharField(_("number"), max_length=20, unique=True)
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.PROTECT,
                             related_name="invoices")
    kind = models.CharField(_("kind"), max_length=10, choices=InvoiceKind.choices)
    issued_on = models.DateField(_("issued on"))
    due_by = models.DateField(_("due by"))
    vat_method = models.CharField(_("VAT method"), max_length=20, choices=VatMethod.choices)
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_uscc = models.CharField(_("seller tax number"), max_length=18)
    seller_address_phone = models.CharField(_("seller address and phone"), max_length=240,
                                            blank=True)
    seller_bank_account = models.CharField(_("seller bank and account"), max_length=150,
                                           blank=True)
    licence_numbers = models.CharField(_("licence numbers"), max_length=300, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_uscc = models.CharField(_("buyer tax number"), max_length=18)
    buyer_address_phone = models.CharField(_("buyer address and phone"), max_length=240,
                                           blank=True)
    buyer_bank_account = models.CharField(_("buyer bank and account"), max_length=150,
                                          blank=True)
    amount = _money("amount (tax included)")
    tax = _money("tax")
    tax_platform_number = models.CharField(
        _("number on the tax platform"), max_length=40, blank=True,
        help_text=_("The number the tax platform gave the issued invoice."),
    )
    tax_platform_recorded_at = models.DateTimeField(_("tax platform number recorded at"),
                                                    null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "kind"], name="invoice_one_kind_per_bill"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def late(self) -> bool:
        return self.issued_on > self.due_by


class InvoiceItem(models.Model):
    """One item of an invoice: 代缴社会保险费, 代缴住房公积金费 or 服务费."""

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE,
                                related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("item"), max_length=50)
    amount = _money("amount (tax included)")
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=0)
    tax = _money("tax")
    taxable = models.BooleanField(
        _("taxable"), default=True,
        help_text=_("Amounts paid on the client's behalf are pass-through: not taxable."),
    )

    class Meta:
        verbose_name = _("invoice item")
        verbose_name_plural = _("invoice items")
        ordering = ["invoice", "position"]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"

    @property
    def net(self) -> Decimal:
        return self.amount - self.tax


class InvoiceSequence(models.Model):
    """The last invoice number used in a year: numbers are allocated under a row lock, so
    the series has no gaps and no duplicates."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice number series")
        verbose_name_plural = _("invoice number series")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
