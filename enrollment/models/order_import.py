"""A large roster workbook imported in the background (issue 18).

The order exists from the upload on (its id is what the API's 202 answers and what the
portal's progress page follows) but stays empty until the worker has read, checked and
saved every line. The import's own state lives here, not in the order's workflow
(`OrderStatus`, read from the lines): an order whose import is under way answers
`"processing"` in the API as the contract says, and nothing in the bureau workflow (the
work queue, the deadlines, the counts) sees it, because it has no line until it is
imported. A rejected import keeps only the order and this record of why."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models.order import RosterOrder


class ImportState(models.TextChoices):
    IMPORTING = "importing", _("Importing")
    RECEIVED = "received", _("Imported")
    REJECTED = "rejected", _("Rejected")


class OrderImport(models.Model):
    """The background import of one order's workbook: its progress for the pages that
    follow it, and the error (the contract's shape) when it was rejected."""

    State = ImportState

    order = models.OneToOneField(
        RosterOrder, verbose_name=_("order"), on_delete=models.CASCADE,
        related_name="import_job",
    )
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices,
                             default=ImportState.IMPORTING, db_index=True)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # the uploaded workbook until the worker has taken it: held in the database so that it
    # is saved (or not) with the order in one transaction and survives a worker restart;
    # emptied when the import ends (the archive keeps an imported order's file)
    data = models.BinaryField(_("pending workbook"), default=b"", editable=False)
    rows_total = models.PositiveIntegerField(_("rows in the sheet"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    error = models.JSONField(_("error"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_state_display()} {self.rows_read}/{self.rows_total}"
