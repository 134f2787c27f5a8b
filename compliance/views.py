"""Dashboards of both faces. Compliance is the top layer: it may read every app.

Each card shows a real figure from the selectors and links to the list behind it; the
deadline watch of the standard (inquiries, filing, revisits) joins them as it is built."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agency.access import portal_required, staff_required
from agency.http import ViewerRequest
from agency.roles import Role
from billing.selectors import billing_summary
from clients.selectors import client_headcount, client_of_viewer, contract_expiring_list
from compliance.selectors import workday_calendar_gaps
from enrollment.orders.selectors import line_deadlines, open_order_count


@staff_required()
def staff_dashboard(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    now = timezone.now()
    today = timezone.localdate(now)
    return render(request, "compliance/staff_dashboard.html", {
        "viewer": viewer,
        "lines": line_deadlines(viewer=viewer, now=now),
        "contracts_ending": contract_expiring_list(viewer=viewer, today=today).count(),
        "calendar_gaps": workday_calendar_gaps(today=today),
        # the back-office (where the holidays are entered) is the admins' (staff/_nav.html)
        "can_edit_workdays": request.user.role == Role.ADMIN,
        # the billing cards for those who work with bills (archivists do not)
        "billing": billing_summary(viewer=viewer, today=today) if request.user.role in (
            Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.SERVICE_REP) else None,
    })


@portal_required()
def portal_dashboard(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    client = client_of_viewer(viewer=viewer)
    return render(request, "compliance/portal_dashboard.html", {
        "viewer": viewer, "client": client,
        "open_orders": open_order_count(viewer=viewer),
        "lines": line_deadlines(viewer=viewer, now=timezone.now()),
        "headcount": client_headcount(client=client),
        "billing": billing_summary(viewer=viewer, today=timezone.localdate()),
    })
