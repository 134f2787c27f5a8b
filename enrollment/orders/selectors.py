"""Reads of roster orders, scoped to the viewer."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.roles import Role
from agency.viewer import Viewer, scope_to_viewer
from clients.models import Client
from clients.selectors import client_get
from enrollment.models import (
    OPEN_LINE_STATUSES,
    OPEN_TASK_STATUSES,
    Enrollment,
    ImportState,
    LineAction,
    LineStatus,
    OrderImport,
    OrderStatus,
    RosterLine,
    RosterOrder,
    RosterTask,
    order_status_of,
)
from enrollment.orders.records import rep_load_after

# staff who process roster orders (take them in for a client, move lines with the bureau)
ORDER_PROCESSORS = (Role.ADMIN, Role.MANAGER, Role.SERVICE_REP)


def order_client(*, viewer: Viewer, client_id: int | None = None) -> Client:
    """The client an order is for, whichever route it comes by (portal form or upload, API,
    staff's e-mail intake): a client caller's own client (a read-only portal user may not
    submit: 403); staff who process orders name it (`client_id`; missing: 400 naming
    `client`); anyone else: 403."""
    if viewer.is_client and viewer.client_id is not None:
        if viewer.role == Role.CLIENT_VIEWER:
            raise DomainError(
                code="permission_denied", status=403,
                message="只读用户不能提交派单 / A read-only user cannot submit orders",
            )
        return client_get(viewer=viewer, pk=viewer.client_id)
    if viewer.is_staff and viewer.has_role(*ORDER_PROCESSORS):
        if client_id is None:
            raise ValidationFailed([ErrorDetail(
                code="required", field="client",
                message="员工代客户提交时须指定 client / Staff must name the client")])
        return client_get(viewer=viewer, pk=client_id)
    raise DomainError(code="permission_denied", status=403,
                      message="无权提交派单 / Not allowed to submit orders")


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
    order = (order_list(viewer=viewer).select_related("import_job").defer("import_job__data")
             .prefetch_related(_lines_prefetch()).filter(pk=pk).first())
    if order is None:
        raise Http404
    return order


def order_status(order: RosterOrder) -> OrderStatus:
    """Where the order stands (see `RosterOrder.progress`); an order whose workbook is
    being imported in the background is processing, one whose import was refused is
    rejected (it has no line either way)."""
    job = import_job_of(order)
    if job is not None and job.state == ImportState.IMPORTING:
        return OrderStatus.PROCESSING
    if job is not None and job.state == ImportState.REJECTED:
        return OrderStatus.REJECTED
    return order.progress


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
    return order_list(viewer=viewer).select_related("import_job").defer(
        "import_job__data").prefetch_related(
        Prefetch("lines", queryset=RosterLine.objects.only("id", "order_id", "status"))
    )


def line_counts(order: RosterOrder) -> list[tuple[str, str, int]]:
    """(status, label, count) of the order's lines, in workflow order."""
    counts: dict[str, int] = {}
    for line in order.lines.all():
        counts[line.status] = counts.get(line.status, 0) + 1
    return [(s, str(label), counts[s]) for s, label in LineStatus.choices if s in counts]


@dataclass(frozen=True)
class LineDeadlines:
    """How the viewer's open roster lines stand against their 48-hour deadline (STD-6.3)."""

    open: int
    overdue: int  # past `handle_by`
    due_today: int  # not yet past it, due by the end of today (Asia/Shanghai)
    waiting_for_papers: int


def line_deadlines(*, viewer: Viewer, now: datetime.datetime) -> LineDeadlines:
    """The counts of the dashboards, in one query."""
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59,
                                                   microsecond=999999)
    counts = line_list(viewer=viewer).filter(status__in=OPEN_LINE_STATUSES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(handle_by__lt=now)),
        due_today=Count("pk", filter=Q(handle_by__gte=now, handle_by__lte=end_of_today)),
        waiting_for_papers=Count("pk", filter=Q(status=LineStatus.PAPERS_MISSING)),
    )
    return LineDeadlines(**counts)


def open_order_count(*, viewer: Viewer) -> int:
    """Orders of the viewer with a line still in the workflow (not every line finished)."""
    return order_list(viewer=viewer).filter(lines__status__in=OPEN_LINE_STATUSES).distinct(
    ).count()


def rep_load(*, client: Client) -> int | None:
    """How many insured persons the client's representative serves now, counting the adds
    under way (None without a representative): the load that the order intake holds
    under 500 (STD-3.2.4)."""
    return rep_load_after(client=client, lines=[])


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


def line_conflicts(order: RosterOrder) -> dict[int, list[str]]:
    """For staff only: what the client could not be told about the persons its open add
    lines name (STD-6.1; see `records.Known`): the person is enrolled, or being added,
    through another client in a scheme of the line (the bureau refuses 重复参保, and
    `enrollment_open` refuses the success), or the agency's record gives the number another
    name. Line id → messages. Three queries whatever the number of lines."""
    adds = [ln for ln in order.lines.all()
            if ln.action == LineAction.ADD and ln.person_id is not None
            and ln.status in OPEN_LINE_STATUSES]
    person_ids = {ln.person_id for ln in adds}
    if not person_ids:
        return {}
    active: dict[int, list[tuple[str, str, str]]] = {}
    for person_id, scheme, client_name, city_name in (
        Enrollment.objects.filter(person_id__in=person_ids, status=Enrollment.Status.ACTIVE)
        .exclude(client_id=order.client_id)
        .values_list("person_id", "scheme", "client__name", "city__name")
    ):
        active.setdefault(person_id, []).append((scheme, client_name, city_name))
    pending: dict[int, list[tuple[str, str, str]]] = {}
    for person_id, scheme, client_name, city_name in (
        RosterTask.objects.filter(line__person_id__in=person_ids, line__action=LineAction.ADD,
                                  status__in=OPEN_TASK_STATUSES)
        .exclude(line__order__client_id=order.client_id)
        .values_list("line__person_id", "scheme", "line__order__client__name",
                     "line__city__name")
    ):
        pending.setdefault(person_id, []).append((scheme, client_name, city_name))
    out: dict[int, list[str]] = {}
    for line in adds:
        schemes = {task.scheme for task in line.tasks.all()}
        found = []
        assert line.person is not None  # noqa: S101 - person_id checked above
        if line.name != line.person.name:
            found.append(_("The agency's record gives this ID number the name %(name)s.")
                         % {"name": line.person.name})
        found += [_("Enrolled through %(client)s in %(city)s: the bureau will refuse a second "
                    "enrolment.") % {"client": client, "city": city}
                  for scheme, client, city in active.get(line.person_id, []) if scheme in schemes]
        found += [_("Being added by %(client)s in %(city)s.") % {"client": client, "city": city}
                  for scheme, client, city in pending.get(line.person_id, [])
                  if scheme in schemes]
        if found:
            out[line.pk] = list(dict.fromkeys(found))
    return out


def order_number_parse(term: str) -> int | None:
    """The order id a search names: "#42" or "42" (orders go by their id); else None."""
    digits = term.strip().removeprefix("#").strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        return None
    return int(digits)


def order_search(*, viewer: Viewer, term: str) -> list[RosterOrder]:
    """The search box's order (issue 16): the one the number names, scoped as
    `order_list` (another client's is never found), in one query."""
    pk = order_number_parse(term)
    if pk is None:
        return []
    return list(order_list(viewer=viewer).filter(pk=pk))


# --- the API's orders: counts instead of lines, lines paged (issue 18) ------------------

# replies carry an order's lines inline up to this many; beyond, `line_counts` and the
# paged lines endpoint
INLINE_LINES_MAX = 100


def import_job_of(order: RosterOrder) -> OrderImport | None:
    """The order's background import, if it came by one (selected with the order by the
    selectors below: no query)."""
    try:
        return order.import_job
    except OrderImport.DoesNotExist:
        return None


def order_api_status(order: RosterOrder, line_counts: dict[str, int]) -> str:
    """The order's `status` in the API: `processing` while its workbook is being imported
    (the contract's word; the order has no line yet), `rejected` when the import refused
    it, else where its lines stand (`order_status_of`)."""
    job = import_job_of(order)
    if job is not None and job.state == ImportState.IMPORTING:
        return OrderStatus.PROCESSING
    if job is not None and job.state == ImportState.REJECTED:
        return OrderStatus.REJECTED
    return order_status_of(status for status in line_counts if status != "total")


def order_line_counts(order_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """`{"total": N, "<status>": n, ...}` of each order (statuses in workflow order, only
    those present), in one query whatever the number of orders."""
    ids = list(order_ids)
    found: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for order_id, status, n in (RosterLine.objects.filter(order_id__in=ids)
                                .values_list("order_id", "status").annotate(n=Count("pk"))
                                .order_by()):
        found[order_id][status] = n
    return {pk: {"total": sum(counts.values()),
                 **{s: counts[s] for s in LineStatus.values if s in counts}}
            for pk, counts in found.items()}


def order_list_api(*, viewer: Viewer) -> QuerySet[RosterOrder]:
    """The viewer's orders with their import (never its pending workbook), no lines."""
    return order_list(viewer=viewer).select_related("import_job").defer("import_job__data")


@dataclass(frozen=True)
class OrderReply:
    """An order as the API answers it: its line counts, and its lines when there are at
    most INLINE_LINES_MAX (else None: they are paged at the lines endpoint)."""

    order: RosterOrder
    line_counts: dict[str, int]
    lines: list[RosterLine] | None

    @property
    def status(self) -> str:
        return order_api_status(self.order, self.line_counts)

    @property
    def error(self) -> dict[str, Any] | None:
        job = import_job_of(self.order)
        return job.error if job is not None and job.state == ImportState.REJECTED else None

    @property
    def import_job(self) -> OrderImport | None:
        return import_job_of(self.order)


def order_replies(orders: Iterable[RosterOrder]) -> list[OrderReply]:
    """Replies without lines (order lists): one query for the counts of them all."""
    orders = list(orders)
    counts = order_line_counts(o.pk for o in orders)
    return [OrderReply(order=o, line_counts=counts[o.pk], lines=None) for o in orders]


def order_reply(*, viewer: Viewer, pk: int) -> OrderReply:
    """One order with its counts, and its lines (with their tasks) when few enough; another
    client's order: 404."""
    order = order_list_api(viewer=viewer).filter(pk=pk).first()
    if order is None:
        raise Http404
    counts = order_line_counts([order.pk])[order.pk]
    lines = None
    if counts["total"] <= INLINE_LINES_MAX:
        lines = list(order_lines(order=order))
    return OrderReply(order=order, line_counts=counts, lines=lines)


def order_lines(*, order: RosterOrder, status: str = "") -> QuerySet[RosterLine]:
    """The order's lines in order, each with its city, person and tasks (for paging)."""
    qs = RosterLine.objects.filter(order=order).select_related("city", "person").prefetch_related(
        Prefetch("tasks", queryset=RosterTask.objects.order_by("scheme"))).order_by("line_no")
    return qs.filter(status=status) if status else qs


def order_import_progress(*, viewer: Viewer, pk: int) -> tuple[RosterOrder, OrderImport | None]:
    """The order a progress page follows and its import (404 for another client's)."""
    order = order_list_api(viewer=viewer).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order, import_job_of(order)
