"""Dashboards of both faces. Compliance is the top layer: it may read every app."""

from django.http import HttpResponse
from django.shortcuts import render

from agency.access import portal_required, staff_required
from agency.http import ViewerRequest
from clients.selectors import client_of_viewer


@staff_required()
def staff_dashboard(request: ViewerRequest) -> HttpResponse:
    return render(request, "compliance/staff_dashboard.html", {"viewer": request.viewer})


@portal_required()
def portal_dashboard(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    client = client_of_viewer(viewer=viewer)
    return render(request, "compliance/portal_dashboard.html", {"viewer": viewer, "client": client})
