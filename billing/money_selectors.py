"""Reads of money in and out (issue 12), scoped to the viewer: bank statements (staff
only), receipts with their proposed or confirmed match, client ledgers (往来) and
refunds. A client (portal user or API key) sees only its own receipts and ledger;
another client's answers 404.

The ledger, as the client sees it: each issued bill adds its total; each receipt put on
the client's bills takes its amount off (kind `receipt`), the part of a receipt kept on
the client's account as a credit too (kind `credit`); a payment recorded directly on a
bill (not from a receipt) counts as a receipt; credit later used on a bill moves money
inside the account and is not listed again; an approved refund (退费) adds its amount
back. The balance is positive while the client owes."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from agency.viewer import Viewer, scope_to_viewer
from billing.models import (
    FROZEN_STATUSES,
    Allocation,
    BankStatement,
    Bill,
    BillStatus,
    Payment,
    Receipt,
    ReceiptStatus,
    Refund,
    RefundStatus,
)
from clients.models import Client

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# bills that still wait for money: issued to the client, not yet paid in full
OPEN_STATUSES = (BillStatus.ISSUED, BillStatus.CONFIRMED, BillStatus.DISPUTED)
KIND_ORDER = {"bill": 0, "receipt": 1, "credit": 2, "refund": 3}
MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=2)


# --- statements and receipts --------------------------------------------------------------

def statement_list(*, viewer: Viewer) -> QuerySet[BankStatement]:
    """Uploaded statements, newest first, with how many of their receipts are `matched`,
    `proposed` and `unmatched`: staff only (a statement holds every payer)."""
    if not viewer.is_staff:
        return BankStatement.objects.none()
    return BankStatement.objects.select_related("uploaded_by").annotate(
        matched=Count("receipts", filter=Q(receipts__status=ReceiptStatus.MATCHED)),
        proposed=Count("receipts", filter=Q(receipts__status=ReceiptStatus.PROPOSED)),
        unmatched=Count("receipts", filter=Q(receipts__status=ReceiptStatus.UNMATCHED)),
    ).order_by("-uploaded_at", "-pk")


def receipt_list(*, viewer: Viewer, statuses: tuple[str, ...] = (), q: str = "",
                 statement_id: int | None = None) -> QuerySet[Receipt]:
    """Receipts newest first with their confirmed allocations; a client sees only the
    receipts confirmed as its own."""
    active = Allocation.objects.filter(undone_at__isnull=True).select_related("bill")
    qs = scope_to_viewer(Receipt.objects.select_related("client", "statement"), viewer)
    if viewer.is_client:
        qs = qs.filter(status=ReceiptStatus.MATCHED)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if q:
        qs = qs.filter(Q(payer_name__icontains=q) | Q(reference__icontains=q)
                       | Q(payer_account__icontains=q) | Q(client__name__icontains=q)
                       | Q(serial__icontains=q))
    if statement_id is not None:
        qs = qs.filter(statement_id=statement_id)
    return qs.prefetch_related(Prefetch("allocations", queryset=active,
                                        to_attr="active_allocations")).order_by(
        "-received_on", "-pk")


def receipt_get(*, viewer: Viewer, pk: int) -> Receipt:
    receipt = receipt_list(viewer=viewer).filter(pk=pk).first()
    if receipt is None:
        raise Http404
    return receipt


def receipt_allocations(*, receipt: Receipt) -> QuerySet[Allocation]:
    """Every allocation of a receipt, undone ones too, oldest first."""
    return (Allocation.objects.filter(receipt=receipt)
            .select_related("bill", "confirmed_by", "undone_by").order_by("confirmed_at", "pk"))


@dataclass(frozen=True)
class Candidate:
    client: Client
    reason: str
    bills: list[tuple[Bill, Decimal]]


@dataclass(frozen=True)
class ReceiptView:
    """A receipt as the queue shows it: its proposal with the clients and bills named."""

    receipt: Receipt
    client: Client | None
    rule: str
    bills: list[tuple[Bill, Decimal]]
    credit: Decimal
    candidates: list[Candidate]
    allocations: list[Allocation] = field(default_factory=list)


def _bill_parts(pairs: list[list[str]] | None,
                bills: dict[int, Bill]) -> list[tuple[Bill, Decimal]]:
    return [(bills[int(pk)], Decimal(amount)) for pk, amount in pairs or []
            if int(pk) in bills]


def receipt_views(receipts: list[Receipt]) -> list[ReceiptView]:
    """The receipts' proposals with their clients and bills, in two queries."""
    client_ids: set[int] = set()
    bill_ids: set[int] = set()
    for r in receipts:
        proposal = r.proposal or {}
        if proposal.get("client"):
            client_ids.add(int(proposal["client"]))
        bill_ids.update(int(pk) for pk, _amount in proposal.get("bills", []))
        for c in proposal.get("candidates", []):
            client_ids.add(int(c["client"]))
            bill_ids.update(int(pk) for pk, _amount in c.get("bills", []))
    clients = Client.objects.in_bulk(client_ids) if client_ids else {}
    bills = Bill.objects.in_bulk(bill_ids) if bill_ids else {}
    out = []
    for r in receipts:
        proposal = r.proposal or {}
        client = clients.get(int(proposal["client"])) if proposal.get("client") else None
        candidates = [
            Candidate(client=clients[int(c["client"])], reason=str(c.get("reason", "")),
                      bills=_bill_parts(c.get("bills"), bills))
            for c in proposal.get("candidates", []) if int(c["client"]) in clients
        ]
        out.append(ReceiptView(
            receipt=r, client=client, rule=str(proposal.get("rule", "")),
            bills=_bill_parts(proposal.get("bills"), bills),
            credit=Decimal(proposal.get("credit") or ZERO), candidates=candidates,
            allocations=list(getattr(r, "active_allocations", [])),
        ))
    return out


def open_bills(*, client: Client) -> QuerySet[Bill]:
    """The client's bills that still wait for money, oldest first."""
    return (Bill.objects.filter(client=client, status__in=OPEN_STATUSES, total__gt=F("paid"))
            .order_by("month", "pk"))


# --- credit -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Credit:
    """A client's credit: what receipts left on its account, less what was used on bills
    and what was refunded; `requested` is held by refunds waiting for a manager."""

    received: Decimal
    used: Decimal
    refunded: Decimal
    requested: Decimal

    @property
    def balance(self) -> Decimal:
        return self.received - self.used - self.refunded

    @property
    def available(self) -> Decimal:
        return self.balance - self.requested


def _cents(value: Decimal | None) -> Decimal:
    """A sum as money: two places whatever the database returned (SQLite gives 5000)."""
    return (value or ZERO).quantize(CENT)


def credit_of(client: Client) -> Credit:
    sums = Allocation.objects.filter(client=client, undone_at__isnull=True).aggregate(
        received=Sum("amount", filter=Q(bill__isnull=True, receipt__isnull=False)),
        used=Sum("amount", filter=Q(from_credit=True)))
    refunds = Refund.objects.filter(client=client).aggregate(
        refunded=Sum("amount", filter=Q(status=RefundStatus.APPROVED)),
        requested=Sum("amount", filter=Q(status=RefundStatus.REQUESTED)))
    return Credit(received=_cents(sums["received"]), used=_cents(sums["used"]),
                  refunded=_cents(refunds["refunded"]), requested=_cents(refunds["requested"]))


def credit_balance(client: Client) -> Decimal:
    """Active credit allocations − credit used − approved refunds."""
    return credit_of(client).balance


# --- ledger -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerEntry:
    date: datetime.date
    kind: str  # bill, receipt, credit, refund
    reference: str
    amount: Decimal  # positive: the client owes more
    balance: Decimal = ZERO
    bill_id: int | None = None
    receipt_id: int | None = None


@dataclass(frozen=True)
class Ledger:
    """A client's ledger (往来): entries oldest first with the running balance."""

    client: Client
    entries: list[LedgerEntry]
    billed: Decimal
    received: Decimal
    refunded: Decimal
    credit: Credit

    @property
    def balance(self) -> Decimal:
        return self.billed - self.received + self.refunded


def _bill_entries(client: Client) -> list[LedgerEntry]:
    bills = (Bill.objects.filter(client=client, status__in=FROZEN_STATUSES)
             .only("id", "month", "issued_at", "total").order_by("issued_at", "pk"))
    return [LedgerEntry(date=timezone.localtime(b.issued_at).date() if b.issued_at else b.month,
                        kind="bill", reference=b.number, amount=b.total, bill_id=b.pk)
            for b in bills]


def _receipt_entries(allocations: list[Allocation]) -> list[LedgerEntry]:
    """Per receipt: the part put on bills (`receipt`) and the part kept as credit."""
    parts: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    receipts: dict[int, Receipt] = {}
    for a in allocations:
        if a.receipt is None:
            continue
        receipts[a.receipt.pk] = a.receipt
        parts[(a.receipt.pk, "receipt" if a.bill_id else "credit")] += a.amount
    return [LedgerEntry(date=receipts[pk].received_on, kind=kind,
                        reference=receipts[pk].serial or receipts[pk].reference[:100],
                        amount=-amount, receipt_id=pk)
            for (pk, kind), amount in parts.items()]


def _payment_entries(client: Client) -> list[LedgerEntry]:
    """Payments recorded directly on a bill (not through a receipt or the credit)."""
    payments = (Payment.objects.filter(bill__client=client, allocation__isnull=True)
                .select_related("bill").only("id", "amount", "paid_on", "reference",
                                             "bill__id", "bill__month"))
    return [LedgerEntry(date=p.paid_on, kind="receipt",
                        reference=p.reference or p.bill.number, amount=-p.amount,
                        bill_id=p.bill_id) for p in payments]


def _refund_entries(refunds: list[Refund]) -> list[LedgerEntry]:
    return [LedgerEntry(date=timezone.localtime(r.decided_at).date() if r.decided_at
                        else timezone.localtime(r.requested_at).date(),
                        kind="refund", reference=r.reason[:100], amount=r.amount)
            for r in refunds if r.status == RefundStatus.APPROVED]


def _with_balances(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    ordered = sorted(enumerate(entries), key=lambda p: (p[1].date, KIND_ORDER[p[1].kind], p[0]))
    out, balance = [], ZERO
    for _n, e in ordered:
        balance += e.amount
        out.append(LedgerEntry(date=e.date, kind=e.kind, reference=e.reference,
                               amount=e.amount, balance=balance, bill_id=e.bill_id,
                               receipt_id=e.receipt_id))
    return out


def _scoped_client(viewer: Viewer, client: Client) -> None:
    if viewer.is_staff:
        return
    if not viewer.is_client or viewer.client_id != client.pk:
        raise Http404


def client_ledger(*, viewer: Viewer, client: Client) -> Ledger:
    """The client's ledger with running balance (positive: the client owes)."""
    _scoped_client(viewer, client)
    allocations = list(Allocation.objects.filter(client=client, undone_at__isnull=True)
                       .select_related("receipt"))
    receipts = _receipt_entries(allocations)
    payments = _payment_entries(client)
    all_refunds = list(Refund.objects.filter(
        client=client, status__in=[RefundStatus.APPROVED, RefundStatus.REQUESTED]))
    refunds = _refund_entries(all_refunds)
    bills = _bill_entries(client)
    entries = _with_balances(bills + receipts + payments + refunds)
    used = sum((a.amount for a in allocations if a.from_credit), ZERO)
    credit_in = sum((a.amount for a in allocations if a.receipt_id and a.bill_id is None), ZERO)
    requested = sum((r.amount for r in all_refunds if r.status == RefundStatus.REQUESTED), ZERO)
    refunded = sum((e.amount for e in refunds), ZERO)
    return Ledger(
        client=client, entries=entries, billed=sum((e.amount for e in bills), ZERO),
        received=-sum((e.amount for e in receipts + payments), ZERO), refunded=refunded,
        credit=Credit(received=credit_in, used=used, refunded=refunded, requested=requested),
    )


def ledger_client_get(*, viewer: Viewer, pk: int) -> Client:
    """A client whose ledger the viewer may read (404 otherwise)."""
    client = scope_to_viewer(Client.objects.all(), viewer, "pk").filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def _sum_of(qs: QuerySet[Allocation] | QuerySet[Bill] | QuerySet[Refund] | QuerySet[Payment],
            group: str, amount: str) -> Coalesce:
    total = qs.order_by().values(group).annotate(s=Sum(amount)).values("s")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def ledger_client_list(*, viewer: Viewer, q: str = "") -> QuerySet[Client]:
    """Clients with money on their ledger (an issued bill, a receipt or a refund), by name,
    with `billed`, `received`, `refunded`, `balance` and `credit` annotated (one query)."""
    client = OuterRef("pk")
    active = Allocation.objects.filter(client=client, undone_at__isnull=True)
    qs = scope_to_viewer(Client.objects.all(), viewer, "pk").annotate(
        billed=_sum_of(Bill.objects.filter(client=client, status__in=FROZEN_STATUSES),
                       "client", "total"),
        from_receipts=_sum_of(active.filter(receipt__isnull=False), "client", "amount"),
        paid_direct=_sum_of(Payment.objects.filter(bill__client=client,
                                                   allocation__isnull=True),
                            "bill__client", "amount"),
        refunded=_sum_of(Refund.objects.filter(client=client, status=RefundStatus.APPROVED),
                         "client", "amount"),
        credit_in=_sum_of(active.filter(receipt__isnull=False, bill__isnull=True),
                          "client", "amount"),
        credit_used=_sum_of(active.filter(from_credit=True), "client", "amount"),
    ).annotate(
        received=F("from_receipts") + F("paid_direct"),
        balance=F("billed") - F("from_receipts") - F("paid_direct") + F("refunded"),
        credit=F("credit_in") - F("credit_used") - F("refunded"),
    ).filter(
        Exists(Bill.objects.filter(client=client, status__in=FROZEN_STATUSES))
        | Exists(Allocation.objects.filter(client=client))
        | Exists(Refund.objects.filter(client=client))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q))
    return qs.order_by("name", "pk")


# --- refunds ------------------------------------------------------------------------------

def refund_list(*, viewer: Viewer, status: str = "",
                client: Client | None = None) -> QuerySet[Refund]:
    """Refunds, those waiting for a manager first, then newest first."""
    qs = scope_to_viewer(Refund.objects.select_related("client", "requested_by",
                                                       "decided_by"), viewer)
    if status:
        qs = qs.filter(status=status)
    if client is not None:
        qs = qs.filter(client=client)
    waiting = Case(When(status=RefundStatus.REQUESTED, then=Value(0)), default=Value(1))
    return qs.order_by(waiting, "-requested_at", "-pk")


def refund_get(*, viewer: Viewer, pk: int) -> Refund:
    refund = refund_list(viewer=viewer).filter(pk=pk).first()
    if refund is None:
        raise Http404
    return refund


def queue_counts(*, viewer: Viewer) -> dict[str, int]:
    """How many receipts wait (unmatched, proposed) and refunds wait for a manager."""
    qs = Receipt.objects.all() if viewer.is_staff else Receipt.objects.none()
    counts = qs.aggregate(
        unmatched=Count("pk", filter=Q(status=ReceiptStatus.UNMATCHED)),
        proposed=Count("pk", filter=Q(status=ReceiptStatus.PROPOSED)))
    refunds = refund_list(viewer=viewer, status=RefundStatus.REQUESTED).count()
    return {"unmatched": counts["unmatched"], "proposed": counts["proposed"],
            "refunds": refunds}
