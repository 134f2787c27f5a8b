"""Money in and out (issue 12): bank statements and their receipts (认款), the receipts'
allocation to bills or to the client's credit, refunds (退费), and the accounts clients
pay from. The client ledger (往来) is read from bills, allocations and refunds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.models.bills import ZERO, Bill, Payment


class PayerAccount(models.Model):
    """A name and bank account a client pays from (matching a receipt to the client)."""

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.CASCADE, related_name="payer_accounts")
    name = models.CharField(_("payer name"), max_length=200)
    account = models.CharField(_("payer account"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payer account")
        verbose_name_plural = _("payer accounts")
        constraints = [models.UniqueConstraint(fields=["name", "account"],
                                               name="payer_account_unique")]
        indexes = [models.Index(fields=["account"])]

    def __str__(self) -> str:
        return f"{self.name} {self.account}".strip()


class BankStatement(models.Model):
    """One uploaded bank statement file (Excel or CSV)."""

    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    receipts_added = models.PositiveIntegerField(_("receipts added"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file_name


class ReceiptStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("Unmatched")
    PROPOSED = "proposed", _("Match proposed")
    MATCHED = "matched", _("Matched")


class Receipt(models.Model):
    """A credit on the agency's bank account: money a client (probably) paid.

    `dedupe_key` makes a statement uploaded twice (or overlapping) add nothing twice: the
    bank's serial number, else date + amount + payer + reference. `proposal` holds the
    matcher's best candidates: `{"client": id, "bills": [ids], "rule": "...",
    "candidates": [...]}`."""

    Status = ReceiptStatus

    statement = models.ForeignKey(BankStatement, verbose_name=_("statement"),
                                  on_delete=models.PROTECT, related_name="receipts")
    dedupe_key = models.CharField(_("duplicate key"), max_length=100, unique=True)
    serial = models.CharField(_("bank serial number"), max_length=64, blank=True)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    payer_name = models.CharField(_("payer name"), max_length=200, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=40, blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="receipts")
    status = models.CharField(_("status"), max_length=10, choices=ReceiptStatus.choices,
                              default=ReceiptStatus.UNMATCHED)
    proposal = models.JSONField(_("proposed match"), default=dict, blank=True)
    allocated = models.DecimalField(_("allocated"), max_digits=14, decimal_places=2,
                                    default=ZERO)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(name="receipt_positive", condition=models.Q(amount__gt=0)),
            models.CheckConstraint(name="receipt_not_over_allocated",
                                   condition=models.Q(allocated__lte=models.F("amount"))),
        ]
        indexes = [models.Index(fields=["status", "received_on"])]

    def __str__(self) -> str:
        return f"{self.received_on} {self.payer_name} {self.amount}"


class Allocation(models.Model):
    """Part of a receipt put on a bill (through a `Payment`) or, with no bill, on the
    client's account as a credit; or part of a credit later put on a bill
    (`receipt` empty, `from_credit`). Undone by a manager with a reason, never deleted."""

    receipt = models.ForeignKey(Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="allocations")
    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.PROTECT,
                             null=True, blank=True, related_name="allocations")
    payment = models.OneToOneField(Payment, verbose_name=_("payment"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="allocation")
    from_credit = models.BooleanField(_("from the client's credit"), default=False)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("undone by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undo_reason = models.CharField(_("undo reason"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["confirmed_at", "id"]
        constraints = [models.CheckConstraint(name="allocation_positive",
                                              condition=models.Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.client} {self.amount}"

    @property
    def active(self) -> bool:
        return self.undone_at is None


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Refund(models.Model):
    """Money paid back to a client from its credit (退费): a manager approves it."""

    Status = RefundStatus

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=RefundStatus.choices,
                              default=RefundStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at"]
        constraints = [models.CheckConstraint(name="refund_positive",
                                              condition=models.Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.client} {self.amount}"
