"""Selectors of the archive app: the reads the pages, the compliance watch and the portal
share."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from agency.deadlines import add_months, filing_due, month_start
from agency.viewer import Viewer, scope_to_viewer
from archive.models import ArchiveItem, FilingBatch, ItemKind, ItemStatus, Loan

# what a client reads of its own archive in the portal: its contract and its papers
PORTAL_KINDS = (ItemKind.AGREEMENT, ItemKind.CLIENT_PAPERS, ItemKind.ORDER_PAPERS)


def item_list(
    *, viewer: Viewer, client_id: int | None = None, kind: str | None = None,
    month: datetime.date | None = None,
) -> QuerySet[ArchiveItem]:
    """Items the viewer may see, narrowed by client, kind and month (a client viewer is
    scoped to its own client whatever `client_id` says)."""
    qs = scope_to_viewer(ArchiveItem.objects.all(), viewer, "client_id")
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    if kind:
        qs = qs.filter(kind=kind)
    if month is not None:
        qs = qs.filter(month=month_start(month))
    return qs.select_related("custodian", "filed_by").order_by("-month", "pk")


def item_get(*, viewer: Viewer, pk: int) -> ArchiveItem:
    try:
        return scope_to_viewer(ArchiveItem.objects.all(), viewer, "client_id").get(pk=pk)
    except ArchiveItem.DoesNotExist as exc:
        raise Http404 from exc


def portal_item_list(*, viewer: Viewer) -> QuerySet[ArchiveItem]:
    """A client's own contract and papers (never correspondence, never destroyed items)."""
    return (scope_to_viewer(ArchiveItem.objects.all(), viewer, "client_id")
            .filter(kind__in=PORTAL_KINDS).exclude(status=ItemStatus.DESTROYED)
            .order_by("-month", "pk"))


def portal_item_get(*, viewer: Viewer, pk: int) -> ArchiveItem:
    try:
        return portal_item_list(viewer=viewer).get(pk=pk)
    except ArchiveItem.DoesNotExist as exc:
        raise Http404 from exc


def _unfiled() -> QuerySet[ArchiveItem]:
    return ArchiveItem.objects.filter(filed_at__isnull=True).exclude(
        status=ItemStatus.DESTROYED
    )


def last_overdue_month(today: datetime.date) -> datetime.date:
    """The latest month whose filing deadline (end of the 15th of the next month, Asia/
    Shanghai; `today` is a Shanghai date) has passed."""
    previous = add_months(month_start(today), -1)
    return previous if filing_due(previous) < today else add_months(previous, -1)


def overdue_unfiled(*, today: datetime.date) -> QuerySet[ArchiveItem]:
    """Items still unfiled after their month's filing deadline: from the 16th, the previous
    month's (and any earlier month's)."""
    return _unfiled().filter(month__lte=last_overdue_month(today)).order_by("month", "pk")


def due_today(*, today: datetime.date) -> QuerySet[ArchiveItem]:
    """Unfiled items whose month's filing deadline is today (on the 15th: last month's)."""
    previous = add_months(month_start(today), -1)
    if filing_due(previous) != today:
        return ArchiveItem.objects.none()
    return _unfiled().filter(month=previous).order_by("pk")


def batch_list() -> QuerySet[FilingBatch]:
    return FilingBatch.objects.select_related("closed_by").order_by("-month")


def batch_items(*, batch: FilingBatch) -> QuerySet[ArchiveItem]:
    return (ArchiveItem.objects.filter(month=batch.month).exclude(status=ItemStatus.DESTROYED)
            .select_related("filed_by").order_by("checked", "pk"))


def loan_list(*, open_only: bool = False) -> QuerySet[Loan]:
    qs = Loan.objects.select_related("item")
    if open_only:
        qs = qs.filter(returned_on__isnull=True)
    return qs.order_by("due_on", "pk")


def loans_overdue(*, today: datetime.date) -> QuerySet[Loan]:
    return loan_list(open_only=True).filter(due_on__lt=today)


def file_received_before(
    *, client_id: int, sha256: str, subject_model: type[models.Model],
    since: datetime.datetime,
) -> ArchiveItem | None:
    """The newest item since `since` of the client whose file has this checksum and whose
    subject is a `subject_model` (the same roster workbook uploaded twice by mistake)."""
    return (ArchiveItem.objects
            .filter(client_id=client_id, sha256=sha256, created_at__gte=since,
                    content_type=ContentType.objects.get_for_model(subject_model))
            .order_by("-created_at").first())
