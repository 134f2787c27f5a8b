"""Reads of roster orders, scoped to the viewer."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from agency.viewer import Viewer
from enrollment.models import LineStatus, RosterLine, RosterOrder, RosterTask

OPEN_LINE_STATUSES = [LineStatus.RECEIVED, LineStatus.PAPERS_MISSING, LineStatus.SUBMITTED,
                      LineStatus.RETURNED]


def _lines_prefetch() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=RosterLine.objects.select_related("city", "person")
        .prefetch_related(Prefetch("tasks", queryset=RosterTask.objects.order_by("scheme")))
        .order_by("line_no"),
    )


def order_list(*, viewer: Viewer) -> QuerySet[RosterOrder]:
    qs = RosterOrder.objects.select_related("client").order_by("-received_at", "-pk")
    if viewer.is_staff:
        return qs
    if viewer.is_client and viewer.client_id is not None:
        return qs.filter(client_id=viewer.client_id)
    return qs.none()


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
    if viewer.is_staff:
        return qs
    if viewer.is_client and viewer.client_id is not None:
        return qs.filter(order__client_id=viewer.client_id)
    return qs.none()


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
