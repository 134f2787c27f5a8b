"""404 and 500 pages: JSON in the contract's shape under /api/, HTML elsewhere."""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from agency.api import error_body
from agency.db_unavailable import is_database_gone, unavailable_response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", "未找到 / Not found"), status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """No context processor runs here: the error may be that the database is gone (then
    the answer is 503, see agency.db_unavailable)."""
    exc = sys.exc_info()[1]
    if is_database_gone(exc):
        assert exc is not None  # noqa: S101 - checked by is_database_gone
        return unavailable_response(request, exc)
    if _is_api(request):
        return JsonResponse(
            {"error": {"code": "server_error", "message": "服务器错误 / Server error",
                       "details": []}},
            status=500,
        )
    return HttpResponse(loader.render_to_string("500.html"), status=500)
