"""The records store (STD-3.4.3, 4.8, 5.1, 5.3): every contract, client paper, order paper
and correspondence is an archive item, filed by month, lent, appraised and destroyed here.

The archive sits below every business app (`tests/test_layering.py`), so an item links to
what it documents generically (content type + object id) and carries a plain `client_id`
for scoping; it never names another app's model."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agency.errors import DomainError


def _delete_refused() -> DomainError:
    return DomainError(
        "archive_delete_refused",
        "档案不可删除，只能经鉴定和批准后销毁 / An archive item cannot be deleted; "
        "it is destroyed after appraisal and approval",
    )


class ItemKind(models.TextChoices):
    """The four kinds of record of STD-4.8."""

    AGREEMENT = "agreement", _("Service agreement")
    CLIENT_PAPERS = "client_papers", _("Client papers")
    ORDER_PAPERS = "order_papers", _("Order papers")
    CORRESPONDENCE = "correspondence", _("Correspondence")


class CorrespondenceChannel(models.TextChoices):
    """How a logged exchange with a client happened (the title names it)."""

    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    ACTIVE = "active", _("In the archive")
    LENT = "lent", _("Lent out")
    DESTROYED = "destroyed", _("Destroyed")


class ArchiveItem(models.Model):
    """One record: its file (if it has one), checksum, custodian and where the paper original
    lies, the month it is filed under and how long it is kept."""

    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("subject type"),
    )
    object_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    client_id = models.BigIntegerField(_("client id"), null=True, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="archive/", max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("custodian"),
    )
    physical_location = models.CharField(_("physical location"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True,
                            help_text=_("What a logged call, meeting or letter was about."))
    month = models.DateField(_("month"), db_index=True)
    retention_until = models.DateField(_("retained until"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    checked = models.BooleanField(_("checked"), default=False)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("filed by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.ACTIVE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("archive item")
        verbose_name_plural = _("archive items")
        ordering = ["-month", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                name="archive_item_month_first_day", condition=models.Q(month__day=1)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        """Nothing deletes an archived record: destruction keeps the item and its record."""
        raise _delete_refused()

    @property
    def is_filed(self) -> bool:
        return self.filed_at is not None


class FilingBatch(models.Model):
    """A month's filing: the archivist checks each item of the month, then closes it."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("closed by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("filing batch")
        verbose_name_plural = _("filing batches")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Loan(models.Model):
    """An item lent out: to whom, why, until when, and when it came back."""

    item = models.ForeignKey(
        ArchiveItem, on_delete=models.PROTECT, related_name="loans", verbose_name=_("item")
    )
    borrower = models.CharField(_("borrower"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)
    lent_on = models.DateField(_("lent on"))
    due_on = models.DateField(_("due on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("lent by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.item} → {self.borrower}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.returned_on is None and self.due_on < today


class AppraisalDecision(models.TextChoices):
    KEEP = "keep", _("Keep")
    EXTEND = "extend", _("Extend retention")
    DESTROY = "destroy", _("Destroy")


class Appraisal(models.Model):
    """An appraisal (鉴定) of an item whose retention is reached."""

    item = models.ForeignKey(
        ArchiveItem, on_delete=models.PROTECT, related_name="appraisals",
        verbose_name=_("item"),
    )
    decision = models.CharField(_("decision"), max_length=10, choices=AppraisalDecision.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_decision_display()}"


class Destruction(models.Model):
    """The record of a destroyed item, kept after its file is gone."""

    item = models.OneToOneField(
        ArchiveItem, on_delete=models.PROTECT, related_name="destruction",
        verbose_name=_("item"),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-destroyed_at"]

    def __str__(self) -> str:
        return f"{self.item}: {self.destroyed_at:%Y-%m-%d}"


@receiver(pre_delete, sender=ArchiveItem, dispatch_uid="archive_item_never_deleted")
def _refuse_item_delete(sender: type[ArchiveItem], instance: ArchiveItem, **kwargs: object) -> None:
    """A queryset's bulk delete (or a cascade) is refused too."""
    raise _delete_refused()
