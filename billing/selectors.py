"""Reads of billing, scoped to the viewer: a client (portal user or API key) sees only its
own bills and invoices, and never a draft; another client's object answers 404."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from agency.viewer import Viewer, scope_to_viewer
from agency.workdays import uncovered_years
from billing.models import (
    FROZEN_STATUSES,
    AgencyEntity,
    Bill,
    BillLine,
    BillStatus,
    Invoice,
    InvoiceItem,
    Payment,
)

ZERO = Decimal("0.00")


def bill_list(*, viewer: Viewer, month: datetime.date | None = None, status: str = "",
              client_id: int | None = None) -> QuerySet[Bill]:
    """Bills newest month first; a client sees its bills once issued (never a draft or a
    voided one)."""
    qs = scope_to_viewer(Bill.objects.select_related("client"), viewer)
    if viewer.is_client:
        qs = qs.filter(status__in=FROZEN_STATUSES)
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    if status:
        qs = qs.filter(status=status)
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.annotate(invoiced=Exists(Invoice.objects.filter(bill=OuterRef("pk")))).order_by(
        "-month", "client__name", "pk")


def bill_get(*, viewer: Viewer, pk: int) -> Bill:
    bill = bill_list(viewer=viewer).filter(pk=pk).first()
    if bill is None:
        raise Http404
    return bill


def bill_lines(*, bill: Bill, line_type: str = "") -> QuerySet[BillLine]:
    """A bill's lines in their order, person and city joined."""
    qs = BillLine.objects.filter(bill=bill).select_related("person", "city")
    if line_type:
        qs = qs.filter(line_type=line_type)
    return qs.order_by("pk")


def bill_payments(*, bill: Bill) -> QuerySet[Payment]:
    return Payment.objects.filter(bill=bill).select_related("recorded_by").order_by("paid_on",
                                                                                    "pk")


def invoice_list(*, viewer: Viewer, month: datetime.date | None = None,
                 bill: Bill | None = None) -> QuerySet[Invoice]:
    qs = scope_to_viewer(Invoice.objects.select_related("bill", "bill__client"), viewer,
                         "bill__client_id")
    if month is not None:
        qs = qs.filter(issued_on__year=month.year, issued_on__month=month.month)
    if bill is not None:
        qs = qs.filter(bill=bill)
    return qs.prefetch_related("items").order_by("-issued_on", "-number")


def invoice_get(*, viewer: Viewer, pk: int) -> Invoice:
    invoice = invoice_list(viewer=viewer).filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return invoice


def invoice_items(*, invoice: Invoice) -> QuerySet[InvoiceItem]:
    return InvoiceItem.objects.filter(invoice=invoice).order_by("position")


def invoice_overdue_list(*, viewer: Viewer, today: datetime.date) -> QuerySet[Bill]:
    """Bills paid in full and not yet invoiced, whose 10 working days have passed."""
    return bill_list(viewer=viewer).filter(status=BillStatus.PAID, invoice_due_by__lt=today,
                                           invoices__isnull=True).order_by("invoice_due_by", "pk")


def invoice_due_list(*, viewer: Viewer) -> QuerySet[Bill]:
    """Bills paid in full and not yet invoiced, soonest due first."""
    return bill_list(viewer=viewer).filter(status=BillStatus.PAID, invoices__isnull=True).order_by(
        "invoice_due_by", "pk")


@dataclass(frozen=True)
class MonthTotals:
    """A month's billed totals (issued bills and drafts apart), by city and by item."""

    month: datetime.date
    bills: int
    drafts: int
    social_insurance: Decimal
    housing_fund: Decimal
    service_fee: Decimal
    total: Decimal
    by_city: list[dict[str, object]]
    by_item: list[dict[str, object]]


def month_totals(*, viewer: Viewer, month: datetime.date) -> MonthTotals:
    """What the month's bills hold: totals of the bills not void, per city (lines) and per
    item (employer and employee of each kind)."""
    bills = bill_list(viewer=viewer, month=month).exclude(status=BillStatus.VOID)
    agg = bills.aggregate(si=Sum("social_insurance"), hf=Sum("housing_fund"),
                          fee=Sum("service_fee"), total=Sum("total"), n=Count("pk"),
                          drafts=Count("pk", filter=Q(status=BillStatus.DRAFT)))
    lines = BillLine.objects.filter(bill__in=bills.values("pk"))
    by_city = list(
        lines.values("city__code", "city__name")
        .annotate(persons=Count("person", distinct=True), social_insurance=Sum("social_insurance"),
                  housing_fund=Sum("housing_fund"), service_fee=Sum("service_fee"),
                  total=Sum("total"))
        .order_by("city__code")
    )
    items: dict[str, dict[str, Decimal]] = {}
    for line_items in lines.values_list("items", flat=True).iterator(chunk_size=5000):
        for i in line_items:
            row = items.setdefault(i["kind"], {"employer": ZERO, "employee": ZERO})
            row["employer"] += Decimal(i["employer"])
            row["employee"] += Decimal(i["employee"])
    by_item: list[dict[str, object]] = [
        {"kind": kind, "employer": v["employer"], "employee": v["employee"],
         "total": v["employer"] + v["employee"]} for kind, v in sorted(items.items())
    ]
    return MonthTotals(
        month=month.replace(day=1), bills=agg["n"] or 0, drafts=agg["drafts"] or 0,
        social_insurance=agg["si"] or ZERO, housing_fund=agg["hf"] or ZERO,
        service_fee=agg["fee"] or ZERO, total=agg["total"] or ZERO, by_city=by_city,
        by_item=by_item,
    )


def seller() -> AgencyEntity | None:
    return AgencyEntity.objects.order_by("pk").first()


def calendar_gaps(*, today: datetime.date) -> list[int]:
    """This year and next, where the official holiday calendar is missing (working days
    then fall back to Monday–Friday)."""
    return uncovered_years([today.year, today.year + 1])


@dataclass(frozen=True)
class BillingSummary:
    """The billing figures of the dashboards."""

    invoices_due: int  # paid in full, not yet invoiced
    invoices_overdue: int  # … and past their 10 working days
    disputed: int
    to_confirm: int  # issued, waiting for the client


def billing_summary(*, viewer: Viewer, today: datetime.date) -> BillingSummary:
    """The dashboards' billing counts, in one query."""
    uninvoiced = Q(status=BillStatus.PAID, invoices__isnull=True)
    counts = scope_to_viewer(Bill.objects.all(), viewer).aggregate(
        due=Count("pk", filter=uninvoiced, distinct=True),
        overdue=Count("pk", filter=uninvoiced & Q(invoice_due_by__lt=today), distinct=True),
        disputed=Count("pk", filter=Q(status=BillStatus.DISPUTED), distinct=True),
        to_confirm=Count("pk", filter=Q(status=BillStatus.ISSUED), distinct=True),
    )
    return BillingSummary(invoices_due=counts["due"], invoices_overdue=counts["overdue"],
                          disputed=counts["disputed"], to_confirm=counts["to_confirm"])


BILL_NUMBER = re.compile(r"B?(\d{4})(\d{2})(?:-(\d{1,9}))?", re.IGNORECASE)


def bill_number_parse(term: str) -> tuple[datetime.date, int | None] | None:
    """The month and id a bill number names (`Bill.number`, e.g. B202611-000042; the month
    alone, B202611, names that month's bills); None when `term` is no bill number (the
    "B" or the dash is needed: six digits alone are not taken for a month)."""
    term = term.strip()
    found = BILL_NUMBER.fullmatch(term)
    if found is None or not (term[:1] in "bB" or found.group(3)):
        return None
    year, month, pk = int(found.group(1)), int(found.group(2)), found.group(3)
    if not (1 <= month <= 12 and year >= 1):
        return None
    return datetime.date(year, month, 1), (int(pk) if pk else None)


def bill_search(*, viewer: Viewer, term: str, limit: int = 10) -> list[Bill]:
    """The search box's bills (issue 16): the bill a number names, or a month's bills
    (B202611), scoped as `bill_list` (a client never sees a draft), in one query."""
    parsed = bill_number_parse(term)
    if parsed is None:
        return []
    month, pk = parsed
    qs = bill_list(viewer=viewer, month=month)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return list(qs[:limit])


# --- the dashboards (issue 16) ---------------------------------------------------------------

@dataclass(frozen=True)
class MonthBilled:
    """What the bills issued for one month come to (issued, confirmed, disputed or paid;
    never a draft or a voided bill)."""

    month: datetime.date
    bills: int
    social_insurance: Decimal
    housing_fund: Decimal
    service_fee: Decimal
    total: Decimal


def bill_totals_by_month(*, viewer: Viewer, months: list[datetime.date]) -> list[MonthBilled]:
    """The issued bills' totals of each month of `months` (first days), the viewer's (a
    client its own, staff every client's): one aggregate query; a month without bills is
    all zero."""
    if not months:
        return []
    rows = {r["month"]: r for r in (
        scope_to_viewer(Bill.objects.all(), viewer)
        .filter(status__in=FROZEN_STATUSES, month__gte=months[0], month__lte=months[-1])
        .order_by().values("month")
        .annotate(n=Count("pk"), si=Sum("social_insurance"), hf=Sum("housing_fund"),
                  fee=Sum("service_fee"), total=Sum("total")))}
    out = []
    for month in months:
        r = rows.get(month, {})
        out.append(MonthBilled(month=month, bills=r.get("n") or 0,
                               social_insurance=r.get("si") or ZERO,
                               housing_fund=r.get("hf") or ZERO,
                               service_fee=r.get("fee") or ZERO, total=r.get("total") or ZERO))
    return out


def current_bill(*, viewer: Viewer, today: datetime.date) -> Bill | None:
    """The portal's "this month's bill": the viewer's bill of `today`'s month if there is
    one, else last month's (a month is billed once it is over: the bill issued this month
    is last month's); for a client, issued ones only (never a draft or a voided bill).
    One query."""
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    return (bill_list(viewer=viewer).filter(month__in=[this_month, last_month])
            .exclude(status__in=[BillStatus.VOID, BillStatus.DRAFT]).first())
