"""API of roster orders (增减员): intake (JSON lines or an uploaded workbook), the orders
and their lines, and the staff transition endpoint. Thin: input serializers check the
shape, the order services decide, output serializers render."""

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import MonthField, Pagination, viewer_of
from agency.errors import DomainError
from agency.http import acting_user
from agency.idempotency import idempotent_call
from agency.viewer import Viewer
from clients.models import Client
from enrollment.models import (
    Enrollment,
    ImportState,
    LineStatus,
    OrderStatus,
    RosterLine,
    RosterOrder,
    Scheme,
    TaskStatus,
)
from enrollment.orders.import_jobs import import_in_background, order_import_start
from enrollment.orders.roster_template import roster_template_xlsx
from enrollment.orders.selectors import (
    INLINE_LINES_MAX,
    ORDER_PROCESSORS,
    OrderReply,
    line_get,
    order_client,
    order_lines,
    order_list_api,
    order_replies,
    order_reply,
)
from enrollment.orders.services import order_import_xlsx, order_submit, upload_bytes
from enrollment.orders.workflow import line_transition

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "增减员名单模板.xlsx"
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


def template_response() -> HttpResponse:
    """The roster template as a download with its Chinese file name (RFC 6266 / 5987)."""
    response = HttpResponse(roster_template_xlsx(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename=\"roster-template.xlsx\"; "
        f"filename*=UTF-8''{quote(TEMPLATE_FILENAME)}"
    )
    return response


@extend_schema_field({"type": "string", "nullable": True, "example": "8000.00"})
class OrderBaseField(serializers.Field):
    """A line's base as the contract writes it: an amount with two places, or "min" /
    "max" for the city's floor / ceiling (null for a removal)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, line: RosterLine) -> str | None:
        if line.base_kind in (Enrollment.BaseKind.CITY_MIN, Enrollment.BaseKind.CITY_MAX):
            return str(line.base_kind)
        return f"{line.base:.2f}" if line.base is not None else None


class BlankAsNullField(serializers.CharField):
    """Text that is null in the API when empty (e.g. an add's removal reason)."""

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return str(value) or None


class TaskOutSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()


class LineOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    line = serializers.IntegerField(source="line_no")
    action = serializers.CharField()
    name = serializers.CharField()
    id_number_masked = serializers.CharField(source="person.id_number_masked")
    city = serializers.CharField(source="city.code")
    base = OrderBaseField(allow_null=True, help_text='An amount, or "min" / "max".')
    effective_date = serializers.DateField()
    effective_month = MonthField()
    reason = BlankAsNullField(allow_null=True)
    status = serializers.CharField()
    handle_by = serializers.DateTimeField(help_text="The 48-hour handling deadline.")
    failure_reason = serializers.CharField()
    tasks = TaskOutSerializer(many=True, source="tasks.all")


@extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"},
                      "example": {"total": 3, "received": 2, "papers_missing": 1}})
class LineCountsField(serializers.DictField):
    """`{"total": N, "<line status>": n, ...}`: only the statuses present."""

    child = serializers.IntegerField()


class ImportOutSerializer(serializers.Serializer):
    """A large workbook imported in the background (absent for every other order)."""

    state = serializers.ChoiceField(choices=ImportState.choices)
    rows_read = serializers.IntegerField(help_text="Data rows read so far.")
    rows_total = serializers.IntegerField(
        help_text="Rows of the sheet, counted before the read (an estimate).")


class ErrorOutSerializer(serializers.Serializer):
    """Why a background import was rejected: the body a 400 (or 409) would have had."""

    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.ListField(child=serializers.DictField())


class OrderSummarySerializer(serializers.Serializer):
    """An order in a list: its counts by line status, never its lines."""

    id = serializers.IntegerField(source="order.pk")
    status = serializers.ChoiceField(
        choices=OrderStatus.choices,
        help_text='"processing" also while a large workbook is being imported (see '
                  '`import_job`); "rejected" when that import refused it (see `error`).')
    channel = serializers.CharField(source="order.channel")
    client = serializers.IntegerField(source="order.client_id")
    received_at = serializers.DateTimeField(source="order.received_at")
    line_counts = LineCountsField()
    import_job = ImportOutSerializer(allow_null=True)
    error = ErrorOutSerializer(allow_null=True)


class OrderOutSerializer(OrderSummarySerializer):
    """An order with its lines inline when it has at most 100 (else `lines` is absent:
    page them at `/api/v1/orders/{id}/lines/`)."""

    lines = LineOutSerializer(many=True, required=False)

    def to_representation(self, instance: OrderReply) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if instance.lines is None:
            del data["lines"]
        return data


class LineInSerializer(serializers.Serializer):
    """One line as client systems send it. Only the shape is checked here (text, a flag, a
    list); what each value means is the order service's to check, with the contract's line
    error codes, every bad line named at once."""

    action = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                   help_text="add, remove or adjust_base")
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    id_number = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    hukou_type = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                 help_text="Six-digit GB/T 2260 code.")
    base = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                 help_text='An amount, or "min" / "max".')
    effective_date = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                           help_text="YYYY-MM-DD")
    housing_fund = serializers.BooleanField(required=False, allow_null=True)
    schemes = serializers.ListField(child=serializers.CharField(), required=False,
                                    allow_null=True)
    phone = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, allow_null=True)


def _created(request: Request, viewer: Viewer, client: Client, payload: Any,
             submit: Callable[[], RosterOrder]) -> Response:
    """201 with the new order, once per `Idempotency-Key` (the same key and body answer the
    first response again; the same key with another body: 409)."""

    def handler() -> tuple[int, Any]:
        order = submit()
        reply = order_reply(viewer=viewer, pk=order.pk)
        code = (status.HTTP_202_ACCEPTED if reply.status == OrderStatus.PROCESSING
                and reply.import_job is not None else status.HTTP_201_CREATED)
        return code, OrderOutSerializer(reply).data

    code, body = idempotent_call(
        scope=f"orders:client:{client.pk}", key=request.headers.get("Idempotency-Key"),
        payload=payload, handler=handler,
    )
    return Response(body, status=code)


class OrderListCreateView(APIView):
    """GET: the caller's orders (staff: every order), newest first. POST: a new order; any
    bad line answers 400 with every bad line in `details`, and nothing is saved."""

    class InputSerializer(serializers.Serializer):
        lines = LineInSerializer(many=True)
        client = serializers.IntegerField(required=False, help_text="Staff only.")

    @extend_schema(responses={200: OrderSummarySerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Each order with its `line_counts`, never its lines; a fixed number of queries
        whatever the page holds."""
        paginator = Pagination()
        page = paginator.paginate_queryset(order_list_api(viewer=viewer_of(request)), request,
                                           view=self)
        return paginator.get_paginated_response(
            OrderSummarySerializer(order_replies(page or []), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OrderOutSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = order_client(viewer=viewer, client_id=data.validated_data.get("client"))
        lines = data.validated_data["lines"]
        return _created(request, viewer, client, request.data, lambda: order_submit(
            client=client, lines=lines, channel=RosterOrder.Channel.API,
            actor=acting_user(request), actor_label=request.user.get_username(),
        ))


class OrderImportView(APIView):
    """An order from an uploaded roster workbook (multipart, field `file`)."""

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True,
                                     help_text="The roster, an .xlsx in the template's layout.")
        client = serializers.IntegerField(required=False, help_text="Staff only.")

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: OrderOutSerializer,
            202: OpenApiResponse(
                OrderOutSerializer,
                description="A workbook of more than ORDER_IMPORT_SYNC_MAX_LINES rows (2000 "
                "by default) is imported in the background: the order, empty, with `status: "
                '"processing"`; poll `GET /api/v1/orders/{id}/` until it is "received" or '
                '"rejected" (`error` then holds the 400\'s body).'),
            503: OpenApiResponse(description="The task queue is down: nothing was saved."),
        },
        parameters=[IDEMPOTENCY_KEY])
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = order_client(viewer=viewer, client_id=data.validated_data.get("client"))
        upload = data.validated_data["file"]
        content = upload_bytes(upload)
        filename = upload.name or "roster.xlsx"
        background, rows = import_in_background(content)

        def submit() -> RosterOrder:
            if background:
                return order_import_start(
                    client=client, data=content, filename=filename,
                    channel=RosterOrder.Channel.EXCEL, actor=acting_user(request),
                    actor_label=request.user.get_username(), rows=rows)
            return order_import_xlsx(
                client=client, data=content, filename=filename,
                channel=RosterOrder.Channel.EXCEL, actor=acting_user(request),
                actor_label=request.user.get_username())

        return _created(
            request, viewer, client, {"file_sha256": hashlib.sha256(content).hexdigest()},
            submit)


class OrderTemplateView(APIView):
    """The roster template (.xlsx with Chinese headers and a 填写说明 sheet)."""

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        return template_response()


class OrderDetailView(APIView):
    """One order with its `line_counts`, and its lines (each with its status and tasks)
    when it has at most 100; a background import's state, or why it was rejected."""

    @extend_schema(responses={200: OrderOutSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(OrderOutSerializer(order_reply(viewer=viewer_of(request), pk=pk)).data)


class LinesPagination(PageNumberPagination):
    page_size = INLINE_LINES_MAX
    page_size_query_param = "page_size"
    max_page_size = 1000


class OrderLinesView(APIView):
    """An order's lines, paged (`?page=`, `?page_size=` up to 1000, `?status=`), each with
    its status, its tasks (scheme, status, reason) and its failure reason."""

    class QuerySerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=LineStatus.choices, required=False)
        page = serializers.IntegerField(min_value=1, required=False)
        page_size = serializers.IntegerField(min_value=1, max_value=1000, required=False)

    @extend_schema(
        parameters=[QuerySerializer],
        responses={200: inline_serializer("PagedOrderLines", {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": LineOutSerializer(many=True),
        })})
    def get(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        order = order_list_api(viewer=viewer).filter(pk=pk).first()
        if order is None:
            raise Http404
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = LinesPagination()
        page = paginator.paginate_queryset(
            order_lines(order=order, status=query.validated_data.get("status", "")),
            request, view=self)
        return paginator.get_paginated_response(LineOutSerializer(page, many=True).data)


class LineTransitionView(APIView):
    """Staff move a line's tasks (all, or one scheme's) along the workflow; an illegal move
    answers 409 `invalid_transition`."""

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
        if not viewer.has_role(*ORDER_PROCESSORS):
            raise DomainError(code="permission_denied", status=403,
                              message="仅业务人员可办理 / Only processing staff may do this")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = line_transition(
            line=line, to=data.validated_data["to"], reason=data.validated_data.get("reason", ""),
            scheme=data.validated_data.get("scheme", ""), actor=acting_user(request),
        )
        return Response(LineOutSerializer(line_get(viewer=viewer, pk=line.pk)).data)
