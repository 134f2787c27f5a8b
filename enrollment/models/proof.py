"""Proofs of enrolment (参保证明): one issued PDF of one person's contributions in one month,
with a random verification code that the public check page looks up."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models.core import InsuredPerson


class ProofOfEnrolment(models.Model):
    """参保证明: who was enrolled by which client in which month, as issued on a PDF.

    The verification code is random (80 bits, base32) and unique; the public page shows
    only whether it is valid and, if so, the masked name, client, city, month and issue
    date. `sha256` is the digest of the PDF handed out."""

    person = models.ForeignKey(
        InsuredPerson, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="proofs",
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="proofs",
    )
    month = models.DateField(_("month"), help_text=_("First day of the month proven."))
    cities = models.CharField(_("cities"), max_length=200, blank=True)
    verification_code = models.CharField(_("verification code"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    issued_by_label = models.CharField(_("issued by (label)"), max_length=150, blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("proof of enrolment")
        verbose_name_plural = _("proofs of enrolment")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["person", "month"])]

    def __str__(self) -> str:
        return f"{self.person} {self.month:%Y-%m} {self.verification_code}"
