"""API of roster orders (增减员): intake, status, and the staff transition endpoint."""

import hashlib
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import Pagination, viewer_of
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.idempotency import idempotent_call
from agency.models import User
from agency.roles import Role
from agency.viewer import Viewer
from clients.models import Client
from clients.selectors import client_get
from enrollment.models import RosterLine, RosterOrder, Scheme, TaskStatus
from enrollment.orders.roster_template import roster_template_xlsx
from enrollment.orders.selectors import line_get, order_get, order_list, order_status
from enrollment.orders.services import order_import_xlsx, order_submit, upload_bytes
from enrollment.orders.workflow import line_transition

STAFF_PROCESSORS = (Role.ADMIN, Role.MANAGER, Role.SERVICE_REP)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "增减员名单模板.xlsx"


def template_response() -> HttpResponse:
    """The roster template as a download with its Chinese file name (RFC 6266 / 5987)."""
    response = HttpResponse(roster_template_xlsx(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename=\"roster-template.xlsx\"; "
        f"filename*=UTF-8''{quote(TEMPLATE_FILENAME)}"
    )
    return response


def _local_iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def line_data(line: RosterLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "line": line.line_no,
        "action": line.action,
        "name": line.name,
        "id_number_masked": line.person.id_number_masked,
        "city": line.city.code,
        "base": "min" if line.base_kind == "min" else "max" if line.base_kind == "max"
        else (f"{line.base:.2f}" if line.base is not None else None),
        "effective_date": line.effective_date.isoformat(),
        "effective_month": f"{line.effective_month:%Y-%m}",
        "reason": line.reason or None,
        "status": line.status,
        "handle_by": _local_iso(line.handle_by),
        "failure_reason": line.failure_reason,
        "tasks": [
            {"scheme": t.scheme, "status": t.status, "reason": t.reason}
            for t in line.tasks.all()
        ],
    }


def order_data(order: RosterOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "client": order.client_id,
        "status": order_status(order),
        "channel": order.channel,
        "received_at": _local_iso(order.received_at),
        "lines": [line_data(line) for line in order.lines.all()],
    }


def submitting_client(viewer: Viewer, request_data: Any) -> Client:
    """The client an order is for: the caller's own, or (staff) the `client` field."""
    if viewer.is_client and viewer.client_id is not None:
        if viewer.role == Role.CLIENT_VIEWER:
            raise DomainError(
                code="permission_denied", status=403,
                message="只读用户不能提交派单 / A read-only user cannot submit orders",
            )
        return client_get(viewer=viewer, pk=viewer.client_id)
    if viewer.is_staff and viewer.role in STAFF_PROCESSORS:
        raw = request_data.get("client") if hasattr(request_data, "get") else None
        try:
            return client_get(viewer=viewer, pk=int(str(raw)))
        except (TypeError, ValueError):
            raise ValidationFailed([ErrorDetail(
                code="required", field="client",
                message="员工代客户提交时须指定 client / Staff must name the client")]) from None
    raise DomainError(code="permission_denied", status=403,
                      message="无权提交派单 / Not allowed to submit orders")


class OrderLineInSerializer(serializers.Serializer):
    """One line as client systems send it (documentation; validation is the service's)."""

    action = serializers.ChoiceField(choices=["add", "remove", "adjust_base"])
    name = serializers.CharField(required=False)
    id_number = serializers.CharField()
    hukou_type = serializers.CharField(required=False)
    city = serializers.CharField()
    base = serializers.CharField(required=False, help_text='An amount, or "min" / "max".')
    effective_date = serializers.DateField()
    housing_fund = serializers.BooleanField(required=False)
    schemes = serializers.ListField(child=serializers.CharField(), required=False)
    phone = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)


class TaskOutSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()


class LineOutSerializer(serializers.Serializer):
    """A line as `line_data` renders it (for the schema)."""

    id = serializers.IntegerField()
    line = serializers.IntegerField()
    action = serializers.CharField()
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    city = serializers.CharField()
    base = serializers.CharField(allow_null=True, help_text='An amount, or "min" / "max".')
    effective_date = serializers.DateField()
    effective_month = serializers.CharField(help_text="YYYY-MM")
    reason = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    handle_by = serializers.DateTimeField()
    failure_reason = serializers.CharField()
    tasks = TaskOutSerializer(many=True)


class OrderListCreateView(APIView):
    class InputSerializer(serializers.Serializer):
        lines = OrderLineInSerializer(many=True)
        client = serializers.IntegerField(required=False, help_text="Staff only.")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        channel = serializers.CharField()
        client = serializers.IntegerField()
        received_at = serializers.DateTimeField()
        lines = LineOutSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        viewer = viewer_of(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            order_list(viewer=viewer).prefetch_related("lines__tasks", "lines__city",
                                                       "lines__person"),
            request, view=self,
        )
        return paginator.get_paginated_response([order_data(o) for o in page or []])

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        client = submitting_client(viewer, request.data)
        lines = request.data.get("lines") if isinstance(request.data, dict) else None
        if not isinstance(lines, list):
            raise ValidationFailed([ErrorDetail(
                code="required", field="lines",
                message="lines 须为数组 / lines must be a list")])
        actor = request.user if isinstance(request.user, User) else None

        def handler() -> tuple[int, Any]:
            order = order_submit(client=client, lines=lines, channel=RosterOrder.Channel.API,
                                 actor=actor, actor_label=request.user.get_username())
            return status.HTTP_201_CREATED, order_data(order_get(viewer=viewer, pk=order.pk))

        code, body = idempotent_call(
            scope=f"orders:client:{client.pk}",
            key=request.headers.get("Idempotency-Key"),
            payload=request.data,
            handler=handler,
        )
        return Response(body, status=code)


class OrderImportView(APIView):
    """An order from an uploaded roster workbook (multipart, field `file`)."""

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="The roster, an .xlsx in the template's layout.")
        client = serializers.IntegerField(required=False, help_text="Staff only.")

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: OrderListCreateView.OutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        client = submitting_client(viewer, request.data)
        upload = request.FILES.get("file")
        data = upload_bytes(upload)
        filename = (upload.name if upload else "") or "roster.xlsx"
        actor = request.user if isinstance(request.user, User) else None

        def handler() -> tuple[int, Any]:
            order = order_import_xlsx(
                client=client, data=data, filename=filename, channel=RosterOrder.Channel.EXCEL,
                actor=actor, actor_label=request.user.get_username(),
            )
            return status.HTTP_201_CREATED, order_data(order_get(viewer=viewer, pk=order.pk))

        code, body = idempotent_call(
            scope=f"orders:client:{client.pk}",
            key=request.headers.get("Idempotency-Key"),
            payload={"file_sha256": hashlib.sha256(data).hexdigest()},
            handler=handler,
        )
        return Response(body, status=code)


class OrderTemplateView(APIView):
    """The roster template (.xlsx with Chinese headers and a 填写说明 sheet)."""

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): bytes})
    def get(self, request: Request) -> HttpResponse:
        return template_response()


class OrderDetailView(APIView):
    @extend_schema(responses={200: OrderListCreateView.OutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(order_data(order_get(viewer=viewer_of(request), pk=pk)))


class LineTransitionView(APIView):
    class InputSerializer(serializers.Serializer):
        to = serializers.ChoiceField(choices=[TaskStatus.SUBMITTED, TaskStatus.SUCCEEDED,
                                              TaskStatus.FAILED, TaskStatus.RETURNED,
                                              TaskStatus.RECEIVED, TaskStatus.CANCELLED])
        reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
        scheme = serializers.ChoiceField(choices=Scheme.choices, required=False)

    @extend_schema(request=InputSerializer, responses={200: LineOutSerializer})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        line = line_get(viewer=viewer, pk=pk)
        if not viewer.has_role(*STAFF_PROCESSORS):
            raise DomainError(code="permission_denied", status=403,
                              message="仅业务人员可办理 / Only processing staff may do this")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = line_transition(
            line=line, to=data.validated_data["to"], reason=data.validated_data.get("reason", ""),
            scheme=data.validated_data.get("scheme", ""),
            actor=request.user if isinstance(request.user, User) else None,
        )
        return Response(line_data(line_get(viewer=viewer, pk=line.pk)))
