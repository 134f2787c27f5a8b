"""Dashboards of both faces. Compliance is the top layer: it may read every app.

Each card shows a real figure from the selectors and links to the list behind it; the
staff home lists what the watch finds (`compliance.watch`): breaching now, due today, this
week, each row linking to its record; a manager sees the representatives side by side."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.access import portal_required, staff_required
from agency.http import ViewerRequest
from agency.roles import Role
from billing.selectors import bill_list, billing_summary
from clients.selectors import client_headcount, client_of_viewer, contract_expiring_list
from compliance.selectors import (
    dashboard_lists,
    persons_by_city,
    rep_board,
    workday_calendar_gaps,
)
from compliance.service_desk import service_counts
from compliance.watch import watch_findings
from enrollment.orders.selectors import line_deadlines, open_order_count


@staff_required()
def staff_dashboard(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    now = timezone.now()
    today = timezone.localdate(now)
    managing = request.user.role in (Role.ADMIN, Role.MANAGER)
    watch = dashboard_lists(user=request.user, findings=watch_findings(now=now), now=now)
    return render(request, "compliance/staff_dashboard.html", {
        "viewer": viewer,
        "watch_sections": [(_("Breaching now"), watch.breaching, "watch-breaching"),
                           (_("Due today"), watch.due_today, "watch-due-today"),
                           (_("Due this week"), watch.this_week, "watch-this-week")],
        "service": service_counts(viewer=viewer, now=now),
        "reps": rep_board(viewer=viewer, now=now) if managing else None,
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
        "by_city": persons_by_city(client=client),
        "latest_bill": bill_list(viewer=viewer).first(),
        "service": service_counts(viewer=viewer, now=timezone.now()),
        "billing": billing_summary(viewer=viewer, today=timezone.localdate()),
    })
