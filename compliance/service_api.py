"""API of the service desk (contract "Service"): inquiries and complaints with their
threads, the client's confirmation of a resolved complaint and its satisfaction feedback.

A client caller (portal user or API key) sees and writes its own client's only (another
client's id answers 404); staff see what their desk role allows (a representative the
clients they represent) and name the client when they open one. Thin: the input
serializers check the shape, the services decide, the output serializers render."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import paginated, viewer_of
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.http import acting_user
from agency.viewer import Viewer
from clients.models import Client
from compliance.models import Channel, Complaint, Feedback, Inquiry
from compliance.service_desk import (
    complaint_confirm_closed,
    complaint_get,
    complaint_list,
    complaint_open,
    complaint_reply,
    desk_clients,
    feedback_give,
    inquiry_get,
    inquiry_list,
    inquiry_open,
    inquiry_reply,
)


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    from_client = serializers.BooleanField()
    author = serializers.CharField(source="author_label")
    created_at = serializers.DateTimeField()


class AboutOutput(serializers.Serializer):
    type = serializers.CharField(source="about_type")
    id = serializers.IntegerField(source="about_id")


class InquiryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    subject = serializers.CharField()
    body = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField(help_text="open, answered or closed.")
    received_at = serializers.DateTimeField()
    respond_by = serializers.DateTimeField(help_text="The 12-hour response deadline.")
    first_response_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    about = serializers.SerializerMethodField()

    def get_about(self, inquiry: Inquiry) -> dict[str, Any] | None:
        return AboutOutput(inquiry).data if inquiry.about_type else None


class InquiryDetailOutput(InquiryOutput):
    messages = MessageOutput(many=True, source="messages.all")


class ActionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    owner = serializers.CharField(help_text="The owner's name.")
    due_on = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)


class ComplaintOutput(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    subject = serializers.CharField()
    body = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField(
        help_text="received, investigating, action or closed.")
    received_at = serializers.DateTimeField()
    handle_by = serializers.DateTimeField(help_text="The 48-hour handling deadline.")
    first_action_at = serializers.DateTimeField(allow_null=True)
    findings = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    client_confirmed_at = serializers.DateTimeField(allow_null=True)


class ComplaintDetailOutput(ComplaintOutput):
    actions = ActionOutput(many=True, source="actions.all")
    messages = MessageOutput(many=True, source="messages.all")


class FeedbackOutput(serializers.Serializer):
    id = serializers.IntegerField()
    about = serializers.CharField()
    about_id = serializers.IntegerField()
    score = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class AboutInput(serializers.Serializer):
    type = serializers.CharField(help_text='"order_line" or "case".')
    id = serializers.IntegerField()


class OpenInput(serializers.Serializer):
    """The shape only: the service names a missing or too long subject or body."""

    subject = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=1000)
    body = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=20000)
    client = serializers.IntegerField(required=False, help_text="Staff only.")


class InquiryInput(OpenInput):
    about = AboutInput(required=False, allow_null=True,
                       help_text="A follow-up question on an order line or a case.")


class StatusFilter(serializers.Serializer):
    status = serializers.CharField(required=False, allow_blank=True)


class MessageInput(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=20000)


class FeedbackInput(serializers.Serializer):
    score = serializers.IntegerField(help_text="1 to 5.")
    comment = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=2000)


def _client_for(viewer: Viewer, client_id: int | None) -> Client:
    """A client caller's own client; staff name one of the clients they serve."""
    if viewer.is_client and viewer.client_id is not None:
        return Client.objects.get(pk=viewer.client_id)
    if client_id is None:
        raise ValidationFailed([ErrorDetail(
            "required", "员工须指定 client / Staff must name the client", field="client")])
    client = desk_clients(viewer=viewer).filter(pk=client_id).first()
    if client is None:
        raise ValidationFailed([ErrorDetail(
            "not_found", "未找到该客户 / Client not found", field="client")])
    return client


def _status(request: Request, choices: list[str]) -> str | None:
    data = StatusFilter(data=request.query_params)
    data.is_valid(raise_exception=True)
    value = data.validated_data.get("status") or None
    if value is not None and value not in choices:
        raise ValidationFailed([ErrorDetail("invalid_choice", "状态无效 / Unknown status",
                                            field="status")])
    return value


def _label(request: Request) -> str:
    return str(request.user.get_username())


class InquiryListCreateView(APIView):
    """GET: the caller's inquiries, newest first (`?status=`). POST: a question, to be
    answered within 12 hours; a follow-up one names what it is about."""

    @extend_schema(parameters=[StatusFilter], responses={200: InquiryOutput(many=True)})
    def get(self, request: Request) -> Response:
        qs = inquiry_list(viewer=viewer_of(request),
                          status=_status(request, Inquiry.Status.values))
        return paginated(request, self, qs, InquiryOutput)

    @extend_schema(request=InquiryInput, responses={201: InquiryDetailOutput})
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        data = InquiryInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        about = v.get("about") or {}
        inquiry = inquiry_open(
            client=_client_for(viewer, v.get("client")), subject=v["subject"],
            body=v["body"], channel=Channel.API, actor=acting_user(request),
            actor_label=_label(request), about_type=about.get("type", ""),
            about_id=about.get("id"))
        return Response(InquiryDetailOutput(inquiry_get(viewer=viewer, pk=inquiry.pk)).data,
                        status=status.HTTP_201_CREATED)


class InquiryDetailView(APIView):
    @extend_schema(responses={200: InquiryDetailOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(InquiryDetailOutput(inquiry_get(viewer=viewer_of(request),
                                                        pk=pk)).data)


class InquiryMessageView(APIView):
    """A message on the inquiry's thread: the client's re-opens an answered inquiry, the
    agency's answers it."""

    @extend_schema(request=MessageInput, responses={201: MessageOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        inquiry = inquiry_get(viewer=viewer, pk=pk)
        data = MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = inquiry_reply(inquiry=inquiry, body=data.validated_data["body"],
                                actor=acting_user(request), from_client=viewer.is_client,
                                actor_label=_label(request))
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


class InquiryFeedbackView(APIView):
    """The client's satisfaction with an answered or closed inquiry, once."""

    @extend_schema(request=FeedbackInput, responses={201: FeedbackOutput})
    def post(self, request: Request, pk: int) -> Response:
        return _feedback(request, Feedback.About.INQUIRY,
                         inquiry_get(viewer=viewer_of(request), pk=pk).client, pk)


class ComplaintListCreateView(APIView):
    """GET: the caller's complaints, newest first (`?status=`). POST: a complaint, to be
    handled within 48 hours."""

    @extend_schema(parameters=[StatusFilter], responses={200: ComplaintOutput(many=True)})
    def get(self, request: Request) -> Response:
        qs = complaint_list(viewer=viewer_of(request),
                            status=_status(request, Complaint.Status.values))
        return paginated(request, self, qs, ComplaintOutput)

    @extend_schema(request=OpenInput, responses={201: ComplaintDetailOutput})
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        data = OpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        complaint = complaint_open(
            client=_client_for(viewer, v.get("client")), subject=v["subject"],
            body=v["body"], channel=Channel.API, actor=acting_user(request),
            actor_label=_label(request))
        return Response(
            ComplaintDetailOutput(complaint_get(viewer=viewer, pk=complaint.pk)).data,
            status=status.HTTP_201_CREATED)


class ComplaintDetailView(APIView):
    @extend_schema(responses={200: ComplaintDetailOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ComplaintDetailOutput(complaint_get(viewer=viewer_of(request),
                                                            pk=pk)).data)


class ComplaintMessageView(APIView):
    @extend_schema(request=MessageInput, responses={201: MessageOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        complaint = complaint_get(viewer=viewer, pk=pk)
        data = MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = complaint_reply(complaint=complaint, body=data.validated_data["body"],
                                  actor=acting_user(request), from_client=viewer.is_client,
                                  actor_label=_label(request))
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


class ComplaintConfirmView(APIView):
    """The client confirms the complaint is resolved (every corrective action done)."""

    @extend_schema(request=None, responses={200: ComplaintDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        complaint = complaint_get(viewer=viewer, pk=pk)
        complaint_confirm_closed(complaint=complaint, actor=acting_user(request),
                                 viewer=viewer)
        return Response(ComplaintDetailOutput(complaint_get(viewer=viewer, pk=pk)).data)


class ComplaintFeedbackView(APIView):
    """The client's satisfaction with a closed complaint, once."""

    @extend_schema(request=FeedbackInput, responses={201: FeedbackOutput})
    def post(self, request: Request, pk: int) -> Response:
        return _feedback(request, Feedback.About.COMPLAINT,
                         complaint_get(viewer=viewer_of(request), pk=pk).client, pk)


def _feedback(request: Request, about: str, client: Client, pk: int) -> Response:
    viewer = viewer_of(request)
    if not viewer.is_client:
        raise DomainError(code="permission_denied", status=403,
                          message="满意度评价由客户填写 / Feedback is the client's to give")
    data = FeedbackInput(data=request.data)
    data.is_valid(raise_exception=True)
    feedback = feedback_give(client=client, about=about, about_id=pk,
                             score=data.validated_data["score"],
                             comment=data.validated_data["comment"],
                             actor=acting_user(request))
    return Response(FeedbackOutput(feedback).data, status=status.HTTP_201_CREATED)
