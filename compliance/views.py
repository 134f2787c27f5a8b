"""Dashboards of both faces. Compliance is the top layer: it may read every app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agency.access import portal_required, staff_required
from clients.selectors import client_get


@staff_required()
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "compliance/staff_dashboard.html", {"viewer": request.viewer})  # type: ignore[attr-defined]


@portal_required()
def portal_dashboard(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    client = client_get(viewer=viewer, pk=viewer.client_id)
    return render(request, "compliance/portal_dashboard.html", {"viewer": viewer, "client": client})
