"""One start of a month's bill run on the worker (`billing.tasks.bill_generate_month_task`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillMonthRun(models.Model):
    """A month's bill run, keyed by its task: when it began. A worker that dies mid-run
    leaves its task unacknowledged; delivered again (same task id), the run finds this row
    and resumes: a client whose draft was generated since `started_at` is done already."""

    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    month = models.DateField(_("month"))
    started_at = models.DateTimeField(_("started at"))
    deliveries = models.PositiveIntegerField(
        _("deliveries"), default=1, help_text=_("How many times the worker began it."))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bill run")
        verbose_name_plural = _("bill runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.task_id}"
