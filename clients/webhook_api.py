"""API of webhooks: a client registers endpoints and reads their delivery log."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import paginated, viewer_of
from agency.errors import DomainError
from agency.roles import CallerKind, Role
from clients.models import WebhookAttempt, WebhookEvent
from clients.selectors import client_get
from clients.webhook_selectors import (
    webhook_delivery_list,
    webhook_endpoint_get,
    webhook_endpoint_list,
)
from clients.webhook_services import webhook_endpoint_create, webhook_endpoint_deactivate


class EndpointOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


def _require_client_admin(request: Request) -> None:
    viewer = viewer_of(request)
    if not (viewer.is_client and viewer.has_role(Role.CLIENT_ADMIN, CallerKind.API_KEY)):
        raise DomainError(
            code="permission_denied",
            message="仅客户管理员或 API 密钥可管理 Webhook / Only a client administrator or "
            "API key may manage webhooks",
            status=403,
        )


class WebhookListView(APIView):
    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False
        )

    class CreatedSerializer(EndpointOutputSerializer):
        secret = serializers.CharField(help_text="Shown only in this response.")

    @extend_schema(responses={200: EndpointOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return paginated(request, self, webhook_endpoint_list(viewer=viewer_of(request)),
                         EndpointOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: CreatedSerializer})
    def post(self, request: Request) -> Response:
        _require_client_admin(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        viewer = viewer_of(request)
        assert viewer.client_id is not None  # noqa: S101 - ensured by _require_client_admin
        endpoint = webhook_endpoint_create(
            client=client_get(viewer=viewer, pk=viewer.client_id),
            url=data.validated_data["url"],
            events=data.validated_data.get("events") or [],
        )
        return Response(self.CreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    @extend_schema(responses={200: EndpointOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        endpoint = webhook_endpoint_get(viewer=viewer_of(request), pk=pk)
        return Response(EndpointOutputSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = webhook_endpoint_get(viewer=viewer_of(request), pk=pk)
        _require_client_admin(request)
        webhook_endpoint_deactivate(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttemptOutputSerializer(serializers.Serializer):
    """One attempt as its client sees it: when, whether it succeeded, the HTTP status the
    endpoint answered (null when none came). Never the error text or an address: the log
    must not let a client probe the agency's network."""

    at = serializers.DateTimeField()
    succeeded = serializers.SerializerMethodField()
    status_code = serializers.IntegerField(allow_null=True)

    def get_succeeded(self, attempt: WebhookAttempt) -> bool:
        return attempt.status_code is not None and 200 <= attempt.status_code < 300


class StaffAttemptOutputSerializer(AttemptOutputSerializer):
    """One attempt, for staff: with the error text and the duration (absent for a client)."""

    error = serializers.CharField(required=False, help_text="Staff only.")
    duration_ms = serializers.IntegerField(required=False, help_text="Staff only.")


class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    event_id = serializers.UUIDField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    payload = serializers.JSONField()
    attempt_log = AttemptOutputSerializer(many=True, source="attempt_log.all")


class StaffDeliveryOutputSerializer(DeliveryOutputSerializer):
    attempt_log = StaffAttemptOutputSerializer(many=True, source="attempt_log.all")


class WebhookDeliveryListView(APIView):
    @extend_schema(
        responses={200: StaffDeliveryOutputSerializer(many=True)},
        description="The delivery log. A client sees each attempt's time, success and HTTP "
        "status; the error text and duration are shown to staff only.",
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        endpoint = webhook_endpoint_get(viewer=viewer, pk=pk)
        output = StaffDeliveryOutputSerializer if viewer.is_staff else DeliveryOutputSerializer
        return paginated(request, self, webhook_delivery_list(endpoint=endpoint, viewer=viewer),
                         output)
