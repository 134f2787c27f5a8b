"""Writes of the roster-order pages and the import endpoint around `order_services`:
reading an uploaded workbook safely, the e-mail intake (workbook + sealed scan + the
e-mail itself), and papers supplied for a line that was waiting for them.

The rules of an order stay in `enrollment.orders.services`; this module only checks the
files each channel brings and then hands over to it."""

import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.utils import timezone

from agency.errors import ErrorDetail, ValidationFailed
from agency.models import AuditEvent, User
from agency.services import audit_record
from agency.viewer import SYSTEM_VIEWER
from agency.xlsx import MAX_FILE_BYTES, refuse
from clients.models import Client
from enrollment.models import Paper, RosterLine, RosterOrder, TaskStatus
from enrollment.orders.services import line_transition, order_import_xlsx
from enrollment.persons.selectors import papers_missing
from enrollment.persons.services import paper_upload

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
    return upload.read()


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


@transaction.atomic
def line_paper_upload(
    *, line: RosterLine, kind: str, upload: UploadedFile, actor: User | None
) -> Paper:
    """A paper the client supplies for a line waiting for papers. Once the person's papers
    are complete, every task of that person waiting for them in the client's open orders
    goes back to `received` (ready to be submitted)."""
    client = line.order.client
    if kind not in Paper.Kind.values:
        raise ValidationFailed([ErrorDetail(
            code="invalid_choice", field="kind",
            message="材料类型无效 / Unknown paper kind")])
    paper = paper_upload(person=line.person, client=client, kind=kind, upload=upload,
                         actor=actor)
    if not papers_missing(viewer=SYSTEM_VIEWER, person=line.person):
        waiting = RosterLine.objects.filter(
            person=line.person, order__client=client,
            tasks__status=TaskStatus.PAPERS_MISSING,
        ).distinct()
        for waiting_line in waiting:
            for task in waiting_line.tasks.filter(status=TaskStatus.PAPERS_MISSING):
                line_transition(line=waiting_line, to=TaskStatus.RECEIVED, actor=actor,
                                scheme=task.scheme)
    return paper



ORDER_FILES = ("source_file", "sealed_scan", "correspondence")


@transaction.atomic
def order_file_download(
    *, order: RosterOrder, field: str, actor: User | None, request: HttpRequest | None = None
) -> FieldFile:
    """Record that one of an order's files (the workbook, the sealed scan, the e-mail; they
    hold ID numbers) was downloaded; the view streams it after this."""
    if field not in ORDER_FILES or not getattr(order, field):
        raise Http404
    stored: FieldFile = getattr(order, field)
    audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=order,
                 client_id=order.client_id, detail={"file": field, "name": stored.name},
                 request=request)
    return stored
