"""A batch of proofs of enrolment (参保证明批量): the proofs of a client's persons for one
month, rendered by the worker one by one, then one ZIP filed in the archive."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models.core import InsuredPerson
from enrollment.models.proof import ProofOfEnrolment


class ProofBatch(models.Model):
    """One request for the proofs of a client's persons in a month (all of them, or a chosen
    list). Each person's proof is an item, done once (`ProofBatchItem.proof`); the ZIP of
    them all is an archive item once every item is done."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="proof_batches")
    month = models.DateField(_("month"), help_text=_("First day of the month proven."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.RUNNING)
    total = models.PositiveIntegerField(_("persons"), default=0)
    site_url = models.CharField(_("site address"), max_length=200,
                                help_text=_("Makes the check page's address on each PDF absolute."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    requested_by_label = models.CharField(_("requested by (label)"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    touched_at = models.DateTimeField(_("last progress"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    archive_item = models.ForeignKey("archive.ArchiveItem", verbose_name=_("ZIP"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        verbose_name = _("proof batch")
        verbose_name_plural = _("proof batches")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(name="proof_batch_month_first_day",
                                              condition=models.Q(month__day=1))]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month:%Y-%m} ×{self.total}"


class ProofBatchItem(models.Model):
    """One person's proof in a batch: done when its proof is saved (with its PDF written
    under `file_name`) or when it cannot be made (`error`, e.g. no policy that month)."""

    batch = models.ForeignKey(ProofBatch, verbose_name=_("batch"), on_delete=models.CASCADE,
                              related_name="items")
    person = models.ForeignKey(InsuredPerson, verbose_name=_("person"),
                               on_delete=models.PROTECT, related_name="+")
    proof = models.OneToOneField(ProofOfEnrolment, verbose_name=_("proof"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="batch_item")
    file_name = models.CharField(_("PDF file"), max_length=255, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("proof batch item")
        verbose_name_plural = _("proof batch items")
        ordering = ["batch", "pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "person"],
                                               name="proof_batch_item_once")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.person_id}"

    @property
    def done(self) -> bool:
        return self.proof_id is not None or bool(self.error)
