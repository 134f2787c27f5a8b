"""Writes of an insured person's papers (STD-4.4): upload (content-checked, checksummed),
the audited download, and the HR-outsourcing letter to sign."""


from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User, audit_detail
from agency.pdf import render_pdf
from agency.roles import REVEAL_ROLES
from agency.services import audit_record
from archive.models import ItemKind
from archive.services import archive_receive_file, archive_store
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
    upload.seek(0)
    month = timezone.localdate()
    stored = archive_receive_file(content=upload, original_name=upload.name or "paper",
                                  month=month)  # STD-5.1: through the archive's one door
    paper = Paper(
        person=person, client=client, kind=kind, original_name=(upload.name or "")[:200],
        content_type=content_type, size=size, sha256=stored.sha256,
        uploaded_by=actor if actor is not None and actor.pk else None,
    )
    paper.file.name = stored.name
    record_actor(paper, actor)
    paper.save()
    archive_store(  # STD-3.4.3: every paper received is filed (client papers, STD-4.8)
        stored=stored, original_name=upload.name or "paper", kind=ItemKind.CLIENT_PAPERS,
        client_id=client.pk, month=month, retention_years=PAPER_RETENTION_YEARS,
        actor=actor, subject=paper, title=paper_archive_title(paper),
    )
    _release_lines_waiting_for_papers(person=person, client=client, actor=actor)
    return paper


def paper_archive_title(paper: Paper) -> str:
    """The archive item's title: the kind in Chinese, whatever the caller's language, and
    the person's number, never their name."""
    with translation.override("zh-hans"):
        return f"{paper.get_kind_display()} · 参保人 #{paper.person_id}"


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
    """Record that a paper was downloaded (the view sends it after this). An ID-card scan
    holds the full ID number: staff need the reveal right (`REVEAL_ROLES`), else 403 before
    any audit row; the client's own users and keys reach only their own client's papers."""
    if actor is not None and actor.is_agency_staff and not actor.has_role(*REVEAL_ROLES):
        raise DomainError(code="permission_denied", status=403,
                          message="无权下载人员材料 / Not allowed to download a person's papers")
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
