"""OpenAPI schema tweaks shared by every app's API."""

from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers


class AutoSchema(openapi.AutoSchema):
    """Names a nested serializer after its view: `MeView.OutputSerializer` → `MeOutput`.

    The house style nests `InputSerializer` / `OutputSerializer` inside each API view;
    without this every one of them would be a component called "Output"."""

    def _get_serializer_name(self, serializer: Any, direction: str,
                             bypass_extensions: bool = False) -> str:
        name: str = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        qualname = cls.__qualname__
        meta = getattr(cls, "Meta", None)
        if "." in qualname and not getattr(meta, "ref_name", None):
            outer = qualname.rsplit(".", 1)[0].replace(".", "")
            name = outer.removesuffix("View").removesuffix("Api") + name
        return name

    def _get_paginator(self) -> Any:
        """A plain APIView that answers a page through `agency.api.paginated` (or its
        `Pagination`) is described as the page it sends (`{"count", "next", "previous",
        "results"}`), not as a bare list."""
        paginator = super()._get_paginator()
        handler = getattr(self.view, self.method.lower(), None)
        code = getattr(handler, "__code__", None)
        pages = {"paginated", "Pagination"} & set(getattr(code, "co_names", ()))
        if paginator is None and pages:
            from agency.api import Pagination

            return Pagination()
        return paginator

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        """Every operation also documents the errors any call can meet, in the contract's
        error shape (`{"error": {"code", "message", "details"}}`): 400 bad input, 401 no
        or a bad token, 403 a role without the right, 404 another client's or no object,
        405, 409 a conflicting state, 413 too large, 415 a wrong media type, 429 throttled."""
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in ERROR_STATUSES:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses


ERROR_STATUSES = ("400", "401", "403", "404", "405", "409", "413", "415", "429")


class ErrorDetailSerializer(serializers.Serializer):
    line = serializers.IntegerField(required=False)
    field = serializers.CharField(required=False)
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = ErrorDetailSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The contract's error shape (api-contract.md, "Errors")."""

    error = ErrorBodySerializer()
