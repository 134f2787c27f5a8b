"""Large roster workbooks imported in the background (issue 18).

A workbook with more rows than `ORDER_IMPORT_SYNC_MAX_LINES` (counted cheaply from the
sheet's XML, before the full read) is not imported in the request:

    order = order_import_start(client=..., data=..., ...)   # the order, empty, "processing"

saves the order at once (its id is what the API's 202 answers and the portal's progress
page follows) with an `OrderImport` holding the workbook, and queues `order_import_task`.
The worker runs the same `order_import_xlsx` as a small upload (`order_import_run`): the
order gets its lines and the archive its file, or the import is rejected with the error a
400 would have given, kept on the `OrderImport`; nothing else of a rejected import is
saved. A broker that cannot be reached answers 503 and nothing is saved."""

import datetime
import hashlib
import logging
import re
import zipfile
from io import BytesIO

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agency.dispatch import task_send
from agency.errors import DomainError
from agency.history import record_actor
from agency.models import User
from clients.models import Client
from enrollment.models import ImportState, OrderImport, RosterLine, RosterOrder
from enrollment.orders.services import _refuse_a_second_upload, order_import_xlsx

logger = logging.getLogger(__name__)

_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_ROW_TAGS = (b"<row ", b"<row>")
_CHUNK = 1 << 16
_COUNT_LIMIT = 400 * 1024 * 1024  # uncompressed bytes read at most to count rows


def sheet_rows(data: bytes) -> int:
    """The data rows of the workbook's largest sheet, counted cheaply: the `<row>` elements
    of its XML (a streamed decompression, no cell parsed) less the header row. An
    estimate (an example or blank formatted row counts); 0 for a file that is not a
    readable workbook (the import refuses it with its own error)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            best = 0
            for info in archive.infolist():
                if _SHEET_PART.match(info.filename):
                    best = max(best, _count_rows(archive, info))
            return max(best - 1, 0)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        return 0


def _count_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    count = read = 0
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > _COUNT_LIMIT:
                break
            window = tail + chunk
            count += sum(window.count(tag) for tag in _ROW_TAGS)
            tail = window[-4:]  # a 5-byte tag cut by the chunk boundary is counted once
    return count


def import_in_background(data: bytes) -> tuple[bool, int]:
    """(whether the workbook is imported in the background, its rows counted cheaply)."""
    rows = sheet_rows(data)
    return rows > settings.ORDER_IMPORT_SYNC_MAX_LINES, rows


def order_import_start(
    *, client: Client, data: bytes, filename: str, channel: str, actor: User | None,
    actor_label: str = "", rows: int, now: datetime.datetime | None = None,
) -> RosterOrder:
    """Save the order of a large workbook, empty, its import under way, and queue the
    import. The same workbook already imported (or being imported) for the client: 409
    `duplicate_upload`, as a small upload. The broker down: 503, nothing saved (the task
    is queued inside the transaction; the worker waits for the order to be committed)."""
    now = now or timezone.now()
    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        _refuse_a_second_upload(client=client, data=data, received_at=now)
        pending = OrderImport.objects.filter(order__client=client, sha256=sha256,
                                             state=ImportState.IMPORTING).first()
        if pending is not None:
            raise DomainError(
                code="duplicate_upload", status=409,
                message=f"该文件正在导入为第 {pending.order_id} 号派单，未重复导入 / This file "
                        f"is being imported as order #{pending.order_id}; it was not imported "
                        "again")
        order = RosterOrder(
            client=client, channel=channel, submitted_by=actor,
            submitted_by_label=actor_label or (actor.get_username() if actor else ""),
            received_at=now,
        )
        record_actor(order, actor)
        order.save()
        job = OrderImport.objects.create(order=order, filename=(filename or "roster.xlsx")[:255],
                                         sha256=sha256, data=data, rows_total=rows)
        task_send(order_import_task, job_id=job.pk)
    return order


def order_import_run(*, job_id: int) -> OrderImport | None:
    """Import a queued workbook into its order with `order_import_xlsx` (the rows read are
    recorded as it goes, for the progress page); a refusal (any `DomainError`: bad lines,
    a duplicate, a damaged file) rejects the import with the error in the contract's
    shape. Run twice (a redelivered task), it does nothing the second time."""
    job = (OrderImport.objects.select_related("order__client", "order__submitted_by")
           .filter(pk=job_id).first())
    if job is None or job.state != ImportState.IMPORTING:
        return job
    order = job.order

    def progress(read: int) -> None:
        OrderImport.objects.filter(pk=job_id).update(rows_read=read)

    try:
        order_import_xlsx(
            client=order.client, data=bytes(job.data), filename=job.filename,
            channel=order.channel, actor=order.submitted_by,
            actor_label=order.submitted_by_label, received_at=order.received_at,
            order_id=order.pk, progress=progress,
        )
    except DomainError as error:
        job.state, job.error = ImportState.REJECTED, error.as_dict()["error"]
    except Exception as exc:  # noqa: BLE001 - the client is told, not left waiting
        # the type only: a database error's text may quote a row of the workbook
        logger.error("order import %s failed: %s", job_id, type(exc).__name__)
        job.state, job.error = ImportState.REJECTED, {
            "code": "import_failed", "details": [],
            "message": "导入失败，请重新上传 / The import failed; upload the file again"}
    else:
        job.state = ImportState.RECEIVED
        job.rows_read = RosterLine.objects.filter(order_id=order.pk).count()
    job.data = b""
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "data", "finished_at"]
             + (["rows_read"] if job.state == ImportState.RECEIVED else []))
    return job


@shared_task(bind=True, acks_late=True, max_retries=120)
def order_import_task(self: Task, job_id: int) -> str:
    """The worker's side of `order_import_start`. Queued inside the upload's transaction:
    until that commits the job is not visible, and the task tries again a second later."""
    if not OrderImport.objects.filter(pk=job_id).exists():
        raise self.retry(countdown=1)
    job = order_import_run(job_id=job_id)
    return job.state if job is not None else "missing"
