"""Upload limits, enforced before a request's body is read.

Django streams multipart files to disk without any size limit of its own
(`DATA_UPLOAD_MAX_MEMORY_SIZE` counts only the non-file fields), so a client could make the
server receive and write gigabytes before a service looks at the size. Two doors refuse an
oversize request from its `Content-Length` alone, answering 413 without reading the body:

- `upload_limit_middleware` (Django, per route): a route that receives scans (papers,
  licence and contract scans, logged correspondence) takes at most `SCAN_MAX_BYTES`, the
  e-mail intake (workbook, sealed scan and the e-mail) `UPLOAD_MAX_BYTES + SCAN_MAX_BYTES`,
  any other multipart post (roster workbooks, bank statements, feedback files)
  `UPLOAD_MAX_BYTES`; each plus `UPLOAD_ENVELOPE_BYTES` for the form's other fields and the
  multipart framing (2 MiB), so a file at or a little over its limit still reaches its
  service and gets the service's clear field error; far larger bodies get 413 unread. A
  body that is not multipart takes at most `DATA_UPLOAD_MAX_MEMORY_SIZE` (Django's own
  check, answered as 413 before the body is read rather than 400 once a view reads it).
- `limit_request_body` (WSGI, wraps the whole application in `agency/wsgi.py`, before
  Django): the largest of those caps, for any path. gunicorn has no body-size limit and no
  reverse proxy stands in front of it in docker-compose; one that is added should set its
  own limit (nginx `client_max_body_size`) to `wsgi_max_bytes()`.

Under /api/ the answer is the contract's error shape (`request_too_large`); elsewhere a
short page that says what the limit is."""

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.html import escape
from django.utils.translation import gettext as _

ENVELOPE_DEFAULT = 2 * 1024 * 1024

# routes whose uploads are scans (PDF, JPEG, PNG), by URL name
SCAN_ROUTES = frozenset({
    "staff-persons-paper-upload", "portal-persons-paper-upload", "api-persons-paper-upload",
    "staff-cases-paper-upload", "portal-cases-paper-upload",
    "portal-orders-line-paper-upload",
    "staff-licences-create", "staff-licences-edit",
    "staff-clients-create", "staff-clients-edit", "staff-clients-correspondence-create",
    "staff-contracts-create", "staff-contracts-detail",
})
# the e-mail intake: a roster workbook, its sealed scan and the e-mail in one post
WORKBOOK_AND_SCAN_ROUTES = frozenset({"staff-orders-email"})


def _envelope() -> int:
    return int(getattr(settings, "UPLOAD_ENVELOPE_BYTES", ENVELOPE_DEFAULT))


def _upload_max() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def _scan_max() -> int:
    return int(settings.SCAN_MAX_BYTES)


def content_length(meta: dict[str, Any]) -> int:
    """The declared body size; 0 when absent or not a number (Django then reads nothing)."""
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0


def _is_multipart(meta: dict[str, Any]) -> bool:
    return str(meta.get("CONTENT_TYPE", "")).lower().startswith("multipart/")


def route_cap(path: str, meta: dict[str, Any]) -> int | None:
    """The most bytes a request to `path` may carry (None: no cap)."""
    if not _is_multipart(meta):
        data_max = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return None if data_max is None else int(data_max)
    try:
        name = resolve(path).url_name or ""
    except Resolver404:
        name = ""
    if name in SCAN_ROUTES:
        return _scan_max() + _envelope()
    if name in WORKBOOK_AND_SCAN_ROUTES:
        return _upload_max() + _scan_max() + _envelope()
    return _upload_max() + _envelope()


def wsgi_max_bytes() -> int:
    """The largest body any route takes: the web-server-level cap."""
    caps = [_upload_max() + _scan_max() + _envelope()]
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        caps.append(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    return max(caps)


def _shown(cap: int, meta: dict[str, Any]) -> int:
    """The limit to name in the answer: the files' (without the form's envelope)."""
    return cap - _envelope() if _is_multipart(meta) else cap


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f}"


def _api_message(limit: int) -> str:
    mb = _megabytes(limit)
    return f"上传内容过大，上限 {mb} MB / The request is too large: at most {mb} MB"


def _api_body(limit: int) -> dict[str, Any]:
    return {"error": {"code": "request_too_large", "message": _api_message(limit),
                      "details": []}}


def too_large_response(path: str, limit: int) -> HttpResponse:
    if path.startswith("/api/"):
        return JsonResponse(_api_body(limit), status=413)
    title = escape(_("The upload is too large"))
    text = escape(_("Files sent at once may total at most %(mb)s MB. Send a smaller "
                    "file, or split it, and try again.") % {"mb": _megabytes(limit)})
    back = escape(_("Back"))
    html = (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{text}</p>"
            f'<p><a href="javascript:history.back()">{back}</a></p></body></html>')
    return HttpResponse(html, status=413, content_type="text/html; charset=utf-8")


def upload_limit_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Refuse an oversize request from its Content-Length, before anything reads the body
    (CSRF's check, the forms, DRF's parsers all run later)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        length = content_length(request.META)
        if length:
            cap = route_cap(request.path_info, request.META)
            if cap is not None and length > cap:
                return too_large_response(request.path, _shown(cap, request.META))
        return get_response(request)

    return middleware


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def limit_request_body(app: WSGIApp) -> WSGIApp:
    """The web-server-level cap: refuse a body larger than any route takes, before Django
    (and before gunicorn hands the body on: nothing of it is read)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        limit = wsgi_max_bytes()
        if content_length(environ) > limit:
            limit = _shown(limit, environ)
            path = str(environ.get("PATH_INFO", ""))
            if path.startswith("/api/"):
                body = json.dumps(_api_body(limit), ensure_ascii=False).encode()
                content_type = "application/json"
            else:
                body = _api_message(limit).encode()
                content_type = "text/plain; charset=utf-8"
            start_response("413 Request Entity Too Large",
                           [("Content-Type", content_type),
                            ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)

    return wrapped
