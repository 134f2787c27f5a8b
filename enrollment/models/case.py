"""Insurance matters (STD-4.1's included services, handled within 48 hours, STD-6.3): a case
for one insured person of one client — a claim (work injury, maternity, medical
reimbursement), a retirement, a transfer out or in (转移接续), a back-payment (补缴) or
another matter — with its checklist of steps and papers, its thread with the client, and
for a back-payment the months it computed, which the client's next bill charges once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models.core import Enrollment, InsuredPerson


class CaseType(models.TextChoices):
    WORK_INJURY = "work_injury", _("Work injury")
    MATERNITY = "maternity", _("Maternity")
    MEDICAL_REIMBURSEMENT = "medical_reimbursement", _("Medical reimbursement")
    RETIREMENT = "retirement", _("Retirement")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    BACK_PAYMENT = "back_payment", _("Back-payment")
    OTHER = "other", _("Other matter")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Opened")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CLIENT = "waiting_client", _("Waiting for the client")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CLIENT)


class Case(models.Model):
    """One insurance matter of one person for one client. `handle_by` is 48 hours after
    opening (the first substantive action stops the clock); `statutory_due` is the legal
    deadline where there is one (a work injury's 工伤认定 application: injury + 30 days)."""

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(InsuredPerson, verbose_name=_("person"),
                               on_delete=models.PROTECT, related_name="cases")
    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrolment"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="cases")
    type = models.CharField(_("type"), max_length=30, choices=CaseType.choices)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    channel = models.CharField(_("channel"), max_length=10)  # portal / api / staff
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    opened_by_label = models.CharField(_("opened by (label)"), max_length=150, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    handle_by = models.DateTimeField(_("handle by"))
    first_action_at = models.DateTimeField(_("first action at"), null=True, blank=True)
    incident_date = models.DateField(_("incident date"), null=True, blank=True)
    statutory_due = models.DateField(_("statutory deadline"), null=True, blank=True)
    # a back-payment: the months owed, [first, end) by month
    period_from = models.DateField(_("back-payment from"), null=True, blank=True)
    period_to = models.DateField(_("back-payment to (exclusive)"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("insurance case")
        verbose_name_plural = _("insurance cases")
        ordering = ["handle_by", "pk"]
        indexes = [
            models.Index(fields=["status", "handle_by"], name="case_open_clock"),
            models.Index(fields=["status", "statutory_due"], name="case_statutory"),
            models.Index(fields=["client", "-opened_at"], name="case_client_recent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_type_display()}"


class CaseStep(models.Model):
    """One item of the case type's checklist: a step to take or a paper to collect."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="steps")
    key = models.CharField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    is_paper = models.BooleanField(_("a paper"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="case_step_once")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.key}"


class CasePaper(models.Model):
    """A file received for a case (stored through the archive's one door)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="papers")
    step_key = models.CharField(_("checklist item"), max_length=40, blank=True)
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("case paper")
        verbose_name_plural = _("case papers")
        ordering = ["case", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class CaseMessage(models.Model):
    """One message of the case's thread between the agency and the client."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    author_label = models.CharField(_("author (label)"), max_length=150, blank=True)
    from_client = models.BooleanField(_("from the client"))
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:50]


class BackPaymentMonth(models.Model):
    """One month a back-payment case owes, computed with the policy in force that month;
    `billed_bill_id` is set by billing when the client's next bill charges it (once)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="back_months")
    month = models.DateField(_("month"))
    city = models.ForeignKey("policies.City", verbose_name=_("city"),
                             on_delete=models.PROTECT, related_name="+")
    policy_version = models.ForeignKey("policies.PolicyVersion",
                                       verbose_name=_("policy version"),
                                       on_delete=models.PROTECT, related_name="+")
    base = models.DecimalField(_("base"), max_digits=12, decimal_places=2)
    employer = models.DecimalField(_("employer's share"), max_digits=12, decimal_places=2)
    employee = models.DecimalField(_("employee's share"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    detail = models.JSONField(_("items"), default=dict)
    billed_bill_id = models.BigIntegerField(_("billed on bill"), null=True, blank=True,
                                            db_index=True)

    class Meta:
        verbose_name = _("back-payment month")
        verbose_name_plural = _("back-payment months")
        ordering = ["case", "month"]
        constraints = [
            models.UniqueConstraint(fields=["case", "month"], name="back_month_once"),
            models.CheckConstraint(name="back_month_first_day",
                                   condition=models.Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.month:%Y-%m}"
