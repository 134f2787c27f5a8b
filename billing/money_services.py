"""Writes of money in and out (issue 12): bank statements imported as receipts (认款),
receipts matched to clients and bills, confirmed (payments on the bills, the rest a
credit on the client's account) or undone; the credit used on a bill; refunds (退费).

Rules every route gets (staff pages, API, demo):
- Only credits are receipts; a receipt already imported (the bank's serial number, else
  date + amount + payer + reference) is never added twice.
- The matcher proposes, a finance user confirms: (a) a bill number in the reference;
  (b) the payer's account, else name, being one the client pays from (or its own name);
  then, among the client's open bills, one whose outstanding equals the amount, else a
  set of them summing exactly to it, else the oldest in order with the rest as credit;
  (c) with no client found, one open bill of any client whose outstanding equals the
  amount. Anything else waits in the queue with its best candidates.
- A confirmation records a payment on each bill (`billing.services.payment_record`),
  remembers the payer's account for the client, and is audited. Undoing one takes a
  manager and a reason; it reverses the payments (refused once a bill is invoiced).
- Credit is used on an open bill of the same client, never beyond what is available;
  a refund is requested by finance within the available credit and decided by a
  manager other than the one who asked."""

import difflib
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from itertools import combinations
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from agency.bulk import bulk_insert_with_history
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.roles import Role
from agency.services import audit_record
from billing.models import (
    Allocation,
    BankStatement,
    Bill,
    BillStatus,
    Invoice,
    PayerAccount,
    Payment,
    Receipt,
    ReceiptStatus,
    Refund,
    RefundStatus,
)
from billing.money_selectors import OPEN_STATUSES, credit_of
from billing.services import payment_record
from billing.statements import StatementRow, statement_read
from clients.models import Client

ZERO = Decimal("0.00")
WRITERS = (Role.ADMIN, Role.MANAGER, Role.FINANCE)
DECIDERS = (Role.ADMIN, Role.MANAGER)
MAX_SUBSET_BILLS = 6  # a receipt paying a set of bills: sets of up to 6 …
SUBSET_POOL = 12  # … among the client's 12 oldest open bills
MAX_CANDIDATES = 5
NAME_SIMILARITY = 0.6
CREDIT_REFERENCE = "余额抵扣"
# B202611-000042: "B", the month, "-", the bill's id (`Bill.number`)
BILL_NUMBER = re.compile(r"B(\d{4})(\d{2})-(\d{6})")
_NAME_NOISE = re.compile(r"\s+")
_ACCOUNT_NOISE = re.compile(r"[\s\-]")
STATEMENT_LOCK = 0x52454350  # one statement import at a time (PostgreSQL advisory lock)


class MatchRule(StrEnum):
    BILL_NUMBER = "bill_number"
    PAYER_ACCOUNT = "payer_account"
    PAYER_NAME = "payer_name"
    AMOUNT = "amount"


SIMILAR_NAME = "similar_name"  # a candidate's reason: the payer's name looks like the client's


# --- who may act --------------------------------------------------------------------------

def _refuse(roles_zh: str, roles_en: str) -> DomainError:
    return DomainError(code="permission_denied", status=403,
                       message=f"仅{roles_zh}可执行此操作 / Only {roles_en} may do this")


def _require_writer(actor: User | None) -> None:
    """Finance, a manager or an administrator (None: the system, e.g. the demo seed)."""
    if actor is not None and actor.role not in WRITERS:
        raise _refuse("财务、经理或管理员", "finance, a manager or an administrator")


def _require_decider(actor: User | None) -> None:
    """A manager or an administrator, always a person."""
    if actor is None or actor.role not in DECIDERS:
        raise _refuse("经理或管理员", "a manager or an administrator")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def normalized_name(text: str) -> str:
    """A name as compared: NFKC-folded (full-width brackets), no spaces, lower-case."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def normalized_account(text: str) -> str:
    return _ACCOUNT_NOISE.sub("", unicodedata.normalize("NFKC", text or ""))


# --- statements ---------------------------------------------------------------------------

def _new_rows(rows: Iterable[StatementRow]) -> tuple[list[StatementRow], int]:
    """The credits not imported before (nor earlier in the same file), and how many
    were duplicates."""
    by_key: dict[str, StatementRow] = {}
    duplicates = 0
    for row in rows:
        if not row.is_receipt:
            continue
        if row.dedupe_key in by_key:
            duplicates += 1
        else:
            by_key[row.dedupe_key] = row
    keys = list(by_key)
    existing: set[str] = set()
    for start in range(0, len(keys), 5000):
        existing.update(Receipt.objects.filter(dedupe_key__in=keys[start:start + 5000])
                        .values_list("dedupe_key", flat=True))
    duplicates += len(existing)
    return [row for key, row in by_key.items() if key not in existing], duplicates


@transaction.atomic
def statement_import(*, data: bytes, file_name: str, actor: User | None) -> BankStatement:
    """Import a bank statement file (.xlsx or .csv): each credit not seen before becomes
    an unmatched receipt, then the matcher proposes a match for the new ones. A row that
    cannot be read refuses the whole file (`ValidationFailed` naming row and field)."""
    _require_writer(actor)
    rows = statement_read(data, file_name)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STATEMENT_LOCK])
    new, duplicates = _new_rows(rows)
    statement = BankStatement(
        file_name=(file_name or "statement")[-200:], sha256=hashlib.sha256(data).hexdigest(),
        rows=len(rows), receipts_added=len(new), duplicates=duplicates, uploaded_by=actor)
    statement.save()
    receipts = bulk_insert_with_history([
        Receipt(statement=statement, dedupe_key=row.dedupe_key, serial=row.serial,
                received_on=row.received_on, amount=row.credit or ZERO,
                payer_name=row.payer_name, payer_account=row.payer_account,
                reference=row.reference)
        for row in new
    ], Receipt, user=actor)
    receipts_match(receipts=receipts, actor=actor)
    audit_record(actor=actor, action=AuditEvent.Action.IMPORT, target=statement,
                 detail={"event": "statement.imported", "file": statement.file_name,
                         "rows": statement.rows, "receipts_added": statement.receipts_added,
                         "duplicates": statement.duplicates})
    return statement


# --- matching -----------------------------------------------------------------------------

@dataclass
class _OpenBill:
    pk: int
    client_id: int
    outstanding: Decimal  # less what earlier receipts of the same run were proposed for


@dataclass
class _Index:
    """What the matcher looks receipts up in, loaded once per run."""

    client_names: dict[int, str]
    by_account: dict[str, set[int]]
    by_name: dict[str, set[int]]
    open_bills: dict[int, list[_OpenBill]]
    numbered: dict[int, tuple[int, str, bool]] = field(default_factory=dict)  # pk → client,
    # month (YYYYMM), open

    def bills_of(self, client_id: int) -> list[_OpenBill]:
        return [b for b in self.open_bills.get(client_id, []) if b.outstanding > 0]

    def bills_owing(self, amount: Decimal) -> list[_OpenBill]:
        return [b for bills in self.open_bills.values() for b in bills
                if b.outstanding == amount]


def _held(receipts: Sequence[Receipt]) -> dict[int, Decimal]:
    """What other receipts' proposals already put on each bill (waiting to be confirmed):
    a bill is not proposed twice for the same money."""
    held: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for proposal in (Receipt.objects.filter(status=ReceiptStatus.PROPOSED)
                     .exclude(pk__in=[r.pk for r in receipts if r.pk])
                     .values_list("proposal", flat=True)):
        for pk, amount in (proposal or {}).get("bills", []):
            held[int(pk)] += Decimal(amount)
    return held


def _load_index(receipts: Sequence[Receipt]) -> _Index:
    names = dict(Client.objects.values_list("pk", "name"))
    by_account: dict[str, set[int]] = defaultdict(set)
    by_name: dict[str, set[int]] = defaultdict(set)
    for pk, name in names.items():
        by_name[normalized_name(name)].add(pk)
    for client_id, name, account in PayerAccount.objects.values_list("client_id", "name",
                                                                     "account"):
        if account:
            by_account[normalized_account(account)].add(client_id)
        if name:
            by_name[normalized_name(name)].add(client_id)
    held = _held(receipts)
    open_bills: dict[int, list[_OpenBill]] = defaultdict(list)
    for pk, client_id, total, paid in (
            Bill.objects.filter(status__in=OPEN_STATUSES, total__gt=F("paid"))
            .order_by("month", "pk").values_list("pk", "client_id", "total", "paid")):
        outstanding = total - paid - held.get(pk, ZERO)
        if outstanding > 0:
            open_bills[client_id].append(_OpenBill(pk, client_id, outstanding))
    numbers = {int(m.group(3)) for r in receipts
               for m in BILL_NUMBER.finditer(unicodedata.normalize("NFKC", r.reference).upper())}
    numbered = {pk: (client_id, f"{month:%Y%m}", status in OPEN_STATUSES)
                for pk, client_id, month, status in Bill.objects.filter(pk__in=numbers)
                .exclude(status__in=[BillStatus.DRAFT, BillStatus.VOID])
                .values_list("pk", "client_id", "month", "status")} if numbers else {}
    return _Index(client_names=names, by_account=by_account, by_name=by_name,
                  open_bills=open_bills, numbered=numbered)


def _named_bills(receipt: Receipt, index: _Index) -> tuple[int | None, list[_OpenBill]]:
    """Rule (a): the bills whose numbers the reference quotes, if all of one client: that
    client and the quoted bills still open, in the order quoted."""
    text = unicodedata.normalize("NFKC", receipt.reference).upper()
    found: list[int] = []
    for m in BILL_NUMBER.finditer(text):
        pk = int(m.group(3))
        known = index.numbered.get(pk)
        if known is not None and known[1] == m.group(1) + m.group(2) and pk not in found:
            found.append(pk)
    clients = {index.numbered[pk][0] for pk in found}
    if len(clients) != 1:
        return None, []
    client_id = clients.pop()
    by_pk = {b.pk: b for b in index.bills_of(client_id)}
    return client_id, [by_pk[pk] for pk in found if pk in by_pk]


def _one(ids: set[int] | None) -> int | None:
    return next(iter(ids)) if ids and len(ids) == 1 else None


def _payer_client(receipt: Receipt, index: _Index) -> tuple[int | None, MatchRule | None]:
    """Rule (b): the payer's account, else its name, is one a single client pays from
    (or the client's own name)."""
    account = normalized_account(receipt.payer_account)
    if account:
        client_id = _one(index.by_account.get(account))
        if client_id is not None:
            return client_id, MatchRule.PAYER_ACCOUNT
    name = normalized_name(receipt.payer_name)
    if name:
        client_id = _one(index.by_name.get(name))
        if client_id is not None:
            return client_id, MatchRule.PAYER_NAME
    return None, None


def _subset(bills: list[_OpenBill], amount: Decimal) -> list[_OpenBill] | None:
    """The first set (oldest bills first) of 2 to 6 of the oldest open bills whose
    outstanding amounts add up exactly to `amount`."""
    pool = bills[:SUBSET_POOL]
    for size in range(2, min(MAX_SUBSET_BILLS, len(pool)) + 1):
        for combo in combinations(pool, size):
            if sum((b.outstanding for b in combo), ZERO) == amount:
                return list(combo)
    return None


def _allocate(bills: list[_OpenBill], amount: Decimal,
             named: list[_OpenBill] | None = None) -> tuple[list[tuple[_OpenBill, Decimal]],
                                                            Decimal]:
    """How `amount` settles the client's open `bills` (oldest first): the `named` bills
    in order (the rest is credit); else one bill owing exactly the amount; else a set of
    bills owing exactly the amount; else the oldest bills in order, the rest as credit."""
    if named:
        chosen = named
    else:
        exact = next((b for b in bills if b.outstanding == amount), None)
        chosen = [exact] if exact is not None else (_subset(bills, amount) or bills)
    parts: list[tuple[_OpenBill, Decimal]] = []
    rest = amount
    for bill in chosen:
        if rest <= 0:
            break
        part = min(rest, bill.outstanding)
        if part > 0:
            parts.append((bill, part))
            rest -= part
    return parts, rest


def _similar_names(receipt: Receipt, index: _Index) -> list[tuple[float, int]]:
    name = normalized_name(receipt.payer_name)
    if len(name) < 2:
        return []
    scored: dict[int, float] = {}
    for other, client_ids in index.by_name.items():
        matcher = difflib.SequenceMatcher(None, name, other)
        if matcher.real_quick_ratio() < NAME_SIMILARITY and not (name in other
                                                                 or other in name):
            continue
        ratio = 1.0 if (name in other or other in name) else matcher.ratio()
        if ratio >= NAME_SIMILARITY:
            for client_id in client_ids:
                scored[client_id] = max(ratio, scored.get(client_id, 0.0))
    return sorted(((r, c) for c, r in scored.items()), key=lambda p: (-p[0], p[1]))


def _candidates(receipt: Receipt, index: _Index) -> list[dict[str, Any]]:
    """The best guesses for a receipt with no sure match: clients with an open bill (or
    all their open bills together) owing exactly the amount, then similar names."""
    out: dict[int, dict[str, Any]] = {}

    def add(client_id: int, reason: str, bills: list[list[str]]) -> None:
        if client_id not in out and client_id in index.client_names:
            out[client_id] = {"client": client_id, "name": index.client_names[client_id],
                              "reason": reason, "bills": bills}

    for bill in index.bills_owing(receipt.amount):
        add(bill.client_id, MatchRule.AMOUNT, [[str(bill.pk), _money(bill.outstanding)]])
    for client_id, bills in sorted(index.open_bills.items()):
        owing = [b for b in bills if b.outstanding > 0]
        if len(owing) > 1 and sum((b.outstanding for b in owing), ZERO) == receipt.amount:
            add(client_id, MatchRule.AMOUNT, [[str(b.pk), _money(b.outstanding)] for b in owing])
    for _ratio, client_id in _similar_names(receipt, index):
        add(client_id, SIMILAR_NAME, [])
    return list(out.values())[:MAX_CANDIDATES]


def _propose(receipt: Receipt, index: _Index) -> dict[str, Any]:
    """The receipt's proposal: a sure match (`client`, `bills`, `credit`, `rule`) or the
    `candidates`. Bills proposed are held for the next receipts of the same run."""
    client_id, named = _named_bills(receipt, index)
    rule: MatchRule | None = MatchRule.BILL_NUMBER if client_id is not None else None
    if client_id is None:
        client_id, rule = _payer_client(receipt, index)
    if client_id is None:
        owing = index.bills_owing(receipt.amount)
        if len(owing) == 1:
            client_id, rule, named = owing[0].client_id, MatchRule.AMOUNT, owing
    if client_id is None or rule is None:
        return {"candidates": _candidates(receipt, index)}
    parts, credit = _allocate(index.bills_of(client_id), receipt.amount, named)
    for bill, amount in parts:
        bill.outstanding -= amount
    return {"client": client_id, "bills": [[str(b.pk), _money(a)] for b, a in parts],
            "credit": _money(credit), "rule": str(rule)}


def receipts_match(*, receipts: Iterable[Receipt], actor: User | None = None) -> None:
    """Propose a match for each receipt not yet confirmed (oldest first): PROPOSED with
    `{"client", "bills": [[bill id, "amount"]], "credit", "rule"}`, else UNMATCHED with
    `{"candidates": [...]}`."""
    todo = sorted((r for r in receipts if r.status != ReceiptStatus.MATCHED),
                  key=lambda r: (r.received_on, r.pk))
    if not todo:
        return
    index = _load_index(todo)
    for receipt in todo:
        receipt.proposal = _propose(receipt, index)
        receipt.status = (ReceiptStatus.PROPOSED if "client" in receipt.proposal
                          else ReceiptStatus.UNMATCHED)
    bulk_update_with_history(todo, Receipt, ["proposal", "status"], batch_size=1000,
                             default_user=actor)


# --- confirming ---------------------------------------------------------------------------

def _locked_receipt(receipt: Receipt) -> Receipt:
    return Receipt.objects.select_for_update().get(pk=receipt.pk)


def _confirm_client(receipt: Receipt, client: Client | None) -> Client:
    if client is not None:
        return client
    proposed = (receipt.proposal or {}).get("client")
    found = Client.objects.filter(pk=proposed).first() if proposed else None
    if found is None:
        raise ValidationFailed([ErrorDetail("required", "请选择客户 / Choose the client",
                                            field="client")])
    return found


def _stale() -> DomainError:
    return DomainError(code="proposal_stale", status=409,
                       message="建议的账单已有变化（可能已登记付款），请重新匹配 / The bills "
                               "proposed have changed (a payment was recorded?): match again")


def _proposed_parts(receipt: Receipt, client: Client) -> list[tuple[Bill | None, Decimal]]:
    """The proposal's bills, each still open and owing at least its part."""
    pairs = [(int(pk), Decimal(amount)) for pk, amount in receipt.proposal.get("bills", [])]
    bills = Bill.objects.in_bulk([pk for pk, _a in pairs])
    parts: list[tuple[Bill | None, Decimal]] = []
    for pk, amount in pairs:
        bill = bills.get(pk)
        if (bill is None or bill.client_id != client.pk or bill.status not in OPEN_STATUSES
                or bill.outstanding < amount):
            raise _stale()
        parts.append((bill, amount))
    return parts


def allocation_plan(*, bills: Sequence[Bill], amount: Decimal
                    ) -> tuple[list[tuple[Bill, Decimal]], Decimal]:
    """How the matcher's rules put `amount` on these open bills (oldest first), and the
    credit left; nothing is written (a page fills its split form with it)."""
    by_pk = {b.pk: b for b in bills}
    parts, credit = _allocate([_OpenBill(b.pk, b.client_id, b.outstanding) for b in bills],
                              amount)
    return [(by_pk[b.pk], part) for b, part in parts], credit


def _fresh_parts(receipt: Receipt, client: Client) -> list[tuple[Bill | None, Decimal]]:
    """The matcher's allocation of the receipt to another client's open bills."""
    bills = list(Bill.objects.filter(client=client, status__in=OPEN_STATUSES,
                                     total__gt=F("paid")).order_by("month", "pk"))
    parts, _credit = allocation_plan(bills=bills, amount=receipt.amount)
    return list(parts)


def _given_parts(receipt: Receipt, client: Client,
                 allocations: Sequence[tuple[Bill | None, Decimal]]
                 ) -> list[tuple[Bill | None, Decimal]]:
    """A split typed by the user: each part positive, each bill the client's, in all no
    more than the receipt."""
    errors: list[ErrorDetail] = []
    merged: dict[int | None, Decimal] = {}
    bills: dict[int, Bill] = {}
    for n, (bill, amount) in enumerate(allocations, start=1):
        if amount is None or amount <= 0:
            errors.append(ErrorDetail("amount_invalid", "金额须大于0 / The amount must be "
                                      "above 0", field="amount", line=n))
            continue
        if bill is not None and bill.client_id != client.pk:
            errors.append(ErrorDetail("not_this_client", "该账单不属于所选客户 / The bill is "
                                      "not the chosen client's", field="bill", line=n))
            continue
        key = bill.pk if bill is not None else None
        if bill is not None:
            bills[bill.pk] = bill
        merged[key] = merged.get(key, ZERO) + amount
    total = sum(merged.values(), ZERO)
    if total > receipt.amount:
        errors.append(ErrorDetail("over_allocated", f"分配合计 {total:.2f} 超过到账金额 "
                                  f"{receipt.amount:.2f} / The parts ({total:.2f}) are more "
                                  f"than the receipt ({receipt.amount:.2f})", field="amount"))
    if errors:
        raise ValidationFailed(errors)
    return [(bills[pk] if pk is not None else None, amount) for pk, amount in merged.items()
            if pk is not None]


def _remember_payer(receipt: Receipt, client: Client, actor: User | None) -> int | None:
    """Keep the account (or name) the receipt came from as one the client pays from, so
    its next payment matches by itself; the id of a new one."""
    account = normalized_account(receipt.payer_account)[:40]
    name = (receipt.payer_name.strip() or client.name)[:200]
    if not account and normalized_name(name) == normalized_name(client.name):
        return None
    if PayerAccount.objects.filter(name=name, account=account).exists():
        return None
    payer = PayerAccount(client=client, name=name, account=account)
    record_actor(payer, actor)
    try:
        with transaction.atomic():
            payer.save()
    except IntegrityError:  # the same account saved at the same moment
        return None
    return payer.pk


@transaction.atomic
def receipt_confirm(*, receipt: Receipt,
                    allocations: Sequence[tuple[Bill | None, Decimal]] | None = None,
                    client: Client | None = None, actor: User | None) -> Receipt:
    """Confirm a receipt: the proposal, or the receipt for another `client` (allocated
    by the matcher's rules), or the given split `allocations` of (bill or None, amount).
    Each bill part is recorded as a payment on the bill; what is left stays on the
    client's account as a credit. The payer's account is remembered for the client."""
    _require_writer(actor)
    receipt = _locked_receipt(receipt)
    if receipt.status == ReceiptStatus.MATCHED:
        raise DomainError(code="receipt_matched", status=409,
                          message="该笔到账已确认 / This receipt is already confirmed")
    client = _confirm_client(receipt, client)
    Client.objects.select_for_update().filter(pk=client.pk).first()  # its credit
    if allocations is not None:
        parts = _given_parts(receipt, client, allocations)
    elif (receipt.proposal or {}).get("client") == client.pk:
        parts = _proposed_parts(receipt, client)
    else:
        parts = _fresh_parts(receipt, client)
    for bill, amount in parts:
        assert bill is not None  # noqa: S101 - the credit part is added below
        payment = payment_record(bill=bill, amount=amount, paid_on=receipt.received_on,
                                 method=Payment.Method.BANK_TRANSFER,
                                 reference=receipt.serial or receipt.reference, actor=actor)
        _allocation_save(Allocation(receipt=receipt, client=client, bill=bill, payment=payment,
                                    amount=amount, confirmed_by=actor), actor)
    credit = receipt.amount - sum((amount for _bill, amount in parts), ZERO)
    if credit > 0:
        _allocation_save(Allocation(receipt=receipt, client=client, amount=credit,
                                    confirmed_by=actor), actor)
    remembered = _remember_payer(receipt, client, actor)
    proposed = allocations is None and receipt.proposal.get("client") == client.pk
    receipt.client, receipt.status = client, ReceiptStatus.MATCHED
    receipt.allocated = receipt.amount
    record_actor(receipt, actor)
    receipt.save()
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=receipt,
                 client_id=client.pk, detail={
                     "event": "receipt.confirmed", "amount": _money(receipt.amount),
                     "bills": [[b.pk if b else None, _money(a)] for b, a in parts],
                     "credit": _money(credit),
                     "rule": receipt.proposal.get("rule") if proposed else "manual",
                     "payer_account_created": remembered})
    return receipt


def _allocation_save(allocation: Allocation, actor: User | None) -> None:
    record_actor(allocation, actor)
    allocation.save()


@dataclass(frozen=True)
class BulkResult:
    confirmed: list[Receipt]
    failed: list[tuple[Receipt, DomainError]]


def receipts_confirm_bulk(*, receipts: Iterable[Receipt], actor: User | None) -> BulkResult:
    """Confirm every proposed receipt given (others are left alone); one that cannot be
    confirmed (its bills changed) is matched again and reported, the others go on."""
    _require_writer(actor)
    confirmed: list[Receipt] = []
    failed: list[tuple[Receipt, DomainError]] = []
    for receipt in receipts:
        if receipt.status != ReceiptStatus.PROPOSED:
            continue
        try:
            confirmed.append(receipt_confirm(receipt=receipt, actor=actor))
        except DomainError as error:
            failed.append((receipt, error))
    if failed:
        receipts_match(receipts=[Receipt.objects.get(pk=r.pk) for r, _e in failed],
                       actor=actor)
    return BulkResult(confirmed=confirmed, failed=failed)


# --- undoing ------------------------------------------------------------------------------

@transaction.atomic
def payment_reverse(*, payment: Payment, actor: User | None) -> Bill:
    """Take a payment off its bill (a confirmation undone): the payment is deleted (its
    history stays), the bill's paid amount recomputed and a bill that was paid in full
    goes back to confirmed (or issued) with no invoice due. Refused once the bill is
    invoiced: the invoice would have to be reversed first."""
    bill = Bill.objects.select_for_update(of=("self",)).get(pk=payment.bill_id)
    if Invoice.objects.filter(bill=bill).exists():
        raise DomainError(code="bill_invoiced", status=409,
                          message=f"账单 {bill.number} 已开票，不能撤销其付款 / Bill "
                                  f"{bill.number} is invoiced: its payment cannot be undone")
    for allocation in Allocation.objects.filter(payment=payment):
        allocation.payment = None
        _allocation_save(allocation, actor)
    record_actor(payment, actor)
    payment.delete()
    bill.paid = Payment.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"] or ZERO
    if bill.status == BillStatus.PAID and bill.paid < bill.total:
        bill.status = BillStatus.CONFIRMED if bill.confirmed_at else BillStatus.ISSUED
        bill.paid_on = bill.invoice_due_by = None
    record_actor(bill, actor)
    bill.save()
    return bill


def _forget_payer(receipt: Receipt, client: Client) -> None:
    """The payer account this receipt's confirmation added, unless another confirmed
    receipt of the client came from it too."""
    event = (AuditEvent.objects.filter(target_type=Receipt._meta.label_lower,
                                       target_id=str(receipt.pk),
                                       detail__event="receipt.confirmed")
             .order_by("-pk").first())
    pk = (event.detail or {}).get("payer_account_created") if event else None
    payer = PayerAccount.objects.filter(pk=pk, client=client).first() if pk else None
    if payer is None:
        return
    others = Receipt.objects.filter(client=client, status=ReceiptStatus.MATCHED,
                                    payer_account=receipt.payer_account,
                                    payer_name=receipt.payer_name).exclude(pk=receipt.pk)
    if not others.exists():
        payer.delete()


@transaction.atomic
def allocation_undo(*, receipt: Receipt, reason: str, actor: User | None) -> Receipt:
    """Undo a confirmed receipt (a manager, with a reason): its allocations are marked
    undone, its payments reversed; the receipt waits in the queue again, unmatched, with
    the matcher's guesses as candidates. Refused when its credit is already used."""
    _require_decider(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([ErrorDetail("required", "请说明撤销原因 / Give the reason",
                                            field="reason")])
    if len(reason) > 300:
        raise ValidationFailed([ErrorDetail("too_long", "原因最多300字 / At most 300 "
                                            "characters", field="reason")])
    receipt = _locked_receipt(receipt)
    client = receipt.client
    if receipt.status != ReceiptStatus.MATCHED or client is None:
        raise DomainError(code="receipt_not_matched", status=409,
                          message="该笔到账尚未确认 / This receipt is not confirmed")
    Client.objects.select_for_update().filter(pk=client.pk).first()
    allocations = list(Allocation.objects.filter(receipt=receipt, undone_at__isnull=True)
                       .select_related("payment"))
    credit = sum((a.amount for a in allocations if a.bill_id is None), ZERO)
    if credit and credit > credit_of(client).available:
        raise DomainError(code="credit_used", status=409,
                          message="该笔到账留下的余额已被使用或申请退费，不能撤销 / The credit "
                                  "this receipt left is already used or held by a refund")
    now = timezone.now()
    for allocation in allocations:
        payment = allocation.payment
        allocation.undone_by, allocation.undone_at = actor, now
        allocation.undo_reason, allocation.payment = reason, None
        _allocation_save(allocation, actor)
        if payment is not None:
            payment_reverse(payment=payment, actor=actor)
    _forget_payer(receipt, client)
    receipt.client, receipt.status, receipt.allocated = None, ReceiptStatus.UNMATCHED, ZERO
    index = _load_index([receipt])
    guess = _propose(receipt, index)
    candidates = _candidates(receipt, index)
    if "client" in guess:
        first = {"client": guess["client"], "name": index.client_names[guess["client"]],
                 "reason": guess["rule"], "bills": guess["bills"]}
        candidates = [first, *[c for c in candidates if c["client"] != guess["client"]]]
    receipt.proposal = {"candidates": candidates[:MAX_CANDIDATES], "undone": True}
    record_actor(receipt, actor)
    receipt.save()
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=receipt,
                 client_id=client.pk, detail={
                     "event": "receipt.undone", "reason": reason,
                     "amount": _money(receipt.amount),
                     "bills": [[a.bill_id, _money(a.amount)] for a in allocations if a.bill_id],
                     "credit": _money(credit)})
    return receipt


# --- credit and refunds -------------------------------------------------------------------

def _amount_error(message: str) -> ValidationFailed:
    return ValidationFailed([ErrorDetail("amount_invalid", message, field="amount")])


@transaction.atomic
def credit_apply(*, client: Client, bill: Bill, amount: Decimal,
                 actor: User | None) -> Allocation:
    """Use the client's credit on one of its open bills: a payment (method `other`,
    reference 余额抵扣) and an allocation from the credit."""
    _require_writer(actor)
    Client.objects.select_for_update().filter(pk=client.pk).first()
    if bill.client_id != client.pk:
        raise ValidationFailed([ErrorDetail("not_this_client", "该账单不属于此客户 / The bill "
                                            "is not this client's", field="bill")])
    if amount is None or amount <= 0:
        raise _amount_error("金额须大于0 / The amount must be above 0")
    available = credit_of(client).available
    if amount > available:
        raise _amount_error(f"超出可用余额 {available:.2f} / More than the {available:.2f} "
                            "of credit available")
    payment = payment_record(bill=bill, amount=amount, paid_on=timezone.localdate(),
                             method=Payment.Method.OTHER, reference=CREDIT_REFERENCE,
                             actor=actor)
    allocation = Allocation(client=client, bill=bill, payment=payment, from_credit=True,
                            amount=amount, confirmed_by=actor)
    _allocation_save(allocation, actor)
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=allocation,
                 client_id=client.pk, detail={"event": "credit.applied", "bill": bill.pk,
                                              "amount": _money(amount)})
    return allocation


@transaction.atomic
def refund_request(*, client: Client, amount: Decimal, reason: str,
                   actor: User | None) -> Refund:
    """Ask to pay back part of the client's credit (退费): within the credit available
    (less refunds already waiting); a manager decides."""
    _require_writer(actor)
    Client.objects.select_for_update().filter(pk=client.pk).first()
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(ErrorDetail("required", "请说明退费原因 / Give the reason",
                                  field="reason"))
    if amount is None or amount <= 0:
        errors.append(ErrorDetail("amount_invalid", "金额须大于0 / The amount must be above 0",
                                  field="amount"))
    else:
        available = credit_of(client).available
        if amount > available:
            errors.append(ErrorDetail(
                "above_credit", f"超出可退余额 {available:.2f} / More than the {available:.2f} "
                                "of credit available", field="amount"))
    if errors:
        raise ValidationFailed(errors)
    refund = Refund(client=client, amount=amount, reason=reason[:300], requested_by=actor)
    record_actor(refund, actor)
    refund.save()
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=refund,
                 client_id=client.pk, detail={"event": "refund.requested",
                                              "amount": _money(amount), "reason": refund.reason})
    return refund


@transaction.atomic
def refund_decide(*, refund: Refund, approve: bool, actor: User | None) -> Refund:
    """A manager (or an administrator) other than the one who asked approves or rejects a
    requested refund; an approval still fits in the client's credit."""
    _require_decider(actor)
    assert actor is not None  # noqa: S101 - _require_decider refuses the system
    Client.objects.select_for_update().filter(pk=refund.client_id).first()
    refund = Refund.objects.select_for_update().select_related("client").get(pk=refund.pk)
    if refund.status != RefundStatus.REQUESTED:
        raise DomainError(code="refund_decided", status=409,
                          message="该退费已处理 / This refund is already decided")
    if refund.requested_by_id == actor.pk:
        raise DomainError(code="own_refund", status=403,
                          message="退费须由申请人以外的经理审批 / A refund is decided by a "
                                  "manager other than the one who asked for it")
    if approve:
        balance = credit_of(refund.client).balance
        if refund.amount > balance:
            raise DomainError(code="above_credit", status=409,
                              message=f"客户余额仅 {balance:.2f}，不足以退费 / The client's "
                                      f"credit is only {balance:.2f}")
    refund.status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
    refund.decided_by, refund.decided_at = actor, timezone.now()
    record_actor(refund, actor)
    refund.save()
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=refund,
                 client_id=refund.client_id, detail={
                     "event": "refund.approved" if approve else "refund.rejected",
                     "amount": _money(refund.amount)})
    return refund
