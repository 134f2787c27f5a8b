"""Submission of roster orders (增减员): `order_submit` validates every line and saves the
order, its lines and one task per scheme (nothing when a line is bad); the Excel import
and the e-mail intake (workbook, sealed scan and the e-mail itself) hand over to it."""

import datetime
import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.utils import timezone

from agency import deadlines
from agency.bulk import bulk_insert_with_history, new_objects
from agency.errors import Conflict, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.services import audit_record
from agency.xlsx import MAX_FILE_BYTES, refuse
from archive.models import ItemKind
from archive.selectors import file_received_before
from archive.services import archive_receive_file, archive_store
from archive.storage import Stored
from clients.models import Client
from enrollment.models import (
    LineAction,
    RosterLine,
    RosterOrder,
    RosterTask,
    TaskStatus,
    line_status_of,
)
from enrollment.orders.roster_excel import ParsedRoster, city_aliases, parse_roster_xlsx
from enrollment.orders.validation import order_validate
from enrollment.persons.selectors import papers_missing
from enrollment.persons.services import NewPerson, person_create_many, require_reveal_role
from policies.models import City


@transaction.atomic
def order_submit(
    *,
    client: Client,
    lines: Sequence[Mapping[str, Any]],
    channel: str,
    actor: User | None,
    actor_label: str = "",
    received_at: datetime.datetime | None = None,
    source_file: "File[bytes] | None" = None,
    sealed_scan: UploadedFile | None = None,
    correspondence: UploadedFile | None = None,
    note: str = "",
    sheet: ParsedRoster | None = None,
    order_id: int | None = None,
) -> RosterOrder:
    """增减员: validate every line, then save the order, its lines and one task per scheme.
    If any line is bad, nothing is saved. With `sheet` (an Excel import), the cells it
    could not read are reported with the service's errors, each naming its Excel row.

    Persons, lines and tasks are written in bulk (with their history rows), so an order of
    10,000 lines costs a few dozen queries."""
    received_at = received_at or timezone.now()
    try:
        checked = order_validate(client=client, lines=lines, received_at=received_at)
        service_errors: list[ErrorDetail] = []
    except ValidationFailed as exc:
        checked, service_errors = [], exc.details
    errors = sheet.merged_errors(service_errors) if sheet is not None else service_errors
    if errors:
        raise ValidationFailed(errors)
    order = RosterOrder(
        pk=order_id, client=client, channel=channel, submitted_by=actor,  # pk: see import_jobs
        submitted_by_label=actor_label or (actor.get_username() if actor else ""),
        received_at=received_at, note=note,
    )
    received = _receive_order_files(order, {"source_file": source_file,
                                            "sealed_scan": sealed_scan,
                                            "correspondence": correspondence})
    record_actor(order, actor)
    order.save()
    _archive_order_files(order, received, actor)

    new = [line for line in checked if line.person is None]
    created = person_create_many(
        people=[NewPerson(name=line.name, check=line.check, phone=line.phone,
                          hukou_type=line.hukou_type) for line in new],
        actor=actor,
    )
    for line, person in zip(new, created, strict=True):
        line.person = person
    created_ids = {p.pk for p in created}
    known_adders = [line.person for line in checked if line.action == LineAction.ADD
                    and line.person is not None and line.person.pk not in created_ids]
    lacking = {pk for pk, kinds in papers_missing(known_adders).items() if kinds}
    lacking |= created_ids  # a new person has no papers yet

    handle_by = deadlines.handle_by(received_at)
    statuses: list[str] = []
    values: list[dict[str, Any]] = []
    for line in checked:
        # set for every line: persons above, effective months by order_validate
        assert line.person is not None and line.effective_month is not None  # noqa: S101
        status = (TaskStatus.PAPERS_MISSING
                  if line.action == LineAction.ADD and line.person.pk in lacking
                  else TaskStatus.RECEIVED)
        statuses.append(status)
        values.append({
            "order_id": order.pk, "line_no": line.line_no, "action": line.action,
            "person_id": line.person.pk, "name": line.name, "hukou_type": line.hukou_type,
            "city_id": line.city.pk, "base_kind": line.base_kind, "base": line.base,
            "effective_date": line.effective_date, "effective_month": line.effective_month,
            "backpay_months": [f"{month:%Y-%m}" for month in line.backpay_months],
            "reason": line.reason, "phone": line.phone, "handle_by": handle_by,
            "status": line_status_of([status]),
        })
    # ~10,000 lines and ~17,000 tasks: built positionally (new_objects), saved raw
    saved = bulk_insert_with_history(new_objects(RosterLine, values), RosterLine, user=actor)
    tasks = new_objects(RosterTask, (
        {"line_id": row.pk, "scheme": scheme, "status": status,
         "enrollment_id": enrollment.pk if (enrollment := line.enrollments.get(scheme))
         else None}
        for row, line, status in zip(saved, checked, statuses, strict=True)
        for scheme in line.schemes
    ))
    bulk_insert_with_history(tasks, RosterTask, user=actor)
    return order


def order_import_xlsx(
    *,
    client: Client,
    data: bytes,
    filename: str,
    channel: str,
    actor: User | None,
    actor_label: str = "",
    received_at: datetime.datetime | None = None,
    sealed_scan: UploadedFile | None = None,
    correspondence: UploadedFile | None = None,
    note: str = "",
    order_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RosterOrder:
    """An order from an uploaded roster workbook (portal, API import, or staff entering an
    e-mailed file). The file itself is kept with the order; the import is audited
    (action `import`, the order as target). A background import (`import_jobs`) fills the
    order it made at the upload (`order_id`) and hears of the rows read (`progress`)."""
    cities = city_aliases(City.objects.values_list("code", "name"))
    sheet = parse_roster_xlsx(data, cities=cities, progress=progress)
    if not sheet.lines and not sheet.errors:
        raise ValidationFailed([ErrorDetail(
            code="required", field="lines",
            message="表中没有数据行 / The sheet has no data rows")])
    with transaction.atomic():
        _refuse_a_second_upload(client=client, data=data,
                                received_at=received_at or timezone.now())
        order = order_submit(
            client=client, lines=sheet.lines, channel=channel, actor=actor,
            actor_label=actor_label, received_at=received_at,
            source_file=ContentFile(data, name=filename or "roster.xlsx"),
            sealed_scan=sealed_scan, correspondence=correspondence, note=note, sheet=sheet,
            order_id=order_id,
        )
        audit_record(actor=actor, actor_label=actor_label, action=AuditEvent.Action.IMPORT,
                     target=order, client_id=client.pk,
                     detail={"what": "roster_order", "channel": channel,
                             "file": (filename or "roster.xlsx")[:200],
                             "sha256": hashlib.sha256(data).hexdigest(),
                             "lines": len(sheet.lines)})
    return order


DUPLICATE_UPLOAD_DAYS = 30


def _refuse_a_second_upload(*, client: Client, data: bytes,
                            received_at: datetime.datetime) -> None:
    """The same workbook (byte for byte) imported for the client within
    DUPLICATE_UPLOAD_DAYS is refused with 409 naming the order it became: an upload sent
    twice by mistake is not imported twice. Imports of one client are serialised (the
    client row is locked), so two clicks at once make one order. A changed file (another
    line, a fixed row) is a new upload."""
    Client.objects.select_for_update().filter(pk=client.pk).first()
    earlier = file_received_before(
        client_id=client.pk, sha256=hashlib.sha256(data).hexdigest(), subject_model=RosterOrder,
        since=received_at - datetime.timedelta(days=DUPLICATE_UPLOAD_DAYS))
    if earlier is not None:
        when = timezone.localtime(earlier.created_at)
        raise Conflict(
            "duplicate_upload",
            f"该文件已于 {when:%Y-%m-%d %H:%M} 导入为第 {earlier.object_id} 号派单，未重复导入 / "
            f"This file was already imported as order #{earlier.object_id} on "
            f"{when:%Y-%m-%d %H:%M}; it was not imported again",
        )


# --- intake by channel: uploaded workbooks, e-mailed orders, kept files -------------

SCAN_MAGIC = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def upload_bytes(upload: UploadedFile | None, *, field: str = "file") -> bytes:
    """The content of an uploaded workbook, refused before reading when it is too large."""
    if upload is None:
        raise ValidationFailed([ErrorDetail(
            code="required", field=field,
            message="请选择要上传的 .xlsx 文件 / Choose an .xlsx file to upload")])
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise refuse(
            "file_too_large",
            "文件超过 10 MB，请拆分后上传 / The file is larger than 10 MB; split it and upload "
            "the parts",
        )
    upload.seek(0)
    data: bytes = upload.read()
    return data


def _check_scan(upload: UploadedFile | None) -> None:
    if upload is None:
        raise ValidationFailed([ErrorDetail(
            code="required", field="sealed_scan",
            message="须上传盖章名单扫描件 / The sealed roster scan is required")])
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed([ErrorDetail(
            code="file_too_large", field="sealed_scan",
            message="文件超过 10 MB / The file is larger than 10 MB")])
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SCAN_MAGIC):
        raise ValidationFailed([ErrorDetail(
            code="file_type", field="sealed_scan",
            message="盖章扫描件仅接受 PDF、JPEG 或 PNG 文件 / The sealed scan must be a PDF, "
            "JPEG or PNG file")])


def _check_email(upload: UploadedFile | None) -> None:
    if upload is None:
        raise ValidationFailed([ErrorDetail(
            code="required", field="correspondence",
            message="须上传客户的邮件（.eml） / The client's e-mail (.eml) is required")])
    name = (upload.name or "").lower()
    if not name.endswith(".eml") or (upload.size or 0) == 0:
        raise ValidationFailed([ErrorDetail(
            code="file_type", field="correspondence",
            message="邮件须为 .eml 文件（在邮件客户端中“另存为”） / The e-mail must be an .eml "
            "file (\"Save as\" in the mail program)")])
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed([ErrorDetail(
            code="file_too_large", field="correspondence",
            message="文件超过 10 MB / The file is larger than 10 MB")])


def order_email_intake(
    *,
    client: Client,
    workbook: UploadedFile | None,
    sealed_scan: UploadedFile | None,
    correspondence: UploadedFile | None,
    actor: User,
    received_at: datetime.datetime | None = None,
    note: str = "",
) -> RosterOrder:
    """An order the client e-mailed: staff enter the workbook with the sealed roster scan
    (PDF, JPEG or PNG) and the e-mail itself, kept as correspondence. `received_at` is when
    the e-mail arrived (the 48-hour deadline and the effective month count from it)."""
    now = timezone.now()
    if received_at is not None and received_at > now:
        raise ValidationFailed([ErrorDetail(
            code="date_invalid", field="received_at",
            message="收到时间不能晚于现在 / The time received cannot be in the future")])
    data = upload_bytes(workbook, field="workbook")
    _check_scan(sealed_scan)
    _check_email(correspondence)
    return order_import_xlsx(
        client=client, data=data, filename=(workbook.name if workbook else "") or "roster.xlsx",
        channel=RosterOrder.Channel.EMAIL, actor=actor, received_at=received_at or now,
        sealed_scan=sealed_scan, correspondence=correspondence, note=note,
    )


ORDER_FILES = ("source_file", "sealed_scan", "correspondence")
# STD-4.8: the roster and its sealed scan are order papers, the e-mail is correspondence
ORDER_FILE_KINDS = {"source_file": ItemKind.ORDER_PAPERS, "sealed_scan": ItemKind.ORDER_PAPERS,
                    "correspondence": ItemKind.CORRESPONDENCE}
ORDER_FILE_TITLES = {"source_file": "增减员表", "sealed_scan": "盖章增减员表扫描件",
                     "correspondence": "派单邮件"}
ORDER_RETENTION_YEARS = 10  # labour and social-insurance records: kept at least ten years


def _receive_order_files(
    order: RosterOrder, uploads: "Mapping[str, File[bytes] | None]"
) -> dict[str, tuple[str, Stored]]:
    """Write the files the order came with through the archive's one door (STD-5.1); the
    order's file fields point at the archived files."""
    month = timezone.localtime(order.received_at).date()
    received: dict[str, tuple[str, Stored]] = {}
    for field_name, upload in uploads.items():
        if upload is None:
            continue
        original = (upload.name or field_name).rsplit("/", 1)[-1]
        stored = archive_receive_file(content=upload, original_name=original, month=month)
        getattr(order, field_name).name = stored.name
        received[field_name] = (original, stored)
    return received


def _archive_order_files(
    order: RosterOrder, received: dict[str, tuple[str, Stored]], actor: User | None
) -> None:
    """File each paper the order came with in the archive (STD-3.4.3, STD-4.8): one item
    per file, linked to the order and its client, of the month it was received."""
    month = timezone.localtime(order.received_at).date()
    for field_name, (original, stored) in received.items():
        archive_store(
            stored=stored, original_name=original,
            kind=ItemKind(ORDER_FILE_KINDS[field_name]), client_id=order.client_id,
            month=month, retention_years=ORDER_RETENTION_YEARS, actor=actor, subject=order,
            title=f"派单 #{order.pk} {ORDER_FILE_TITLES[field_name]}",
        )


@transaction.atomic
def order_file_download(
    *, order: RosterOrder, field: str, actor: User | None, request: HttpRequest | None = None
) -> FieldFile:
    """Record that one of an order's files (the workbook, the sealed scan, the e-mail; they
    hold ID numbers) was downloaded; the view streams it after this. The same right as
    revealing a full ID number (`REVEAL_ROLES`): anyone else gets 403, before any audit."""
    if field not in ORDER_FILES or not getattr(order, field):
        raise Http404
    require_reveal_role(
        actor, message="无权下载派单文件 / Not allowed to download an order's files")
    stored: FieldFile = getattr(order, field)
    audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=order,
                 client_id=order.client_id, detail={"file": field, "name": stored.name},
                 request=request)
    return stored
