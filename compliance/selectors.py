"""Selectors of the compliance app."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agency.models import User
from agency.roles import Role
from agency.viewer import Viewer
from agency.workdays import uncovered_years
from clients.models import Client
from clients.selectors import rep_load_list
from clients.services import MAX_PERSONS_PER_REP
from compliance.findings import Finding
from compliance.models import Inquiry
from enrollment.models import Enrollment, RosterLine, RosterTask
from enrollment.models.core import Scheme
from enrollment.models.order import OPEN_LINE_STATUSES
from enrollment.persons.selectors import scope_persons_data


def workday_calendar_gaps(*, today: datetime.date) -> list[int]:
    """This year and next (by `today`, a date in Asia/Shanghai) when their official
    holidays are not known: neither the chinesecalendar package nor staff's overrides
    cover them, so their working days are counted Monday to Friday. The staff dashboard
    warns about each until staff enter the year's holidays and make-up working days."""
    return uncovered_years([today.year, today.year + 1])


# --- the dashboards (STD-6.2, 6.3, 3.2.4 and the watch's findings) -------------------

WEEK = datetime.timedelta(days=7)
SLA_WINDOW = datetime.timedelta(days=30)
MANAGING_ROLES = (Role.MANAGER, Role.ADMIN)


@dataclass
class DashboardLists:
    """The watch's findings a staff member sees, in three lists: breaching now, due by the
    end of today, due within the week."""

    breaching: list[Finding] = field(default_factory=list)
    due_today: list[Finding] = field(default_factory=list)
    this_week: list[Finding] = field(default_factory=list)


def dashboard_lists(*, user: User, findings: Iterable[Finding],
                    now: datetime.datetime) -> DashboardLists:
    """A manager or admin sees every finding; anyone else the findings they own and those
    of the clients they represent."""
    mine: set[int] | None = None
    if user.role not in MANAGING_ROLES:
        mine = set(Client.objects.filter(service_rep=user).values_list("pk", flat=True))
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59,
                                                   microsecond=999999)
    out = DashboardLists()
    for f in sorted(findings, key=lambda f: f.due_at):
        if mine is not None and f.owner_id != user.pk and f.client_id not in mine:
            continue
        if f.escalate or f.due_at < now:
            out.breaching.append(f)
        elif f.due_at <= end_of_today:
            out.due_today.append(f)
        elif f.due_at <= now + WEEK:
            out.this_week.append(f)
    return out


@dataclass(frozen=True)
class RepRow:
    """A representative beside the others: load against the 500 cap, and how many of the
    inquiries and roster lines due in the last 30 days met their deadline."""

    rep: User
    load: int
    client_count: int
    due: int
    kept: int

    @property
    def over_cap(self) -> bool:
        return self.load > MAX_PERSONS_PER_REP

    @property
    def sla_percent(self) -> int | None:
        return None if self.due == 0 else round(100 * self.kept / self.due)


def rep_board(*, viewer: Viewer, now: datetime.datetime) -> list[RepRow]:
    """Every representative side by side (a manager's view), in three queries."""
    since = now - SLA_WINDOW
    reps = list(rep_load_list(viewer=viewer))
    inquiries = (Inquiry.objects.filter(respond_by__gte=since, respond_by__lte=now,
                                        client__service_rep__isnull=False)
                 .values("client__service_rep")
                 .annotate(due=Count("pk"),
                           kept=Count("pk", filter=Q(first_response_at__lte=F("respond_by")))))
    late_task = RosterTask.objects.filter(line=OuterRef("pk"), finished_at__gt=OuterRef(
        "handle_by"))
    lines = (RosterLine.objects.filter(handle_by__gte=since, handle_by__lte=now,
                                       order__client__service_rep__isnull=False)
             .values("order__client__service_rep")
             .annotate(due=Count("pk"), kept=Count("pk", filter=~Q(
                 status__in=OPEN_LINE_STATUSES) & ~Q(Exists(late_task)))))
    due: dict[int, list[int]] = {}
    for row in inquiries:
        due.setdefault(row["client__service_rep"], [0, 0])
        due[row["client__service_rep"]][0] += row["due"]
        due[row["client__service_rep"]][1] += row["kept"]
    for row in lines:
        due.setdefault(row["order__client__service_rep"], [0, 0])
        due[row["order__client__service_rep"]][0] += row["due"]
        due[row["order__client__service_rep"]][1] += row["kept"]
    return [RepRow(rep=r, load=getattr(r, "load", 0), client_count=getattr(r, "client_count", 0),
                   due=due.get(r.pk, [0, 0])[0], kept=due.get(r.pk, [0, 0])[1])
            for r in reps]


def persons_by_city(*, client: Client) -> list[tuple[str, int]]:
    """The client's insured persons (active social-insurance enrolments) per city."""
    rows = (Enrollment.objects.filter(client=client, status=Enrollment.Status.ACTIVE,
                                      scheme=Scheme.SOCIAL_INSURANCE)
            .values("city__name").annotate(n=Count("person", distinct=True))
            .order_by("-n", "city__name"))
    return [(r["city__name"], r["n"]) for r in rows]


# --- SLA compliance over time (the staff dashboard's chart, issue 16) ----------------------

@dataclass(frozen=True)
class SlaMonth:
    """One month's deadlines that fell due (by the month of the deadline, Asia/Shanghai,
    up to now) and how many were kept: roster lines handled within their 48 hours (STD-6.3:
    out of the workflow, no task finished after the deadline: the rule of `rep_board`) and
    inquiries answered within their 12 hours (STD-6.2: a first response by `respond_by`)."""

    month: datetime.date
    lines_due: int
    lines_kept: int
    inquiries_due: int
    inquiries_kept: int

    @staticmethod
    def _percent(kept: int, due: int) -> float | None:
        return None if due == 0 else round(100 * kept / due, 1)

    @property
    def lines_percent(self) -> float | None:
        return self._percent(self.lines_kept, self.lines_due)

    @property
    def inquiries_percent(self) -> float | None:
        return self._percent(self.inquiries_kept, self.inquiries_due)


def sla_by_month(*, viewer: Viewer, months: list[datetime.date],
                 now: datetime.datetime) -> list[SlaMonth]:
    """Per month of `months` (first days), the deadlines due and kept, as the viewer sees
    them (a representative: the clients they serve). Two aggregate queries."""
    if not months:
        return []
    tz = timezone.get_default_timezone()
    since = datetime.datetime.combine(months[0], datetime.time.min, tzinfo=tz)
    month = TruncMonth("handle_by", tzinfo=tz)
    late_task = RosterTask.objects.filter(line=OuterRef("pk"),
                                          finished_at__gt=OuterRef("handle_by"))
    lines = (scope_persons_data(RosterLine.objects.all(), viewer, "order__client_id")
             .filter(handle_by__gte=since, handle_by__lte=now)
             .annotate(m=month).order_by().values("m")
             .annotate(due=Count("pk"), kept=Count("pk", filter=~Q(
                 status__in=OPEN_LINE_STATUSES) & ~Q(Exists(late_task)))))
    inquiries = (scope_persons_data(Inquiry.objects.all(), viewer, "client_id")
                 .filter(respond_by__gte=since, respond_by__lte=now)
                 .annotate(m=TruncMonth("respond_by", tzinfo=tz)).order_by().values("m")
                 .annotate(due=Count("pk"),
                           kept=Count("pk", filter=Q(first_response_at__lte=F("respond_by")))))

    def by_month(rows: Iterable[dict[str, Any]]) -> dict[datetime.date, tuple[int, int]]:
        out = {}
        for r in rows:
            m = r["m"]
            day = (timezone.localtime(m, tz).date() if isinstance(m, datetime.datetime)
                   else m)
            out[day.replace(day=1)] = (r["due"], r["kept"])
        return out

    line_rows, inquiry_rows = by_month(lines), by_month(inquiries)
    return [SlaMonth(month=m, lines_due=line_rows.get(m, (0, 0))[0],
                     lines_kept=line_rows.get(m, (0, 0))[1],
                     inquiries_due=inquiry_rows.get(m, (0, 0))[0],
                     inquiries_kept=inquiry_rows.get(m, (0, 0))[1]) for m in months]
