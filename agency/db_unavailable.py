"""The database went away under a request (a restart, a failover, a dropped connection):
the request answers 503 — in the contract's error shape under /api/ — instead of a 500,
with `Retry-After`. Its transaction died with the connection, so nothing half-written
stays; Django drops the broken connection at the end of the request and the next request
connects afresh (CONN_HEALTH_CHECKS)."""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from agency.api import error_body

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
MESSAGE = "数据库暂时不可用，请稍后重试 / The database is unavailable: try again shortly"
PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<title>503</title></head><body style="font-family:sans-serif;max-width:36rem;margin:4rem auto">
<h1>暂时无法服务 / Temporarily unavailable</h1><p>{message}</p>
<p><a href="">重试 / Try again</a></p></body></html>"""


def is_database_gone(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 with Retry-After; touches no database (no context processor runs)."""
    logger.error("database unavailable during %s %s: %s", request.method, request.path,
                 str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("service_unavailable", MESSAGE), status=503)
    else:
        response = HttpResponse(PAGE.format(message=MESSAGE), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers 503. (A middleware that loses it reaches
    `errors_views.server_error`, which answers the same.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_gone(exception):
            return unavailable_response(request, exception)
        return None
