"""Uploaded files (scans) are never served from a public URL: a view that has checked
the caller's scope hands the stored file over with this helper."""

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse


def stored_file_response(file: FieldFile) -> HttpResponse:
    """The stored file as a download; 404 when there is none. Scans are small (uploads
    are capped), so the file is read whole."""
    if not file or not file.name:
        raise Http404
    name = file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
