"""Bureau reconciliation (稽核 / 对账, issue 12): a bureau's monthly charge detail for a
city, month and scheme, compared person by person and item by item with what was billed;
only the differences are kept. An accepted difference becomes a 补差 line on the client's
next bill, once (`settled_line`, set when that bill is issued)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.models.bills import BillLine


class ReconciliationRun(models.Model):
    """One uploaded bureau file and the comparison made from it."""

    class Scheme(models.TextChoices):
        SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
        HOUSING_FUND = "housing_fund", _("Housing fund")

    city = models.ForeignKey("policies.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="reconciliation_runs")
    month = models.DateField(_("month"), help_text=_("First day of the month charged."))
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    persons_matched = models.PositiveIntegerField(_("persons matched"), default=0)
    differences_found = models.PositiveIntegerField(_("differences"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-uploaded_at"]
        constraints = [models.CheckConstraint(name="reconciliation_month_first_day",
                                              condition=models.Q(month__day=1))]

    def __str__(self) -> str:
        return f"{self.city} {self.month:%Y-%m} {self.get_scheme_display()}"


class DifferenceKind(models.TextChoices):
    NOT_BILLED = "not_billed", _("Charged by the bureau, not billed")
    NOT_CHARGED = "not_charged", _("Billed, not charged by the bureau")
    BASE = "base", _("Base differs")
    RATE = "rate", _("Rate differs")
    ROUNDING = "rounding", _("Amount differs by rounding only")


class DifferenceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted (补差 on the next bill)")
    BUREAU_ERROR = "bureau_error", _("The bureau's error")


class Difference(models.Model):
    """One difference of a run: a person (and item) where the bureau's charge and the
    bill disagree. `delta` is what the client owes more (negative: is owed) — the bureau's
    employer + employee amount minus the billed one."""

    Kind = DifferenceKind
    Status = DifferenceStatus

    run = models.ForeignKey(ReconciliationRun, verbose_name=_("run"), on_delete=models.CASCADE,
                            related_name="differences")
    kind = models.CharField(_("kind"), max_length=12, choices=DifferenceKind.choices)
    person = models.ForeignKey("enrollment.InsuredPerson", verbose_name=_("person"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="reconciliation_differences")
    name = models.CharField(_("name in the file"), max_length=100, blank=True)
    id_number_masked = models.CharField(_("ID number (masked)"), max_length=32, blank=True)
    item = models.CharField(_("item"), max_length=30, blank=True)
    billed_base = models.DecimalField(_("billed base"), max_digits=12, decimal_places=2,
                                      null=True, blank=True)
    charged_base = models.DecimalField(_("charged base"), max_digits=12, decimal_places=2,
                                       null=True, blank=True)
    billed_amount = models.DecimalField(_("billed amount"), max_digits=14, decimal_places=2,
                                        null=True, blank=True)
    charged_amount = models.DecimalField(_("charged amount"), max_digits=14,
                                         decimal_places=2, null=True, blank=True)
    delta = models.DecimalField(_("difference"), max_digits=14, decimal_places=2)
    bill_line = models.ForeignKey(BillLine, verbose_name=_("billed line"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=DifferenceStatus.choices,
                              default=DifferenceStatus.OPEN)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    settled_line = models.ForeignKey(BillLine, verbose_name=_("补差 line"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="settles")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        ordering = ["run", "kind", "id"]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.run} {self.get_kind_display()} {self.delta}"
