"""Services of the archive app: every write to the records store.

Items are created by the services that receive the papers (`archive_store`), filed month by
month (`filing_check`, `batch_close`), lent (`loan_create`, `loan_return`), appraised
(`appraisal_record`) and destroyed only by `destruction_approve_and_execute`."""

import datetime
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.utils import timezone

from agency.deadlines import add_months, month_start
from agency.errors import DomainError, ErrorDetail
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.roles import REVEAL_ROLES, Role
from agency.services import audit_record
from archive import storage
from archive.models import (
    Appraisal,
    AppraisalDecision,
    ArchiveItem,
    Destruction,
    FilingBatch,
    ItemKind,
    ItemStatus,
    Loan,
)

DESTRUCTION_ROLES = (Role.MANAGER, Role.ADMIN)


def retention_end(month: datetime.date, retention_years: int) -> datetime.date:
    """The last day an item of `month` is kept: the end of its month `retention_years` on."""
    return add_months(month_start(month), 12 * retention_years + 1) - datetime.timedelta(days=1)


# how long each kind is kept unless its receiving service says otherwise: labour and
# social-insurance records, agreements and the papers behind them at least ten years
RETENTION_YEARS = {ItemKind.AGREEMENT: 10, ItemKind.CLIENT_PAPERS: 10,
                   ItemKind.ORDER_PAPERS: 10, ItemKind.CORRESPONDENCE: 5}


def archive_receive_file(
    *, content: "bytes | File[bytes]", original_name: str, month: datetime.date,
) -> storage.Stored:
    """The one door a received file comes in by (STD-5.1): written under a name that does
    not reveal the person, checksummed on the way in, first under a temporary name and
    moved to `Stored.name` when the caller's transaction commits. The receiving service
    points its own file field at `Stored.name` and files the item with `archive_store`."""
    stored = storage.write_temporary(content, month=month_start(month),
                                     original_name=original_name)
    storage.move_on_commit(stored)
    return stored


def archive_store(
    *,
    content: "bytes | File[bytes] | None" = None,
    stored: storage.Stored | None = None,
    original_name: str = "",
    kind: ItemKind,
    client_id: int | None,
    month: datetime.date,
    retention_years: int | None = None,
    actor: User | None,
    subject: models.Model | None = None,
    title: str = "",
    physical_location: str = "",
    note: str = "",
) -> ArchiveItem:
    """File a received paper as an archive item: `content` is written through
    `archive_receive_file` here, `stored` was written by it already (the receiving model
    points at the same file). With neither, the item records a paper original (its
    `physical_location` says where it lies) or a note (a phone call's correspondence)."""
    if content is None and stored is None and not physical_location and not note:
        raise DomainError("archive_nothing_to_file",
                          "没有文件也没有存放位置 / Neither a file nor a physical location")
    month = month_start(month)
    years = retention_years if retention_years is not None else RETENTION_YEARS[kind]
    with transaction.atomic():
        item = ArchiveItem(
            kind=kind, client_id=client_id, title=(title or original_name)[:200],
            month=month, retention_until=retention_end(month, years),
            custodian=actor if actor is not None and actor.pk else None,
            physical_location=physical_location, note=note,
        )
        if subject is not None:
            item.content_type = ContentType.objects.get_for_model(subject)
            item.object_id = subject.pk
        if content is not None:
            stored = archive_receive_file(content=content, original_name=original_name,
                                          month=month)
        if stored is not None:
            item.file.name = stored.name
            item.sha256 = stored.sha256
            item.size = stored.size
        record_actor(item, actor)
        item.save()
        FilingBatch.objects.get_or_create(month=month)
    return item


def archive_sweep_orphans(*, now: datetime.datetime | None = None) -> list[str]:
    """Remove files under the archive folder that no item points to and that are older than
    an hour (a rolled-back transaction's temporary file, an interrupted move)."""
    now = now or timezone.now()
    referenced = set(ArchiveItem.objects.exclude(file="").values_list("file", flat=True))
    removed = []
    for name in storage.walk():
        if name not in referenced and storage.is_old(name, now=now):
            default_storage.delete(name)
            removed.append(name)
    return removed


# --- monthly filing (STD-5.3) ---------------------------------------------------------


def filing_check(*, item: ArchiveItem, actor: User) -> ArchiveItem:
    """The archivist has checked the item against its original: it is filed."""
    with transaction.atomic():
        item = ArchiveItem.objects.select_for_update().get(pk=item.pk)
        if item.status == ItemStatus.DESTROYED:
            raise DomainError("archive_destroyed", "档案已销毁 / The item was destroyed")
        if not item.checked:
            item.checked = True
            item.filed_at = timezone.now()
            item.filed_by = actor
            record_actor(item, actor)
            item.save(update_fields=["checked", "filed_at", "filed_by"])
    return item


def batch_open(*, month: datetime.date) -> FilingBatch:
    batch, _created = FilingBatch.objects.get_or_create(month=month_start(month))
    return batch


def batch_close(*, batch: FilingBatch, actor: User) -> FilingBatch:
    """Close a month's filing; refused, naming them, while any item of the month is
    unchecked."""
    with transaction.atomic():
        batch = FilingBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.is_closed:
            raise DomainError("archive_batch_closed", "该月已归档 / The batch is already closed")
        unchecked = list(
            ArchiveItem.objects.filter(month=batch.month, checked=False)
            .exclude(status=ItemStatus.DESTROYED).order_by("pk")
        )
        if unchecked:
            raise DomainError(
                "archive_batch_unchecked",
                "尚有未核对的档案 / Some items of the month are not checked",
                [ErrorDetail("archive_item_unchecked", f"{i.pk}: {i.title}", field="item")
                 for i in unchecked],
            )
        batch.closed_at = timezone.now()
        batch.closed_by = actor
        record_actor(batch, actor)
        batch.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, action="archive.batch_close", target=batch)
    return batch


# --- loans ----------------------------------------------------------------------------


def loan_create(
    *, item: ArchiveItem, borrower: str, purpose: str, due_on: datetime.date, actor: User,
    today: datetime.date | None = None,
) -> Loan:
    today = today or timezone.localdate()
    if due_on < today:
        raise DomainError("archive_loan_due_past", "应还日期已过 / The due date is past",
                          [ErrorDetail("archive_loan_due_past", "应还日期已过", field="due_on")])
    with transaction.atomic():
        item = ArchiveItem.objects.select_for_update().get(pk=item.pk)
        if item.status != ItemStatus.ACTIVE:
            raise DomainError("archive_not_available",
                              "档案已借出或已销毁 / The item is lent out or destroyed")
        loan = Loan(item=item, borrower=borrower, purpose=purpose, lent_on=today,
                    due_on=due_on, lent_by=actor)
        record_actor(loan, actor)
        loan.save()
        item.status = ItemStatus.LENT
        record_actor(item, actor)
        item.save(update_fields=["status"])
    return loan


def loan_return(*, loan: Loan, actor: User, returned_on: datetime.date | None = None) -> Loan:
    with transaction.atomic():
        loan = Loan.objects.select_for_update().select_related("item").get(pk=loan.pk)
        if loan.returned_on is not None:
            raise DomainError("archive_loan_returned", "已归还 / Already returned")
        loan.returned_on = returned_on or timezone.localdate()
        record_actor(loan, actor)
        loan.save(update_fields=["returned_on"])
        item = loan.item
        item.status = ItemStatus.ACTIVE
        record_actor(item, actor)
        item.save(update_fields=["status"])
    return loan


# --- appraisal and destruction (STD-5.3) ----------------------------------------------


def appraisal_record(
    *, item: ArchiveItem, decision: AppraisalDecision, actor: User, note: str = "",
    extend_to: datetime.date | None = None,
) -> Appraisal:
    """Record an appraisal; `extend` moves the retention to `extend_to`."""
    if decision == AppraisalDecision.EXTEND and (
        extend_to is None or extend_to <= item.retention_until
    ):
        raise DomainError(
            "archive_extend_date",
            "延长后的保管期限须晚于原期限 / The new retention must be later than the old",
            [ErrorDetail("archive_extend_date", "延长后的保管期限须晚于原期限",
                         field="extend_to")],
        )
    with transaction.atomic():
        appraisal = Appraisal(item=item, decision=decision, note=note, decided_by=actor)
        record_actor(appraisal, actor)
        appraisal.save()
        if decision == AppraisalDecision.EXTEND and extend_to is not None:
            item.retention_until = extend_to
            record_actor(item, actor)
            item.save(update_fields=["retention_until"])
    return appraisal


def _destruction_refusal(
    item: ArchiveItem, actor: User, today: datetime.date
) -> DomainError | None:
    if not actor.has_role(*DESTRUCTION_ROLES):
        return DomainError("archive_destruction_not_approved",
                           "销毁须经理批准 / Destruction needs a manager's approval", status=403)
    if item.status != ItemStatus.ACTIVE:
        return DomainError("archive_not_available",
                           "档案已借出或已销毁 / The item is lent out or destroyed")
    if today <= item.retention_until:
        return DomainError("archive_retention_not_passed",
                           "保管期限未满 / The retention period has not passed")
    last = item.appraisals.order_by("-decided_at", "-pk").first()
    if last is None or last.decision != AppraisalDecision.DESTROY:
        return DomainError("archive_not_appraised_for_destruction",
                           "未经鉴定为销毁 / No appraisal decided to destroy the item")
    return None


def destruction_approve_and_execute(
    *, item: ArchiveItem, reason: str, actor: User, today: datetime.date | None = None,
) -> Destruction:
    """A manager approves and destroys: the file is deleted (once the transaction
    commits), the item stays as destroyed, and a destruction record keeps its checksum."""
    today = today or timezone.localdate()
    with transaction.atomic():
        item = ArchiveItem.objects.select_for_update().get(pk=item.pk)
        refusal = _destruction_refusal(item, actor, today)
        if refusal is not None:
            raise refusal
        name = item.file.name or ""
        record = Destruction(item=item, sha256=item.sha256, file_name=name, reason=reason,
                             approved_by=actor)
        record_actor(record, actor)
        record.save()
        item.status = ItemStatus.DESTROYED
        item.file.name = ""
        record_actor(item, actor)
        item.save(update_fields=["status", "file"])
        audit_record(actor=actor, action="archive.destroy", target=item,
                     client_id=item.client_id, detail={"sha256": record.sha256})
        if name:
            storage.delete_on_commit(name)
    return record


# --- integrity ------------------------------------------------------------------------


@dataclass
class IntegrityReport:
    checked: int = 0
    missing: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.changed


def archive_verify() -> IntegrityReport:
    """Recompute every archived file's checksum; report the items whose file is missing
    or changed. Writes nothing."""
    report = IntegrityReport()
    items = (ArchiveItem.objects.exclude(file="").exclude(status=ItemStatus.DESTROYED)
             .only("pk", "file", "sha256").order_by("pk"))
    for item in items.iterator():
        report.checked += 1
        if not default_storage.exists(item.file.name):
            report.missing.append(item.pk)
        elif _checksum_or_none(item.file.name) != item.sha256:
            report.changed.append(item.pk)
    return report


def _checksum_or_none(name: str) -> str | None:
    """The stored file's checksum (of its plain content: the storage decrypts); None when it
    no longer decrypts under any configured key (altered on disk, or its key dropped)."""
    try:
        return storage.stored_checksum(name)
    except InvalidToken:
        return None


# --- downloads ------------------------------------------------------------------------

# Order and client papers hold ID numbers, and so does whatever the enrollment app files
# (an order's e-mail is correspondence, but carries the roster): downloading them takes the
# right to reveal a full ID number (the one rule, `agency.roles.REVEAL_ROLES`).
PAPER_FILE_ROLES = REVEAL_ROLES
PAPER_KINDS = frozenset({ItemKind.ORDER_PAPERS, ItemKind.CLIENT_PAPERS})
PERSONAL_DATA_APPS = frozenset({"enrollment"})


def item_holds_personal_data(item: ArchiveItem) -> bool:
    if item.kind in PAPER_KINDS:
        return True
    if item.content_type_id is None:
        return False
    subject_type = ContentType.objects.get_for_id(item.content_type_id)
    return subject_type.app_label in PERSONAL_DATA_APPS


@transaction.atomic
def archive_item_download(
    *, item: ArchiveItem, actor: User | None, request: HttpRequest | None = None,
) -> FieldFile:
    """Record that an item's file was downloaded (the view sends it after this), for every
    route. A file that holds personal data follows the reveal rule for staff: an archivist
    or finance user gets 403 before any audit row. A client's own users (the caller's scope
    has already limited them to their own client's items) download their own papers; every
    download, theirs too, writes an audit row."""
    if not item.file or not item.file.name:
        raise Http404
    if item_holds_personal_data(item) and not _may_download_papers(actor, item):
        raise DomainError(
            code="permission_denied", status=403,
            message="无权下载含证件号码的档案 / Not allowed to download papers with ID numbers")
    audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=item,
                 client_id=item.client_id, detail={"kind": item.kind, "name": item.file.name},
                 request=request)
    file: FieldFile = item.file
    return file


def _may_download_papers(actor: User | None, item: ArchiveItem) -> bool:
    if actor is None:
        return False
    if actor.is_portal_user:
        return actor.client_id == item.client_id
    return actor.has_role(*PAPER_FILE_ROLES)
