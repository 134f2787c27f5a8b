"""Roster orders (增减员派单): an order holds add / remove / base-adjustment lines; each
line becomes one task per scheme (social insurance, housing fund), processed and reported
separately, and the line's status sums its tasks up."""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models.core import Enrollment, InsuredPerson, Scheme
from policies.models import City


class OrderStatus(models.TextChoices):
    """Where an order stands, from its lines (not stored)."""

    RECEIVED = "received", _("Received")  # nothing sent to the bureau yet
    PROCESSING = "processing", _("Processing")  # under way
    COMPLETED = "completed", _("Completed")  # every line finished
    # a background import refused the workbook (see OrderImport): the order has no line
    REJECTED = "rejected", _("Rejected")


class RosterOrder(models.Model):
    """增减员派单: one batch of add/remove lines from a client."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Client portal")
        EXCEL = "excel", _("Excel upload")
        API = "api", _("API")
        EMAIL = "email", _("E-mail (entered by staff)")

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="roster_orders",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    submitted_by_label = models.CharField(_("submitted by (label)"), max_length=150, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    source_file = models.FileField(
        _("source file"), upload_to="orders/source/%Y/%m/", blank=True,
        help_text=_("The uploaded or e-mailed Excel file."),
    )
    sealed_scan = models.FileField(
        _("sealed roster scan"), upload_to="orders/sealed/%Y/%m/", blank=True,
        help_text=_("The roster with the company seal (for e-mailed orders)."),
    )
    correspondence = models.FileField(
        _("e-mail"), upload_to="orders/email/%Y/%m/", blank=True,
        help_text=_("The client's e-mail, kept as correspondence."),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roster order")
        verbose_name_plural = _("roster orders")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.client} {self.received_at:%Y-%m-%d}"

    @property
    def progress(self) -> OrderStatus:
        """received: nothing sent to the bureau yet; processing: under way; completed:
        every line finished (succeeded, failed, cancelled). Reads the lines' statuses
        (prefetched by the order selectors)."""
        return order_status_of({line.status for line in self.lines.all()})


class LineAction(models.TextChoices):
    ADD = "add", _("Add (增员)")
    REMOVE = "remove", _("Remove (减员)")
    ADJUST_BASE = "adjust_base", _("Adjust base (调基)")


class TaskStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PAPERS_MISSING = "papers_missing", _("Papers missing")
    SUBMITTED = "submitted", _("Submitted to the bureau")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    RETURNED = "returned", _("Returned to the client")
    CANCELLED = "cancelled", _("Cancelled")


class LineStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PAPERS_MISSING = "papers_missing", _("Papers missing")
    SUBMITTED = "submitted", _("Submitted to the bureau")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIALLY_SUCCEEDED = "partially_succeeded", _("Partially succeeded")
    FAILED = "failed", _("Failed")
    RETURNED = "returned", _("Returned to the client")
    CANCELLED = "cancelled", _("Cancelled")


# tasks still in the workflow (an add among them is "being added")
OPEN_TASK_STATUSES = (TaskStatus.RECEIVED, TaskStatus.PAPERS_MISSING, TaskStatus.SUBMITTED,
                      TaskStatus.RETURNED)
# lines still in the workflow (the work queue's)
OPEN_LINE_STATUSES = (LineStatus.RECEIVED, LineStatus.PAPERS_MISSING, LineStatus.SUBMITTED,
                      LineStatus.RETURNED)
ATTENTION_ORDER = [TaskStatus.RETURNED, TaskStatus.PAPERS_MISSING, TaskStatus.RECEIVED,
                   TaskStatus.SUBMITTED]


def order_status_of(line_statuses: Iterable[str]) -> OrderStatus:
    """Where an order stands from its lines' statuses (see `RosterOrder.progress`)."""
    statuses = set(line_statuses)
    if statuses <= {LineStatus.RECEIVED, LineStatus.PAPERS_MISSING}:
        return OrderStatus.RECEIVED
    if statuses & set(OPEN_LINE_STATUSES):
        return OrderStatus.PROCESSING
    return OrderStatus.COMPLETED


def line_status_of(task_statuses: Iterable[str]) -> LineStatus:
    """The line's status from its tasks' (one task per scheme)."""
    statuses = set(task_statuses)
    for status in ATTENTION_ORDER:  # still in progress: what needs attention first
        if status in statuses:
            return LineStatus(status)
    done = statuses - {TaskStatus.CANCELLED}
    if not done:
        return LineStatus.CANCELLED
    if done == {TaskStatus.SUCCEEDED}:
        return LineStatus.SUCCEEDED
    if done == {TaskStatus.FAILED}:
        return LineStatus.FAILED
    return LineStatus.PARTIALLY_SUCCEEDED


class RosterLine(models.Model):
    """One add, remove or base-adjustment of one person in one city."""

    Action = LineAction
    Status = LineStatus

    order = models.ForeignKey(
        RosterOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    line_no = models.PositiveIntegerField(_("line"))
    action = models.CharField(_("action"), max_length=12, choices=LineAction.choices)
    person = models.ForeignKey(
        InsuredPerson, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="roster_lines",
    )
    name = models.CharField(_("name"), max_length=100)
    hukou_type = models.CharField(
        _("hukou type"), max_length=20, choices=InsuredPerson.HukouType.choices, blank=True
    )
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="roster_lines"
    )
    base_kind = models.CharField(
        _("base kind"), max_length=10, choices=Enrollment.BaseKind.choices, blank=True
    )
    base = models.DecimalField(
        _("contribution base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    effective_date = models.DateField(_("effective date"))
    effective_month = models.DateField(_("effective month"))
    backpay_months = models.JSONField(
        _("months paid late (补缴)"), default=list, blank=True,
        help_text=_("An add dated before the earliest month the city still accepts: the "
                    "months before that, paid late (YYYY-MM)."),
    )
    reason = models.CharField(
        _("removal reason"), max_length=20, choices=Enrollment.EndReason.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    handle_by = models.DateTimeField(_("handle by"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LineStatus.choices, default=LineStatus.RECEIVED,
        db_index=True,
    )
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roster line")
        verbose_name_plural = _("roster lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="roster_line_no_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no} {self.get_action_display()} {self.name}"

    @property
    def is_add(self) -> bool:
        return self.action == LineAction.ADD

    def status_from(self, tasks: Iterable["RosterTask"]) -> None:
        """Set the line's status and failure reason from its tasks' (not saved): the line
        sums its tasks up, whichever service moved them."""
        tasks = list(tasks)
        self.status = line_status_of(t.status for t in tasks)
        self.failure_reason = "; ".join(
            f"{Scheme(t.scheme).label}: {t.reason}" for t in tasks
            if t.status in (TaskStatus.FAILED, TaskStatus.RETURNED) and t.reason
        )[:500]


class RosterTask(models.Model):
    """One scheme's part of a line: what staff process with the bureau."""

    Status = TaskStatus

    line = models.ForeignKey(
        RosterLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="tasks"
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.RECEIVED,
        db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrolment"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="roster_tasks",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roster task")
        verbose_name_plural = _("roster tasks")
        ordering = ["line", "scheme"]
        constraints = [
            models.UniqueConstraint(fields=["line", "scheme"], name="roster_task_scheme_unique")
        ]

    def __str__(self) -> str:
        return f"{self.line} · {self.get_scheme_display()} · {self.get_status_display()}"
