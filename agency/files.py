"""Uploaded files (scans) are never served from a public URL: a view that has checked
the caller's scope hands the stored file over with this helper. Stored files are encrypted
at rest (`agency.storage`): read them through the field or the storage, never by path.

`scan_check` is the one rule for an uploaded scan (a licence, a contract, ...): PDF, JPEG
or PNG recognised by its first bytes (never by its name), not empty, at most
`SCAN_MAX_BYTES`."""

import mimetypes

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse

from agency.errors import ErrorDetail, ValidationFailed

SCAN_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_scan(head: bytes) -> str | None:
    """The scan's content type from its first bytes; None when it is none of PDF/JPEG/PNG."""
    for magic, content_type in SCAN_MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def scan_problem(upload: UploadedFile, *, field: str) -> ErrorDetail | None:
    """What is wrong with an uploaded scan, as a field error; None when it may be stored."""
    size = upload.size or 0
    if size == 0:
        return ErrorDetail("file_empty", "文件为空 / The file is empty", field=field)
    limit = int(settings.SCAN_MAX_BYTES)
    if size > limit:
        mb = f"{limit / (1024 * 1024):.0f}"
        return ErrorDetail("file_too_large", f"文件超过 {mb} MB / The file is larger than {mb} MB",
                           field=field)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if sniff_scan(head if isinstance(head, bytes) else head.encode()) is None:
        return ErrorDetail(
            "file_type", "仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or PNG files are accepted",
            field=field)
    return None


def scan_check(upload: UploadedFile | None, *, field: str) -> None:
    """Raise ValidationFailed (a field error) unless `upload` is an acceptable scan."""
    if upload is None:
        return
    problem = scan_problem(upload, field=field)
    if problem is not None:
        raise ValidationFailed([problem])


def stored_file_response(file: FieldFile) -> HttpResponse:
    """The stored file as a download; 404 when there is none (or it is gone). Scans are
    small (uploads are capped), so the file is read whole."""
    if not file or not file.name:
        raise Http404
    name = file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = HttpResponse(stored_bytes(file), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def stored_bytes(file: FieldFile) -> bytes:
    """The stored file's content; 404 when it is gone (destroyed after its retention, or
    not yet moved to its archived name), never a 500."""
    try:
        with file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
