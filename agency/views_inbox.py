"""The notifications inbox of both faces: what the watch, the service desk and billing
told a user (its unread count is in every page's header, `agency.context_processors`)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agency.access import portal_required, staff_required
from agency.http import ViewerRequest
from agency.selectors import notification_list
from agency.services import notification_open, notifications_mark_all_read

PAGE_SIZE = 50


def _inbox(request: ViewerRequest, face: str) -> HttpResponse:
    page = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "agency/notifications.html", {"page": page, "face": face})


def _open(request: ViewerRequest, face: str, pk: int) -> HttpResponse:
    notification = notification_open(user=request.user, pk=pk)
    link = notification.link
    # only a link inside this site (never an absolute or protocol-relative URL)
    if link.startswith(f"/{face}/") and not link.startswith("//"):
        return redirect(link)
    return redirect(f"{face}-notifications")


def _read_all(request: ViewerRequest, face: str) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    return redirect(f"{face}-notifications")


@staff_required()
def staff_notifications(request: ViewerRequest) -> HttpResponse:
    return _inbox(request, "staff")


@staff_required()
def staff_notification_open(request: ViewerRequest, pk: int) -> HttpResponse:
    return _open(request, "staff", pk)


@require_POST
@staff_required()
def staff_notifications_read(request: ViewerRequest) -> HttpResponse:
    return _read_all(request, "staff")


@portal_required()
def portal_notifications(request: ViewerRequest) -> HttpResponse:
    return _inbox(request, "portal")


@portal_required()
def portal_notification_open(request: ViewerRequest, pk: int) -> HttpResponse:
    return _open(request, "portal", pk)


@require_POST
@portal_required()
def portal_notifications_read(request: ViewerRequest) -> HttpResponse:
    return _read_all(request, "portal")
