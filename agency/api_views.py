"""API endpoints of the agency app: token login."""

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from agency.errors import DomainError
from agency.models import AuditEvent
from agency.services import audit_record


class TokenLoginView(APIView):
    """POST username and password, get the user's API token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            audit_record(
                actor=None,
                action=AuditEvent.Action.LOGIN_FAILED,
                detail={"face": "api", "username": data.validated_data["username"]},
                request=request._request,
            )
            raise DomainError(
                code="invalid_credentials",
                message="用户名或密码错误 / Wrong username or password",
                status=400,
            )
        token, _created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action=AuditEvent.Action.LOGIN, detail={"face": "api"},
                     request=request._request)
        return Response(self.OutputSerializer({"token": token.key}).data)
