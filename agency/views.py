"""Login and logout of both faces, the staff's second factor (TOTP), the lockout answer,
and the health check.

Every login and failed login is audited by the receivers in `agency.signals` (Django's
`user_logged_in` / `user_login_failed`, whichever face or the admin sent them); django-axes
counts the failures per (username, address) and `locked_out` answers once it locks."""

import base64
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agency.forms import PortalLoginForm, StaffLoginForm, TwoFactorForm
from agency.models import AuditEvent, Heartbeat, User
from agency.services import audit_record

LOCKED_OUT = _(
    "Too many failed logins for this account from your address. Try again in "
    "%(minutes)s minutes, or ask the agency's administrator."
)
TWO_FACTOR_REQUIRED = "请先完成两步验证 / Enter your two-factor code first"


def locked_out(request: HttpRequest, original_response: Any = None,
               credentials: Any = None) -> HttpResponse:
    """What django-axes answers once a (username, address) is locked
    (`AXES_LOCKOUT_CALLABLE`): 429, on the API in the contract's error shape, on a login
    page the page itself with the reason. Even the right password gets this answer."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    if request.path_info.startswith("/api/"):
        message = (f"登录失败次数过多，请 {minutes} 分钟后再试 / Too many failed logins: "
                   f"try again in {minutes} minutes")
        api_response = JsonResponse(
            {"error": {"code": "locked_out", "message": message, "details": []}}, status=429
        )
        api_response["Retry-After"] = str(minutes * 60)
        return api_response
    face = "portal" if request.path_info.startswith("/portal/") else "staff"
    response = render(
        request,
        "agency/locked_out.html",
        {"message": LOCKED_OUT % {"minutes": minutes}, "login_url": f"/{face}/login/"},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


class _FaceLoginView(LoginView):
    redirect_authenticated_user = False
    face = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["face"] = self.face
        return ctx

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.get_user() is not None:
            # the password was right but the account may not log in here (other face,
            # deactivated client): Django sent no failure signal, this is one
            user_login_failed.send(
                sender=type(self),
                credentials={"username": self.request.POST.get("username", "")[:150]},
                request=self.request,
            )
        return super().form_invalid(form)


class StaffLoginView(_FaceLoginView):
    template_name = "staff/login.html"
    authentication_form = StaffLoginForm
    face = "staff"
    next_page = "staff-dashboard"

    def get_default_redirect_url(self) -> str:
        return "/staff/"


class _ActiveClientPortalLoginForm(PortalLoginForm):
    """The portal login refuses the users of a deactivated client, saying so."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.client is not None and not user.client.is_active:
            raise forms.ValidationError(
                _("This client is deactivated. Contact the agency."), code="client_inactive"
            )


class PortalLoginView(_FaceLoginView):
    template_name = "portal/login.html"
    authentication_form = _ActiveClientPortalLoginForm
    face = "portal"

    def get_default_redirect_url(self) -> str:
        return "/portal/"


def _logout(request: HttpRequest, to: str) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action=AuditEvent.Action.LOGOUT, request=request)
    auth.logout(request)
    return redirect(to)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/staff/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/staff/"


def _confirmed_device(user: User) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _second_factor_ready(request: HttpRequest) -> HttpResponse | None:
    """Where to send a visitor who has nothing to do on a two-factor page, else None."""
    from agency.middleware import needs_second_factor

    if not request.user.is_authenticated:
        return redirect("staff-login")
    if not needs_second_factor(request.user):
        return redirect(_safe_next(request))
    return None


def _verify(request: HttpRequest, device: Any, form: TwoFactorForm) -> bool:
    """The code checks out against `device` (django-otp throttles repeated wrong codes);
    then the session counts as verified."""
    from django_otp import login as otp_login

    if not form.is_valid():
        return False
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        form.add_error("otp", _("Too many wrong codes: wait a moment and try again."))
        return False
    if not device.verify_token(form.cleaned_data["otp"]):
        form.add_error("otp", _("Wrong or expired code. Enter the code your app shows now."))
        return False
    otp_login(request, device)
    return True


@sensitive_post_parameters("otp")
@never_cache
@require_http_methods(["GET", "POST"])
def staff_two_factor(request: HttpRequest) -> HttpResponse:
    """After the password: the code of the user's authenticator app (TOTP)."""
    elsewhere = _second_factor_ready(request)
    if elsewhere is not None:
        return elsewhere
    user = cast(User, request.user)  # _second_factor_ready let only a logged-in user by
    device = _confirmed_device(user)
    if device is None:
        return redirect_with_next("staff-two-factor-setup", request)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and _verify(request, device, form):
        return redirect(_safe_next(request))
    return render(request, "agency/two_factor.html",
                  {"form": form, "next": _safe_next(request)})


@sensitive_post_parameters("otp")
@never_cache
@require_http_methods(["GET", "POST"])
def staff_two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First login of a user who must use two-factor: a new TOTP secret as a QR code
    (drawn here, never sent to any other site) and as text; a right code confirms it."""
    import segno
    from django_otp.plugins.otp_totp.models import TOTPDevice

    elsewhere = _second_factor_ready(request)
    if elsewhere is not None:
        return elsewhere
    user = cast(User, request.user)  # _second_factor_ready let only a logged-in user by
    if _confirmed_device(user) is not None:
        return redirect_with_next("staff-two-factor", request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and _verify(request, device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action=AuditEvent.Action.OTHER,
                     detail={"event": "two_factor.confirmed"}, request=request)
        return redirect(_safe_next(request))
    qr = segno.make(device.config_url, error="m")
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "agency/two_factor_setup.html", {
        "form": form,
        "next": _safe_next(request),
        "qr_svg": qr.svg_inline(scale=4, title=str(_("Two-factor key"))),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })


def redirect_with_next(name: str, request: HttpRequest) -> HttpResponse:
    from django.urls import reverse
    from django.utils.http import urlencode

    return redirect(f"{reverse(name)}?{urlencode({'next': _safe_next(request)})}")


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    return _logout(request, "staff-login")


@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    return _logout(request, "portal-login")


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and getattr(user, "is_portal_user", False):
        return redirect("portal-dashboard")
    if user.is_authenticated and getattr(user, "is_agency_staff", False):
        return redirect("staff-dashboard")
    return render(request, "home.html")


def _broker_ok() -> bool | None:
    """None when no broker server is configured (embedded filesystem broker)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any database failure means "unhealthy"
        checks["database"] = "error"
        ok = False
    broker = _broker_ok()
    if broker is not None:
        checks["broker"] = "ok" if broker else "error"
        ok = ok and broker
    if checks["database"] == "ok":
        beat = Heartbeat.objects.filter(name="beat").first()
        checks["beat_last_seen"] = beat.last_seen.isoformat() if beat else None
    body = {"status": "ok" if ok else "error", "time": timezone.localtime().isoformat(), **checks}
    return JsonResponse(body, status=200 if ok else 503)
