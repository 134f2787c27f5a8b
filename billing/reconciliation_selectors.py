"""Reads of bureau reconciliation (稽核): runs and their differences.

A run compares one bureau file with the bills of every client of a city and month, so
runs are staff's alone: a client viewer finds none (404). Differences are scoped to the
viewer by their client (`agency.viewer.scope_to_viewer`), so a portal page of a client's
own differences can reuse `difference_list`."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404

from agency.viewer import Viewer, scope_to_viewer
from billing.models import Difference, DifferenceKind, DifferenceStatus, ReconciliationRun

ZERO = Decimal("0.00")
OPEN = Q(differences__status=DifferenceStatus.OPEN)


def reconciliation_run_list(*, viewer: Viewer, city_id: int | None = None,
                            month: datetime.date | None = None) -> QuerySet[ReconciliationRun]:
    """Runs newest first, with their open differences counted; none for a client."""
    if viewer.is_client:
        return ReconciliationRun.objects.none()
    qs = ReconciliationRun.objects.select_related("city", "uploaded_by")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    return qs.annotate(open_count=Count("differences", filter=OPEN)).order_by(
        "-uploaded_at", "-pk")


def reconciliation_run_get(*, viewer: Viewer, pk: int) -> ReconciliationRun:
    run = reconciliation_run_list(viewer=viewer).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def in_kind_order(qs: QuerySet[Difference]) -> QuerySet[Difference]:
    """Differences in the order of their kinds (not billed, not charged, base, rate,
    rounding), then by client, name and item."""
    rank = Case(*(When(kind=kind.value, then=Value(n)) for n, kind in enumerate(DifferenceKind)),
                default=Value(len(DifferenceKind)), output_field=IntegerField())
    return qs.alias(kind_rank=rank).order_by("kind_rank", "client__name", "name", "item", "pk")


def difference_list(*, viewer: Viewer, run: ReconciliationRun, kind: str = "",
                    status: str = "") -> QuerySet[Difference]:
    """A run's differences by kind, client and name; the person, client and billed line
    joined."""
    qs = scope_to_viewer(Difference.objects.filter(run=run), viewer, "client_id")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return in_kind_order(qs.select_related("client", "decided_by", "bill_line__bill"))


def difference_get(*, viewer: Viewer, pk: int) -> Difference:
    difference = (scope_to_viewer(Difference.objects.select_related("run"), viewer,
                                  "client_id").filter(pk=pk).first())
    if difference is None or (viewer.is_client and difference.client_id is None):
        raise Http404
    return difference


@dataclass(frozen=True)
class KindSummary:
    """A run's differences of one kind: how many, how many still open, and what they come
    to (the bureau's minus ours; open ones apart)."""

    kind: str
    label: str
    count: int
    open: int
    delta: Decimal
    open_delta: Decimal


def difference_summary(*, viewer: Viewer, run: ReconciliationRun,
                       status: str = "") -> list[KindSummary]:
    """Per kind, in the order of the kinds (not billed, not charged, base, rate,
    rounding), one query."""
    qs = scope_to_viewer(Difference.objects.filter(run=run), viewer, "client_id")
    if status:
        qs = qs.filter(status=status)
    rows = {r["kind"]: r for r in qs.values("kind").annotate(
        count=Count("pk"), open=Count("pk", filter=Q(status=DifferenceStatus.OPEN)),
        sum=Sum("delta"), open_sum=Sum("delta", filter=Q(status=DifferenceStatus.OPEN)),
    ).order_by()}
    return [KindSummary(kind=kind.value, label=str(kind.label), count=row["count"],
                        open=row["open"], delta=row["sum"] or ZERO,
                        open_delta=row["open_sum"] or ZERO)
            for kind in DifferenceKind if (row := rows.get(kind.value)) is not None]
