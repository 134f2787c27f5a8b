"""Writes of an insured person's papers (STD-4.4): upload (content-checked, checksummed),
the audited download, and the HR-outsourcing letter to sign."""

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User, audit_detail
from agency.pdf import render_pdf
from agency.services import audit_record
from archive.models import ItemKind
from archive.services import archive_store
from clients.models import Client
from enrollment.models import Enrollment, InsuredPerson, Paper, RosterTask, TaskStatus
from enrollment.persons.selectors import papers_missing

PAPER_MAX_BYTES = 10 * 1024 * 1024
_MAGIC = (
    (b"%PDF-", Paper.ContentType.PDF),
    (b"\x89PNG\r\n\x1a\n", Paper.ContentType.PNG),
    (b"\xff\xd8\xff", Paper.ContentType.JPEG),
)


def _sniff(head: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return str(content_type)
    return None


@transaction.atomic
def paper_upload(
    *,
    person: InsuredPerson,
    client: Client,
    kind: str,
    upload: UploadedFile,
    actor: User | None,
) -> Paper:
    """Store one paper of a person, supplied by (or for) a client the person is enrolled
    with, or whom the client's roster order adds (a new hire has no enrolment until the
    bureau accepts it, and needs papers first). Only PDF, JPEG and PNG, recognised by their
    content, up to 10 MB."""
    if kind not in Paper.Kind.values:
        raise ValidationFailed([ErrorDetail("invalid_choice", "材料类型无效 / Unknown paper kind",
                                            field="kind")])
    if not (
        Enrollment.objects.filter(person=person, client=client).exists()
        or person.roster_lines.filter(order__client=client).exists()
    ):
        raise DomainError(code="not_enrolled",
                          message="该人员未由此客户参保 / Person is not enrolled by this client")
    size = upload.size or 0
    if size > PAPER_MAX_BYTES:
        raise ValidationFailed([ErrorDetail(
            "file_too_large", "文件超过 10 MB / The file is larger than 10 MB", field="file")])
    if size == 0:
        raise ValidationFailed([ErrorDetail("file_empty", "文件为空 / The file is empty",
                                            field="file")])
    upload.seek(0)
    content_type = _sniff(upload.read(16))
    if content_type is None:
        raise ValidationFailed([ErrorDetail(
            "file_type", "仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or PNG files are accepted",
            field="file")])
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    paper = Paper(
        person=person, client=client, kind=kind, original_name=(upload.name or "")[:200],
        content_type=content_type, size=size, sha256=digest.hexdigest(),
        uploaded_by=actor if actor is not None and actor.pk else None,
    )
    paper.file.save("upload", upload, save=False)
    record_actor(paper, actor)
    try:
        paper.save()
    except Exception:
        paper.file.delete(save=False)  # no orphan file when the row is not written
        raise
    upload.seek(0)
    archive_store(  # STD-3.4.3: every paper received is filed (client papers, STD-4.8)
        content=upload, original_name=upload.name or "paper", kind=ItemKind.CLIENT_PAPERS,
        client_id=client.pk, month=timezone.localdate(), retention_years=PAPER_RETENTION_YEARS,
        actor=actor, subject=paper, title=f"{paper.get_kind_display()} · 参保人 #{person.pk}",
    )
    _release_lines_waiting_for_papers(person=person, client=client, actor=actor)
    return paper


PAPER_RETENTION_YEARS = 10  # kept as long as the person's social-insurance records


def _release_lines_waiting_for_papers(
    *, person: InsuredPerson, client: Client, actor: User | None
) -> None:
    """Once the person's papers are complete, every task of theirs waiting for papers in
    the client's roster orders goes back to `received` (ready to be submitted). Here, in
    the upload service, so that every route a paper comes by (staff person page, portal
    person page, a line of a portal order, the API) releases the lines alike."""
    if papers_missing([person])[person.pk]:
        return
    waiting = list(
        RosterTask.objects.select_for_update()
        .filter(line__person=person, line__order__client=client,
                status=TaskStatus.PAPERS_MISSING)
        .select_related("line")
    )
    for task in waiting:
        task.status = TaskStatus.RECEIVED
        record_actor(task, actor)
        task.save(update_fields=["status"])
    for line in {task.line for task in waiting}:
        line.status_from(line.tasks.all())
        record_actor(line, actor)
        line.save(update_fields=["status", "failure_reason"])


@transaction.atomic
def paper_download(
    *, paper: Paper, actor: User | None, request: HttpRequest | None = None,
    api_key_id: int | None = None,
) -> Paper:
    """Record that a paper was downloaded (the view sends it after this)."""
    audit_record(
        actor=actor, action=AuditEvent.Action.DOWNLOAD, target=paper,
        client_id=paper.client_id,
        detail=audit_detail(person=paper.person_id, kind=paper.kind, sha256=paper.sha256,
                            api_key=api_key_id),
        request=request,
    )
    return paper


def outsourcing_letter_pdf(*, person: InsuredPerson, client: Client) -> bytes:
    """《关于公司实施人力资源外包事宜的函》 for the person to sign (ID number masked)."""
    return render_pdf(
        "enrollment/person/outsourcing_letter_pdf.html",
        {"person": person, "client": client, "today": timezone.localdate()},
    )
