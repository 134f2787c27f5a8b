"""Dashboards of both faces. Compliance is the top layer: it may read every app.

Each card shows a real figure from the selectors and links to the list behind it; the
staff home lists what the watch finds (`compliance.watch`): breaching now, due today, this
week, each row linking to its record; a manager sees the representatives side by side."""

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.access import portal_required, staff_required
from agency.charts import (
    Chart,
    Series,
    bar_chart,
    format_value,
    last_months,
    line_chart,
    month_labels,
)
from agency.http import ViewerRequest
from agency.roles import Role
from agency.viewer import Viewer
from billing.models import BillStatus
from billing.selectors import bill_totals_by_month, billing_summary, current_bill
from clients.selectors import client_headcount, client_of_viewer, contract_expiring_list
from compliance.selectors import (
    dashboard_lists,
    persons_by_city,
    rep_board,
    sla_by_month,
    workday_calendar_gaps,
)
from compliance.service_desk import service_counts
from compliance.watch import watch_findings
from enrollment.orders.selectors import line_deadlines, open_order_count
from enrollment.persons.selectors import headcount_by_month

CHART_MONTHS = 12
CHART_CITIES = 5  # the cities drawn apart in the headcount chart; the rest are "other cities"
BILLING_ROLES = (Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.SERVICE_REP)


# --- the charts (issue 16): each series from the selector of the app that owns it ----------

def headcount_chart(*, viewer: Viewer, months: list[datetime.date], today: datetime.date,
                    title: str) -> Chart:
    """Insured persons by month, stacked by city (the largest cities apart, the rest
    together)."""
    by_city = headcount_by_month(viewer=viewer, months=months, today=today)
    names = list(by_city)
    series = [Series(name, by_city[name]) for name in names[:CHART_CITIES]]
    rest = names[CHART_CITIES:]
    if rest:
        series.append(Series(_("Other cities"), [sum(by_city[n][i] for n in rest)
                                                 for i in range(len(months))]))
    labels, axis = month_labels(months)
    return bar_chart(title=title, testid="chart-headcount", labels=labels, axis_labels=axis,
                     series=series, note=_("Persons with an enrolment in force on some day "
                                           "of the month, per city."))


def sla_chart(*, viewer: Viewer, months: list[datetime.date],
              now: datetime.datetime) -> Chart:
    rows = sla_by_month(viewer=viewer, months=months, now=now)
    labels, axis = month_labels(months)
    return line_chart(
        title=_("Deadlines kept by month"), testid="chart-sla", labels=labels,
        axis_labels=axis, value_format="percent", y_max=100,
        series=[Series(_("Roster lines handled within 48 hours"),
                       [r.lines_percent for r in rows]),
                Series(_("Inquiries answered within 12 hours"),
                       [r.inquiries_percent for r in rows])],
        note=_("Share of the deadlines that fell due in the month and were kept; a gap is "
               "a month with none due."))


def bills_chart(*, viewer: Viewer, months: list[datetime.date], title: str,
                note: str) -> Chart:
    rows = bill_totals_by_month(viewer=viewer, months=months)
    labels, axis = month_labels(months)
    return bar_chart(
        title=title, testid="chart-bills", labels=labels, axis_labels=axis,
        value_format="money",
        series=[Series(_("Social insurance"), [r.social_insurance for r in rows]),
                Series(_("Housing fund"), [r.housing_fund for r in rows]),
                Series(_("Service fee"), [r.service_fee for r in rows])],
        note=note)


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
            BILLING_ROLES) else None,
        "charts": staff_charts(viewer=viewer, now=now, today=today,
                               billing=request.user.role in BILLING_ROLES),
    })


def staff_charts(*, viewer: Viewer, now: datetime.datetime, today: datetime.date,
                 billing: bool) -> list[Chart]:
    """A representative's charts cover the clients they serve; other staff's every client;
    bill totals for those who work with bills. Three to four queries."""
    months = last_months(today, CHART_MONTHS)
    own = viewer.has_role(Role.SERVICE_REP)
    charts = [
        headcount_chart(viewer=viewer, months=months, today=today,
                        title=_("Insured persons of your clients by month and city") if own
                        else _("Insured persons by month and city")),
        sla_chart(viewer=viewer, months=months, now=now),
    ]
    if billing:
        charts.append(bills_chart(
            viewer=viewer, months=months, title=_("Bill totals by month (all clients)"),
            note=_("Bills issued to clients (confirmed, disputed and paid ones too; never a "
                   "draft).")))
    return charts


@portal_required()
def portal_dashboard(request: ViewerRequest) -> HttpResponse:
    """The client's own figures: persons (by city), orders in progress, this month's bill
    (confirmed here by a client administrator while it waits), open inquiries, and the
    headcount and bill charts of the last 12 months."""
    viewer = request.viewer
    client = client_of_viewer(viewer=viewer)
    now = timezone.now()
    today = timezone.localdate(now)
    months = last_months(today, CHART_MONTHS)
    bill = current_bill(viewer=viewer, today=today)
    return render(request, "compliance/portal_dashboard.html", {
        "viewer": viewer, "client": client,
        "open_orders": open_order_count(viewer=viewer),
        "lines": line_deadlines(viewer=viewer, now=now),
        "headcount": client_headcount(client=client),
        "by_city": persons_by_city(client=client),
        "bill": bill,
        "bill_total": format_value(bill.total, "money") if bill else "",
        "can_confirm": bill is not None and bill.status == BillStatus.ISSUED
        and viewer.has_role(Role.CLIENT_ADMIN),
        "service": service_counts(viewer=viewer, now=now),
        "billing": billing_summary(viewer=viewer, today=today),
        "charts": [
            headcount_chart(viewer=viewer, months=months, today=today,
                            title=_("Insured persons by month and city")),
            bills_chart(viewer=viewer, months=months, title=_("Your bills by month"),
                        note=_("Each month's bill once issued to you, by what it holds.")),
        ],
    })
