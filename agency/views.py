"""Login and logout of both faces, and the health check."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from agency.forms import PortalLoginForm, StaffLoginForm
from agency.models import AuditEvent, Heartbeat, User
from agency.services import audit_record


class _FaceLoginView(LoginView):
    redirect_authenticated_user = False
    face = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["face"] = self.face
        return ctx

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.get_user(),
            action=AuditEvent.Action.LOGIN,
            detail={"face": self.face},
            request=self.request,
        )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            detail={"face": self.face, "username": self.request.POST.get("username", "")[:150]},
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
    from django.shortcuts import render

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
