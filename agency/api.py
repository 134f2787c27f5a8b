"""What every API view shares: the contract's error shape, authentication, pagination."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agency.errors import DomainError, RateLimited
from agency.months import MONTH_MESSAGE, MONTH_RE, month_or_none, month_text
from agency.viewer import Viewer

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def _flatten(data: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Turn DRF's nested error dict into the contract's `details` list.

    `{"lines": [{}, {"id_number": [..]}]}` becomes `{"line": 2, "field": "id_number"}`."""
    out: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "lines" and isinstance(value, list):
                for index, item in enumerate(value, start=1):
                    for d in _flatten(item):
                        d.setdefault("line", index)
                        out.append(d)
                continue
            name = "" if key in ("non_field_errors",) else f"{prefix}{key}"
            for d in _flatten(value, prefix=f"{name}." if name else ""):
                if name and "field" not in d:
                    d["field"] = name
                out.append(d)
    elif isinstance(data, list):
        for item in data:
            out.extend(_flatten(item, prefix))
    else:
        code = getattr(data, "code", None) or "invalid"
        out.append({"code": str(code), "message": str(data)})
    return out


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every 4xx in the contract's shape; never a 500 for bad input."""
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return Response(exc.as_dict(), status=exc.status, headers=headers)
    if isinstance(exc, DjangoValidationError):
        details = _flatten(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return Response(
            error_body("validation_failed", "输入有误 / Validation failed", details),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)  # noqa: S101 - DRF only handles these
    code = _CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        code = "validation_failed"
        details = _flatten(exc.detail)
        message = "输入有误 / Validation failed"
    else:
        details = []
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail)
        if isinstance(exc, exceptions.Throttled):
            code = "throttled"
        elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            code = "not_authenticated" if isinstance(exc, exceptions.NotAuthenticated) else (
                "authentication_failed"
            )
    response.data = error_body(code, str(message), details)
    return response


class MoneyField(serializers.DecimalField):
    """An amount: a decimal string with two places (`"1234.50"`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


class RateField(serializers.DecimalField):
    """A rate as a fraction (`0.07`), between 0 and 1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(1))
        super().__init__(max_digits=7, decimal_places=6, **kwargs)


@extend_schema_field({"type": "string", "pattern": MONTH_RE, "example": "2026-12"})
class MonthField(serializers.Field[datetime.date, str, str, Any]):
    """A month, `YYYY-MM` (the first day of the month inside)."""

    default_error_messages = {"invalid": MONTH_MESSAGE}

    def to_internal_value(self, data: Any) -> datetime.date:
        month = month_or_none(data)
        if month is None:
            self.fail("invalid")
        assert month is not None  # noqa: S101 - fail() raised otherwise
        return month

    def to_representation(self, value: datetime.date) -> str:
        return month_text(value)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(
    request: Any, view: Any, items: Any, output: type[serializers.Serializer[Any]]
) -> Response:
    """One page of `items` (a queryset or list) rendered by `output`, in the contract's
    `{"count", "next", "previous", "results"}`."""
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(output(page, many=True).data)


def viewer_of(request: Any) -> Viewer:
    return Viewer.of(getattr(request, "user", None))
