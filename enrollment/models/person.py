"""An insured person's papers (STD-4.4): ID card, household register, education
certificate, photo, labour contract and the signed letter on HR outsourcing."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models.core import InsuredPerson


def paper_upload_to(instance: "Paper", filename: str) -> str:
    """A random name under MEDIA_ROOT: the original name is kept in the row only, and no
    URL route serves MEDIA_ROOT (papers go out through a permission-checked view)."""
    return f"papers/{instance.person_id}/{uuid.uuid4().hex}{instance.extension}"


class Paper(models.Model):
    """A document a client supplies for one of its persons (材料)."""

    class Kind(models.TextChoices):
        ID_CARD_FRONT = "id_card_front", _("ID card, front")
        ID_CARD_BACK = "id_card_back", _("ID card, back")
        HOUSEHOLD_REGISTER = "household_register", _("Household register")
        EDUCATION_CERTIFICATE = "education_certificate", _("Education certificate")
        PHOTO = "photo", _("Photo")
        LABOUR_CONTRACT = "labour_contract", _("Labour contract")
        OUTSOURCING_LETTER = "outsourcing_letter", _("Signed letter on HR outsourcing")

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    person = models.ForeignKey(
        InsuredPerson, verbose_name=_("person"), on_delete=models.PROTECT, related_name="papers"
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="person_papers",
        help_text=_("The client that supplied the paper; only its portal users see it."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=paper_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(
        _("content type"), max_length=30, choices=ContentType.choices
    )
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["person", "kind", "-uploaded_at", "-id"]
        indexes = [models.Index(fields=["person", "client", "kind"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"

    @property
    def extension(self) -> str:
        extensions: dict[str, str] = {
            self.ContentType.PDF: ".pdf",
            self.ContentType.JPEG: ".jpg",
            self.ContentType.PNG: ".png",
        }
        return extensions.get(self.content_type, "")


class PersonExportRequest(models.Model):
    """A request to export persons with their full ID numbers (STD-6.1): a representative
    asks, giving a reason; a manager (not the requester) approves or refuses; the
    requester downloads the workbook once, before `expires_at`. The persons are fixed when
    the request is made (`person_ids`, at most `EXPORT_FULL_ID_MAX_ROWS`), and scoped again
    to the requester when downloaded. Masked exports need none of this."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        DOWNLOADED = "downloaded", _("Downloaded")
        EXPIRED = "expired", _("Expired")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    person_ids = models.JSONField(_("persons"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person export request")
        verbose_name_plural = _("person export requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.requester} · {self.get_status_display()}"
