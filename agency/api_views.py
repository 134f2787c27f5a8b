"""API endpoints of the agency app: token login."""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from agency.authentication import token_expired
from agency.errors import DomainError
from agency.models import User
from agency.roles import OTP_ROLES

INVALID_CREDENTIALS = "用户名或密码错误 / Wrong username or password"


class TokenLoginView(APIView):
    """POST username and password, get the user's API token (valid `API_TOKEN_TTL_HOURS`;
    logging in again after that issues a new one). Staff whose role reveals ID numbers
    also send `otp`, the code of their authenticator app. Five failures of one username
    from one address lock that pair out (429) for the cool-off."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)
        otp = serializers.RegexField(r"^\d{6}$", required=False,
                                     help_text="TOTP code; required for staff of the "
                                               "roles that reveal ID numbers")

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        django_request = request._request
        # axes (the first backend) refuses a locked (username, address) here; its
        # middleware then answers 429 (agency.views.locked_out)
        user = authenticate(django_request, username=username,
                            password=data.validated_data["password"])
        if not isinstance(user, User) or not user.is_active:
            raise DomainError(code="invalid_credentials", message=INVALID_CREDENTIALS,
                              status=400)
        if settings.STAFF_OTP_REQUIRED and user.role in OTP_ROLES:
            self._check_second_factor(django_request, user, data.validated_data.get("otp"))
        with transaction.atomic():
            token = Token.objects.select_for_update().filter(user=user).first()
            if token is not None and token_expired(token):
                token.delete()
                token = None
            if token is None:
                token = Token.objects.create(user=user)
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        return Response(self.OutputSerializer({"token": token.key}).data)

    @staticmethod
    def _check_second_factor(request: Any, user: User, code: str | None) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise DomainError(
                code="otp_setup_required",
                message="请先在员工端登录并设置两步验证 / Set up two-factor on the staff "
                        "site first",
                status=403,
            )
        if not code or not device.verify_token(code):
            # a wrong or missing code is a failed login: audited, and counted by axes
            user_login_failed.send(sender=TokenLoginView, credentials={"username": user.username},
                                   request=request)
            raise DomainError(
                code="otp_invalid",
                message="两步验证码错误或缺失 / Two-factor code wrong or missing",
                status=400,
            )
