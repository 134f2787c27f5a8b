"""Uploaded files (scans) are never served from a public URL: a view that has checked
the caller's scope hands the stored file over with this helper."""

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse


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
