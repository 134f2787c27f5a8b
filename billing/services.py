"""Writes of billing: generate, issue, confirm, dispute, answer, correct and void bills;
record payments; issue invoices and record their numbers on the tax platform.

Rules every route gets (staff pages, portal, API, tasks): one bill per client and month;
regenerating a draft replaces its lines (idempotent); an issued bill is frozen and a
later correction is a line of the next bill; issuing locks the policy versions the bill
used and records, per enrolment, the last month charged; no payment beyond what is owed;
an invoice only of a bill paid in full, due 10 Chinese working days after that payment."""

import datetime
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.deadlines import invoice_due, month_start
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, Licence, User
from agency.roles import Role
from agency.services import audit_record, notification_create
from agency.workdays import working_calendar
from billing.generation import PlannedLine, Policies, case_back_months, month_end, plan
from billing.models import (
    FROZEN_STATUSES,
    AgencyEntity,
    Bill,
    BillLine,
    BillStatus,
    Difference,
    DifferenceStatus,
    Invoice,
    InvoiceItem,
    InvoiceKind,
    InvoiceSequence,
    InvoiceTitle,
    LineType,
    Payment,
)
from billing.vat import invoice_items
from clients.models import Client, Contract, WebhookEvent
from clients.webhook_services import webhook_emit
from enrollment.cases.backpay import backpay_months_mark_billed, backpay_months_release
from enrollment.persons.enrollment_services import enrollments_mark_billed
from enrollment.persons.selectors import billable_enrollments
from policies.models import PolicyVersion
from policies.services import policy_version_lock

ZERO = Decimal("0.00")


def _bill_issued(bill: Bill) -> DomainError:
    return DomainError(
        code="bill_issued", status=409,
        message=f"{bill.month:%Y-%m} 的账单已出具，不能再改；更正请记入下月账单 / The bill of "
                f"{bill.month:%Y-%m} is issued and frozen; corrections go on the next bill",
    )


def _transition_error(bill: Bill, action_zh: str, action_en: str) -> DomainError:
    status_zh = {"draft": "草稿", "issued": "已出具", "confirmed": "已确认", "disputed": "有异议",
                 "paid": "已付清", "void": "已作废"}.get(bill.status, bill.status)
    return DomainError(
        code="invalid_transition", status=409,
        message=f"账单状态为“{status_zh}”，不能{action_zh} / The bill is {bill.status}: "
                f"cannot {action_en}",
    )


# --- generating -------------------------------------------------------------------------

def _originals(client: Client, enrollments: Iterable[Any]) -> dict[tuple[int, datetime.date],
                                                                   list[BillLine]]:
    """The lines of frozen bills a refund may reverse: per (person, month)."""
    persons = {e.person_id for e in enrollments
               if e.billed_through is not None and e.ends_on is not None
               and e.ends_on < e.billed_through}
    out: dict[tuple[int, datetime.date], list[BillLine]] = {}
    if not persons:
        return out
    corrected = BillLine.objects.filter(
        line_type=LineType.REFUND, bill__status__in=FROZEN_STATUSES
    ).values("corrects_id")
    lines = (BillLine.objects.filter(
        bill__client=client, bill__status__in=FROZEN_STATUSES, person_id__in=persons,
        line_type__in=[LineType.REGULAR, LineType.BACKPAY],
    ).exclude(pk__in=corrected).order_by("pk"))
    for line in lines:
        if line.person_id is None:
            continue
        out.setdefault((line.person_id, line.month_from), []).append(line)
    return out


def _provisional_lines(client: Client) -> list[BillLine]:
    """Lines of this client's frozen bills computed under a provisional version that has
    since been superseded, and not yet topped up (补差 exactly once)."""
    topped = BillLine.objects.filter(
        line_type=LineType.TOPUP, bill__status__in=FROZEN_STATUSES
    ).values("corrects_id")
    return list(
        BillLine.objects.filter(
            bill__client=client, bill__status__in=FROZEN_STATUSES,
            line_type__in=[LineType.REGULAR, LineType.BACKPAY],
            policy_version__provisional=True, policy_version__superseded_by__isnull=False,
        ).exclude(pk__in=topped).order_by("pk")
    )


def _refuse_earlier_draft(client: Client, month: datetime.date) -> None:
    earlier = Bill.objects.filter(client=client, month__lt=month,
                                  status=BillStatus.DRAFT).order_by("month").first()
    if earlier is not None:
        raise DomainError(
            code="earlier_bill_draft", status=409,
            message=f"请先出具 {earlier.month:%Y-%m} 的账单 / Issue the bill of "
                    f"{earlier.month:%Y-%m} first: each month is charged once, in order",
        )


@dataclass
class BillRun:
    """What the clients of one month's run share: the policies looked up, and whether any
    provisional version has been superseded at all (else no line needs a 补差 check)."""

    policies: Policies = field(default_factory=Policies)
    any_superseded: bool = field(default_factory=lambda: PolicyVersion.objects.filter(
        provisional=True, superseded_by__isnull=False).exists())


LINE_COLUMNS = (
    "bill_id", "person_id", "city_id", "line_type", "month_from", "month_to", "items",
    "social_insurance", "housing_fund", "service_fee", "total", "policy_version_id",
    "corrects_id", "basis", "description",
)


def _insert_lines(bill: Bill, planned: list[PlannedLine]) -> None:
    """Save the lines: PostgreSQL's COPY (a 100,000-line month in seconds), else in bulk."""
    if connection.vendor != "postgresql":
        BillLine.objects.bulk_create([p.to_model(bill.pk) for p in planned], batch_size=2000)
        return
    columns = ", ".join(LINE_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {BillLine._meta.db_table} ({columns}) FROM STDIN") as copy:
        for p in planned:
            copy.write_row((
                bill.pk, p.person_id, p.city_id, p.line_type, p.month_from, p.month_to,
                json.dumps(p.items, ensure_ascii=False), p.social_insurance, p.housing_fund,
                p.service_fee, p.total, p.policy_version_id, p.corrects_id,
                json.dumps(p.basis, ensure_ascii=False), p.description,
            ))


@transaction.atomic
def bill_generate(*, client: Client, month: datetime.date, actor: User | None,
                  replaces: Bill | None = None, run: BillRun | None = None) -> Bill:
    """The draft bill of `client` for `month`, (re)computed from its enrolments; a draft
    is replaced line for line (idempotent), an issued bill answers 409 `bill_issued`."""
    month = month_start(month)
    Client.objects.select_for_update().filter(pk=client.pk).first()  # one run per client
    bill = (Bill.objects.select_for_update().filter(client=client, month=month)
            .exclude(status=BillStatus.VOID).first())
    if bill is not None and bill.status != BillStatus.DRAFT:
        raise _bill_issued(bill)
    _refuse_earlier_draft(client, month)
    if not Contract.objects.filter(client=client, starts_on__lte=month_end(month),
                                   ends_on__gte=month).exclude(
            status=Contract.Status.DRAFT).exists():
        raise DomainError(
            code="no_contract",
            message=f"{month:%Y-%m} 该客户没有生效的服务合同，无法出账 / The client has no "
                    f"service contract in force in {month:%Y-%m}: nothing to bill",
            details=[ErrorDetail("no_contract", "该月没有生效的服务合同 / No contract in force "
                                 "that month", field="month")],
        )
    enrollments = list(billable_enrollments(client_ids=[client.pk], month=month))
    provisional = _provisional_lines(client) if run is None or run.any_superseded else []
    settlements = Difference.objects.filter(
        client=client, status=DifferenceStatus.ACCEPTED, settled_line__isnull=True,
        run__month__lte=month).exclude(delta=0).select_related("run").order_by("pk")
    if bill is not None:  # the draft's back-payment case months are chosen afresh
        backpay_months_release(bill_id=bill.pk)
    back_months = case_back_months(client=client)
    planned = plan(client, month, enrollments, _originals(client, enrollments), provisional,
                   policies=run.policies if run is not None else None,
                   settlements=settlements, back_months=back_months)
    if bill is None:
        bill = Bill(client=client, month=month, replaces=replaces)
    else:  # a draft's computed lines: nothing refers to them (only frozen lines are
        # corrected); staff's manual adjustments stay
        BillLine.objects.filter(bill=bill).exclude(line_type=LineType.MANUAL)._raw_delete(
            BillLine.objects.db)
    bill.generated_at = timezone.now()
    _set_totals(bill, planned, actor)
    _insert_lines(bill, planned)
    # each back-payment case month is charged by this bill, once
    backpay_months_mark_billed(month_ids=[row.pk for row in back_months], bill_id=bill.pk)
    return bill


def _set_totals(bill: Bill, planned: list[PlannedLine], actor: User | None) -> None:
    """The bill's totals: the planned lines plus its saved manual adjustments."""
    manual = BillLine.objects.filter(bill_id=bill.pk, line_type=LineType.MANUAL).aggregate(
        si=Sum("social_insurance"), hf=Sum("housing_fund"), fee=Sum("service_fee"),
        n=Count("pk")) if bill.pk else {"si": None, "hf": None, "fee": None, "n": 0}
    bill.social_insurance = sum((p.social_insurance for p in planned), manual["si"] or ZERO)
    bill.housing_fund = sum((p.housing_fund for p in planned), manual["hf"] or ZERO)
    bill.service_fee = sum((p.service_fee for p in planned), manual["fee"] or ZERO)
    bill.total = bill.social_insurance + bill.housing_fund + bill.service_fee
    bill.line_count = len(planned) + manual["n"]
    record_actor(bill, actor)
    bill.save()


ADJUSTABLE = {"social_insurance": "社会保险", "housing_fund": "住房公积金",
              "service_fee": "服务费"}


@transaction.atomic
def bill_adjust(*, bill: Bill, part: str, amount: Decimal, description: str,
                actor: User | None) -> BillLine:
    """A manual adjustment line on a draft (a correction staff agreed with the client,
    e.g. a fee waived): `part` is social_insurance, housing_fund or service_fee; the
    amount may be negative, never zero. It stays when the draft is regenerated."""
    bill = _locked(bill.pk)
    if bill.status != BillStatus.DRAFT:
        raise _bill_issued(bill)
    errors = []
    if part not in ADJUSTABLE:
        errors.append(ErrorDetail("invalid_choice", "调整项目无效 / Unknown part", field="part"))
    if amount is None or amount == 0 or abs(amount) >= Decimal("1000000000"):
        errors.append(ErrorDetail("amount_invalid", "调整金额须非零 / The amount must not be "
                                  "zero", field="amount"))
    description = (description or "").strip()
    if not description:
        errors.append(ErrorDetail("required", "请说明调整原因 / Give the reason",
                                  field="description"))
    if errors:
        raise ValidationFailed(errors)
    line = BillLine.objects.create(
        bill=bill, line_type=LineType.MANUAL, month_from=bill.month, month_to=bill.month,
        description=description[:300], total=amount,
        **{part: amount}, basis={"by": getattr(actor, "pk", None)},
    )
    sums = BillLine.objects.filter(bill=bill).aggregate(
        si=Sum("social_insurance"), hf=Sum("housing_fund"), fee=Sum("service_fee"),
        n=Count("pk"))
    bill.social_insurance, bill.housing_fund = sums["si"] or ZERO, sums["hf"] or ZERO
    bill.service_fee = sums["fee"] or ZERO
    bill.total = bill.social_insurance + bill.housing_fund + bill.service_fee
    bill.line_count = sums["n"]
    record_actor(bill, actor)
    bill.save()
    return line


def billable_clients(*, month: datetime.date) -> list[Client]:
    """Clients with a contract in force at some day of `month` (whose bill a run makes)."""
    first, last = month_start(month), month_end(month)
    ids = (Contract.objects.filter(starts_on__lte=last, ends_on__gte=first)
           .exclude(status=Contract.Status.DRAFT).values("client_id"))
    return list(Client.objects.filter(pk__in=ids).order_by("name", "pk"))


def bill_generate_month(
    *, month: datetime.date, actor: User | None,
    progress: Callable[[int, int], None] | None = None,
    fresh_since: datetime.datetime | None = None,
) -> dict[str, int]:
    """Generate (or regenerate) the draft of every billable client for `month`; issued
    bills are left alone. Reports `(done, total)` to `progress` after each client.
    `fresh_since`: a resumed run's start; a draft generated since then (each client's is
    committed on its own) counts as generated and is not generated again."""
    clients = billable_clients(month=month)
    counts = {"generated": 0, "issued_already": 0, "failed": 0, "total": len(clients)}
    fresh = set(Bill.objects.filter(
        month=month_start(month), status=BillStatus.DRAFT, generated_at__gte=fresh_since,
    ).values_list("client_id", flat=True)) if fresh_since is not None else set()
    run = BillRun()
    for n, client in enumerate(clients, start=1):
        try:
            if client.pk not in fresh:
                bill_generate(client=client, month=month, actor=actor, run=run)
            counts["generated"] += 1
        except DomainError as exc:
            counts["issued_already" if exc.code == "bill_issued" else "failed"] += 1
        if progress is not None:
            progress(n, len(clients))
    return counts


# --- the bill's life ----------------------------------------------------------------------

def _portal_users(client_id: int) -> list[User]:
    return list(User.objects.filter(client_id=client_id, is_active=True,
                                     role__in=[Role.CLIENT_ADMIN, Role.CLIENT_VIEWER]))


def _staff_for(client: Client) -> list[User]:
    rep = client.service_rep
    if rep is not None and rep.is_active:
        return [rep]
    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))


def _finance() -> list[User]:
    return list(User.objects.filter(role=Role.FINANCE, is_active=True).order_by("pk"))


def bill_event_data(bill: Bill) -> dict[str, Any]:
    return {"id": bill.pk, "number": bill.number, "month": f"{bill.month:%Y-%m}",
            "status": bill.status, "social_insurance": f"{bill.social_insurance:.2f}",
            "housing_fund": f"{bill.housing_fund:.2f}", "service_fee": f"{bill.service_fee:.2f}",
            "total": f"{bill.total:.2f}"}


def _locked(pk: int) -> Bill:
    return (Bill.objects.select_for_update(of=("self",))
            .select_related("client", "client__service_rep").get(pk=pk))


def _notify(users: Iterable[User], message: str, link: str) -> None:
    for user in users:
        notification_create(user=user, message=message, link=link)


@transaction.atomic
def bill_issue(*, bill: Bill, actor: User | None) -> Bill:
    """Send the draft to the client: frozen from now on. Locks the policy versions its
    lines used and records, per enrolment, the last month charged."""
    bill = _locked(bill.pk)
    if bill.status != BillStatus.DRAFT:
        raise _bill_issued(bill) if bill.frozen else _transition_error(bill, "出具", "issue")
    through: dict[int, datetime.date | None] = {}
    version_ids: set[int] = set()
    settled: dict[int, int] = {}
    for pk_, line_type, month_to, basis, version_id in BillLine.objects.filter(
            bill=bill).values_list("pk", "line_type", "month_to", "basis",
                                   "policy_version_id").iterator(chunk_size=5000):
        if version_id is not None:
            version_ids.add(version_id)
        if line_type == LineType.TOPUP and (basis or {}).get("difference"):
            settled[basis["difference"]] = pk_
        for pk in (basis or {}).get("enrollments", []):
            if line_type == LineType.REFUND:
                through[pk] = datetime.date.fromisoformat(basis["refund_through"])
            elif line_type in (LineType.REGULAR, LineType.BACKPAY):
                day = month_end(month_to)
                current = through.get(pk)
                if current is None or current < day:
                    through[pk] = day
    enrollments_mark_billed(through=through)
    for difference_id, line_id in settled.items():  # each accepted difference: once
        Difference.objects.filter(pk=difference_id).update(settled_line_id=line_id)
    for version in PolicyVersion.objects.filter(pk__in=version_ids, locked_at__isnull=True):
        policy_version_lock(version=version, actor=actor)
    bill.status = BillStatus.ISSUED
    bill.issued_at = timezone.now()
    record_actor(bill, actor)
    bill.save()
    audit_record(actor=actor, action=AuditEvent.Action.BILL_ISSUED, target=bill,
                 client_id=bill.client_id,
                 detail={"event": "bill.issued", "total": f"{bill.total:.2f}"})
    webhook_emit(client_id=bill.client_id, event=WebhookEvent.BILL_ISSUED,
                 data=bill_event_data(bill))
    _notify(_portal_users(bill.client_id),
            _("The bill of %(month)s is issued: %(total)s yuan. Please confirm it.")
            % {"month": f"{bill.month:%Y-%m}", "total": f"{bill.total:.2f}"},
            reverse("portal-billing-bill-detail", args=[bill.pk]))
    return bill


@transaction.atomic
def bill_confirm(*, bill: Bill, actor: User | None) -> Bill:
    """The client agrees with an issued bill (or an answered dispute)."""
    bill = _locked(bill.pk)
    if bill.status not in (BillStatus.ISSUED, BillStatus.DISPUTED):
        raise _transition_error(bill, "确认", "confirm")
    bill.status = BillStatus.CONFIRMED
    bill.confirmed_at = timezone.now()
    record_actor(bill, actor)
    bill.save()
    webhook_emit(client_id=bill.client_id, event=WebhookEvent.BILL_CONFIRMED,
                 data=bill_event_data(bill))
    _notify(_staff_for(bill.client) + _finance(),
            _("%(client)s confirmed the bill of %(month)s.")
            % {"client": bill.client.name, "month": f"{bill.month:%Y-%m}"},
            reverse("staff-billing-bill-detail", args=[bill.pk]))
    return bill


@transaction.atomic
def bill_dispute(*, bill: Bill, reason: str, actor: User | None) -> Bill:
    """The client disputes an issued bill, giving a reason; it goes back to staff."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([ErrorDetail("required", "请说明异议原因 / Give the reason",
                                            field="reason")])
    if len(reason) > 500:
        raise ValidationFailed([ErrorDetail("too_long", "原因最多500字 / At most 500 characters",
                                            field="reason")])
    bill = _locked(bill.pk)
    if bill.status not in (BillStatus.ISSUED, BillStatus.CONFIRMED):
        raise _transition_error(bill, "提出异议", "dispute")
    if bill.paid:
        raise _transition_error(bill, "对已部分付款的账单提出异议",
                                "dispute a bill already paid in part")
    bill.status = BillStatus.DISPUTED
    bill.disputed_at = timezone.now()
    bill.dispute_reason, bill.dispute_answer = reason, ""
    record_actor(bill, actor)
    bill.save()
    webhook_emit(client_id=bill.client_id, event=WebhookEvent.BILL_DISPUTED,
                 data={**bill_event_data(bill), "reason": reason})
    _notify(_staff_for(bill.client) + _finance(),
            _("%(client)s disputes the bill of %(month)s: %(reason)s")
            % {"client": bill.client.name, "month": f"{bill.month:%Y-%m}", "reason": reason},
            reverse("staff-billing-bill-detail", args=[bill.pk]))
    return bill


@transaction.atomic
def bill_answer_dispute(*, bill: Bill, answer: str, actor: User | None) -> Bill:
    """Staff answer a dispute without changing the bill: it is issued again for the
    client to confirm."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed([ErrorDetail("required", "请填写答复 / Write the answer",
                                            field="answer")])
    bill = _locked(bill.pk)
    if bill.status != BillStatus.DISPUTED:
        raise _transition_error(bill, "答复", "answer")
    bill.status, bill.dispute_answer = BillStatus.ISSUED, answer[:500]
    record_actor(bill, actor)
    bill.save()
    _notify(_portal_users(bill.client_id),
            _("Your dispute of the bill of %(month)s was answered: %(answer)s")
            % {"month": f"{bill.month:%Y-%m}", "answer": answer[:200]},
            reverse("portal-billing-bill-detail", args=[bill.pk]))
    return bill


def _restore_billed_through(bill: Bill) -> None:
    """After voiding an issued bill: each of its enrolments is billed through the last
    month another frozen bill charged (or never)."""
    ids: set[int] = set()
    for basis in BillLine.objects.filter(bill=bill).values_list("basis", flat=True):
        ids.update((basis or {}).get("enrollments", []))
    latest: dict[int, datetime.date | None] = dict.fromkeys(ids)
    others = BillLine.objects.filter(
        bill__client_id=bill.client_id, bill__status__in=FROZEN_STATUSES,
        line_type__in=[LineType.REGULAR, LineType.BACKPAY],
    ).exclude(bill=bill).values_list("basis", "month_to")
    for basis, month_to in others:
        for pk in (basis or {}).get("enrollments", []):
            if pk in latest:
                day = month_end(month_to)
                current = latest[pk]
                latest[pk] = day if current is None or current < day else current
    enrollments_mark_billed(through=latest)


@transaction.atomic
def bill_correct(*, bill: Bill, reason: str, actor: User | None) -> Bill:
    """Answer a dispute with a corrected bill: the disputed one is voided (it was never
    paid) and a new draft of the same month is computed from the enrolments as they now
    stand, to check and issue."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([ErrorDetail("required", "请填写更正原因 / Give the reason",
                                            field="reason")])
    bill = _locked(bill.pk)
    if bill.status != BillStatus.DISPUTED or bill.paid:
        raise _transition_error(bill, "更正", "correct")
    _restore_billed_through(bill)
    backpay_months_release(bill_id=bill.pk)
    # its reconciliation 补差 lines go to the corrected bill instead
    Difference.objects.filter(settled_line__bill=bill).update(settled_line=None)
    bill.status, bill.void_reason = BillStatus.VOID, reason[:300]
    record_actor(bill, actor)
    bill.save()
    audit_record(actor=actor, action="other", target=bill, client_id=bill.client_id,
                 detail={"event": "bill.voided", "reason": reason[:300]})
    return bill_generate(client=bill.client, month=bill.month, actor=actor, replaces=bill)


@transaction.atomic
def bill_void(*, bill: Bill, reason: str, actor: User | None) -> Bill:
    """Discard a draft (an issued bill is corrected, never voided outright)."""
    bill = _locked(bill.pk)
    if bill.status != BillStatus.DRAFT:
        raise _bill_issued(bill)
    bill.status, bill.void_reason = BillStatus.VOID, (reason or "").strip()[:300]
    backpay_months_release(bill_id=bill.pk)
    record_actor(bill, actor)
    bill.save()
    return bill


# --- downloads ----------------------------------------------------------------------------

@transaction.atomic
def billing_file_download(*, target: Bill | Invoice, file: str, filename: str,
                          actor: User | None, api_key_id: int | None = None,
                          request: HttpRequest | None = None) -> None:
    """Record that a bill's or an invoice's file was downloaded (a bill's lines name
    persons: an export of personal data); the caller sends the file after this. The row
    is the one the staff and portal pages write: action `download`, `file` and `name`."""
    client_id = target.client_id if isinstance(target, Bill) else target.bill.client_id
    audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=target,
                 client_id=client_id,
                 detail={"file": file, "name": filename, "api_key": api_key_id},
                 request=request)


# --- payments ---------------------------------------------------------------------------

@transaction.atomic
def payment_record(*, bill: Bill, amount: Decimal, paid_on: datetime.date, method: str,
                   reference: str = "", actor: User | None) -> Payment:
    """Money received against an issued bill; partial payments add up, over-payment is
    refused. Paid in full: the bill is paid and its invoice due in 10 working days."""
    bill = _locked(bill.pk)
    errors = []
    if not bill.frozen or bill.status == BillStatus.PAID:
        raise _transition_error(bill, "登记付款", "record a payment")
    if amount is None or amount <= 0:
        errors.append(ErrorDetail("amount_invalid", "金额须大于0 / The amount must be above 0",
                                  field="amount"))
    elif amount > bill.outstanding:
        errors.append(ErrorDetail(
            "overpayment", f"超出未付金额 {bill.outstanding:.2f} / More than the "
                           f"{bill.outstanding:.2f} still owed", field="amount"))
    if method not in Payment.Method.values:
        errors.append(ErrorDetail("invalid_choice", "付款方式无效 / Unknown method",
                                  field="method"))
    if paid_on is None or paid_on > timezone.localdate():
        errors.append(ErrorDetail("date_invalid", "付款日期无效 / The date is not valid",
                                  field="paid_on"))
    if errors:
        raise ValidationFailed(errors)
    payment = Payment(bill=bill, amount=amount, paid_on=paid_on, method=method,
                      reference=(reference or "").strip()[:100], recorded_by=actor)
    record_actor(payment, actor)
    payment.save()
    bill.paid = (Payment.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"] or ZERO)
    if bill.paid == bill.total:
        bill.status = BillStatus.PAID
        bill.paid_on = paid_on
        bill.invoice_due_by = invoice_due(paid_on, working_calendar())  # STD-4.5
    record_actor(bill, actor)
    bill.save()
    return payment


# --- invoices ---------------------------------------------------------------------------

def agency_entity() -> AgencyEntity:
    """The seller; refuses to invoice until the agency's tax details are set."""
    entity = AgencyEntity.objects.order_by("pk").first()
    if entity is None:
        raise DomainError(
            code="seller_missing",
            message="请先在后台填写本机构的开票信息 / Set the agency's tax details first",
        )
    return entity


def invoice_title_of(client: Client) -> InvoiceTitle:
    """The client's invoicing details; by default its name, USCC and address."""
    title = InvoiceTitle.objects.filter(client=client).first()
    if title is None:
        title = InvoiceTitle(client=client, buyer_name=client.name, buyer_uscc=client.uscc,
                             address=client.office_address)
    return title


def _next_number(year: int) -> str:
    """The next number of the year's series (row lock: no gaps, no duplicates)."""
    try:
        with transaction.atomic():
            InvoiceSequence.objects.get_or_create(year=year)
    except IntegrityError:
        pass
    seq = InvoiceSequence.objects.select_for_update().get(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{year}{seq.last:08d}"


def _licence_numbers(on: datetime.date) -> str:
    return "；".join(Licence.objects.filter(valid_from__lte=on, valid_to__gte=on)
                    .order_by("kind").values_list("number", flat=True))


@transaction.atomic
def invoice_issue(*, bill: Bill, actor: User | None,
                  issued_on: datetime.date | None = None) -> list[Invoice]:
    """The invoice(s) of a bill paid in full: an ordinary invoice with 代缴社会保险费,
    代缴住房公积金费 and 服务费; for a client who takes a special VAT invoice, the service
    fee goes on a special invoice and the pass-through amounts on an ordinary one."""
    bill = _locked(bill.pk)
    if bill.status != BillStatus.PAID:
        raise DomainError(code="bill_not_paid", status=409,
                          message="账单付清后方可开票 / Invoice a bill once it is paid in full")
    if Invoice.objects.filter(bill=bill).exists():
        raise DomainError(code="invoice_issued", status=409,
                          message="该账单已开票 / This bill is already invoiced")
    seller = agency_entity()
    title = invoice_title_of(bill.client)
    issued_on = issued_on or timezone.localdate()
    due_by = bill.invoice_due_by or invoice_due(bill.paid_on or issued_on, working_calendar())
    kinds = [InvoiceKind.ORDINARY]
    if title.kind == InvoiceTitle.Kind.SPECIAL and bill.service_fee:
        kinds = [InvoiceKind.SPECIAL, InvoiceKind.ORDINARY] if (
            bill.social_insurance or bill.housing_fund) else [InvoiceKind.SPECIAL]
    invoices = []
    for kind in kinds:
        items = invoice_items(
            kind=kind, social_insurance=bill.social_insurance, housing_fund=bill.housing_fund,
            service_fee=bill.service_fee if (kind == InvoiceKind.SPECIAL or len(kinds) == 1)
            else ZERO,
            method=seller.vat_method, issued_on=issued_on,
        )
        invoice = Invoice(
            number=_next_number(issued_on.year), bill=bill, kind=kind, issued_on=issued_on,
            due_by=due_by, vat_method=seller.vat_method,
            seller_name=seller.name, seller_uscc=seller.uscc,
            seller_address_phone=f"{seller.address} {seller.phone}".strip(),
            seller_bank_account=f"{seller.bank} {seller.bank_account}".strip(),
            licence_numbers=_licence_numbers(issued_on),
            buyer_name=title.buyer_name, buyer_uscc=title.buyer_uscc,
            buyer_address_phone=f"{title.address} {title.phone}".strip(),
            buyer_bank_account=f"{title.bank} {title.bank_account}".strip(),
            amount=sum((i.amount for i in items), ZERO), tax=sum((i.tax for i in items), ZERO),
            issued_by=actor,
        )
        record_actor(invoice, actor)
        invoice.save()
        InvoiceItem.objects.bulk_create([
            InvoiceItem(invoice=invoice, position=n, name=i.name, amount=i.amount,
                        tax_rate=i.tax_rate, tax=i.tax, taxable=i.taxable)
            for n, i in enumerate(items, start=1)
        ])
        invoices.append(invoice)
        webhook_emit(client_id=bill.client_id, event=WebhookEvent.INVOICE_ISSUED,
                     data={"id": invoice.pk, "number": invoice.number, "bill": bill.pk,
                           "kind": kind, "issued_on": issued_on.isoformat(),
                           "amount": f"{invoice.amount:.2f}", "tax": f"{invoice.tax:.2f}"})
    _notify(_portal_users(bill.client_id),
            _("The invoice of your bill of %(month)s is issued.")
            % {"month": f"{bill.month:%Y-%m}"}, reverse("portal-billing-invoices-list"))
    return invoices


@transaction.atomic
def invoice_record_numbers(*, rows: Iterable[Mapping[str, Any]],
                           actor: User | None) -> int:
    """Record the numbers the tax platform gave (rows of `number`, `tax_platform_number`,
    1-based `line`); any bad row refuses the whole batch, naming row and field."""
    rows = list(rows)
    errors: list[ErrorDetail] = []
    wanted = {str(r.get("number", "")).strip() for r in rows}
    found = {i.number: i for i in Invoice.objects.select_for_update().filter(number__in=wanted)}
    updates = []
    for n, row in enumerate(rows, start=1):
        line = int(row.get("line") or n)
        number = str(row.get("number") or "").strip()
        platform = str(row.get("tax_platform_number") or "").strip()
        if not number:
            errors.append(ErrorDetail("required", "缺少发票号 / Invoice number missing",
                                      field="number", line=line))
            continue
        invoice = found.get(number)
        if invoice is None:
            errors.append(ErrorDetail("not_found", f"没有发票 {number} / No invoice {number}",
                                      field="number", line=line))
            continue
        if not platform or len(platform) > 40:
            errors.append(ErrorDetail("required", "税务平台发票号码无效 / The tax platform's "
                                      "number is missing or too long",
                                      field="tax_platform_number", line=line))
            continue
        updates.append((invoice, platform))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    for invoice, platform in updates:
        invoice.tax_platform_number, invoice.tax_platform_recorded_at = platform, now
        record_actor(invoice, actor)
        invoice.save()
    return len(updates)


def overdue_filter(today: datetime.date) -> Q:
    """Bills paid in full whose invoice is past due (STD-4.5)."""
    return Q(status=BillStatus.PAID, invoice_due_by__lt=today, invoices__isnull=True)
