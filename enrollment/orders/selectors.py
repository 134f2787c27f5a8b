"""Reads of roster orders, scoped to the viewer."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from agency.viewer import Viewer, scope_to_viewer
from enrollment.models import LineStatus, RosterLine, RosterOrder, RosterTask

OPEN_LINE_STATUSES = [LineStatus.RECEIVED, LineStatus.PAPERS_MISSING, LineStatus.SUBMITTED,
                      LineStatus.RETURNED]


def _lines_prefetch() -> "Prefetch[str, QuerySet[RosterLine], str]":
    return Prefetch(
        "lines",
        queryset=RosterLine.objects.select_related("city", "person")
        .prefetch_related(Prefetch("tasks", queryset=RosterTask.objects.order_by("scheme")))
        .order_by("line_no"),
    )


def order_list(*, viewer: Viewer) -> QuerySet[RosterOrder]:
    qs = RosterOrder.objects.select_related("client").order_by("-received_at", "-pk")
    return scope_to_viewer(qs, viewer, "client_id")


def order_get(*, viewer: Viewer, pk: int) -> RosterOrder:
    order = order_list(viewer=viewer).prefetch_related(_lines_prefetch()).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def order_status(order: RosterOrder) -> str:
    """received: nothing sent to the bureau yet; processing: under way; completed: every
    line finished (succeeded, failed, cancelled)."""
    statuses = {line.status for line in order.lines.all()}
    if statuses <= {LineStatus.RECEIVED, LineStatus.PAPERS_MISSING}:
        return "received"
    if statuses & set(OPEN_LINE_STATUSES):
        return "processing"
    return "completed"


def line_list(*, viewer: Viewer) -> QuerySet[RosterLine]:
    qs = RosterLine.objects.select_related("order__client", "city", "person").prefetch_related(
        Prefetch("tasks", queryset=RosterTask.objects.order_by("scheme"))
    )
    return scope_to_viewer(qs, viewer, "order__client_id")


def line_get(*, viewer: Viewer, pk: int) -> RosterLine:
    line = line_list(viewer=viewer).filter(pk=pk).first()
    if line is None:
        raise Http404
    return line


def work_queue(*, viewer: Viewer) -> QuerySet[RosterLine]:
    """Staff's queue: open lines, the most urgent (`handle_by`) first."""
    return line_list(viewer=viewer).filter(status__in=OPEN_LINE_STATUSES).order_by(
        "handle_by", "order_id", "line_no"
    )


def order_list_with_counts(*, viewer: Viewer) -> QuerySet[RosterOrder]:
    """Orders for list pages: each carries its lines' statuses only (for `order_status`
    and the counts by status), in one extra query per page."""
    return order_list(viewer=viewer).prefetch_related(
        Prefetch("lines", queryset=RosterLine.objects.only("id", "order_id", "status"))
    )


def line_counts(order: RosterOrder) -> list[tuple[str, str, int]]:
    """(status, label, count) of the order's lines, in workflow order."""
    counts: dict[str, int] = {}
    for line in order.lines.all():
        counts[line.status] = counts.get(line.status, 0) + 1
    return [(s, str(label), counts[s]) for s, label in LineStatus.choices if s in counts]


def work_queue_filtered(
    *, viewer: Viewer, client_id: int | None = None, city_code: str = "", status: str = "",
    action: str = "",
) -> QuerySet[RosterLine]:
    qs = work_queue(viewer=viewer)
    if client_id is not None:
        qs = qs.filter(order__client_id=client_id)
    if city_code:
        qs = qs.filter(city__code=city_code)
    if status:
        qs = qs.filter(status=status)
    if action:
        qs = qs.filter(action=action)
    return qs


def line_history(line: RosterLine) -> list[Any]:
    """The line's and its tasks' history records (django-simple-history), latest first."""
    records: list[Any] = list(line.history.select_related("history_user"))
    records += list(RosterTask.history.filter(line_id=line.pk).select_related("history_user"))
    return sorted(records, key=lambda r: (r.history_date, r.history_id), reverse=True)
