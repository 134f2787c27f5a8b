"""Every deadline of the service standard, computed in one place (Asia/Shanghai).

| clause  | deadline                                              | function              |
|---------|-------------------------------------------------------|-----------------------|
| STD-6.2 | answer a client inquiry within 12 hours               | respond_by            |
| STD-6.3 | handle an insurance matter / roster line within 48 h  | handle_by             |
| STD-4.5 | issue the invoice within 10 working days of payment   | invoice_due           |
| STD-5.3 | file a month's papers by the 15th of the next month   | filing_due            |
| STD-4.6 | the effective month follows the city's cut-off day    | effective_month       |
| STD-4.6 | an enrolment ends before a removal's effective month | enrollment_ends_on    |
| 补缴     | the months an add back-dated past the cut-off pays late | months_between        |
| STD-7.4 | revisit every 6 / 3 / 2 months by size tier           | next_revisit_due      |

Functions are pure: the working-day calendar is passed in (`agency.calendar`)."""

import calendar as _calendar
import datetime

from django.utils import timezone

from agency.calendar import WorkingCalendar

RESPONSE_HOURS = 12
HANDLING_HOURS = 48
INVOICE_WORKING_DAYS = 10
FILING_DAY = 15
WORK_INJURY_APPLICATION_DAYS = 30
REVISIT_MONTHS = {"small": 6, "medium": 3, "large": 2}


def respond_by(opened_at: datetime.datetime) -> datetime.datetime:
    return opened_at + datetime.timedelta(hours=RESPONSE_HOURS)


def handle_by(opened_at: datetime.datetime) -> datetime.datetime:
    return opened_at + datetime.timedelta(hours=HANDLING_HOURS)


def invoice_due(paid_on: datetime.date, cal: WorkingCalendar) -> datetime.date:
    return cal.add_working_days(paid_on, INVOICE_WORKING_DAYS)


def work_injury_application_due(incident_date: datetime.date) -> datetime.date:
    """工伤认定: the employer applies within 30 days of the injury."""
    return incident_date + datetime.timedelta(days=WORK_INJURY_APPLICATION_DAYS)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day of month `months` later, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def filing_due(month: datetime.date) -> datetime.date:
    """The papers of `month` are filed by the 15th of the next month."""
    return add_months(month_start(month), 1).replace(day=FILING_DAY)


def cutoff_date(month: datetime.date, cutoff_day: int, cal: WorkingCalendar) -> datetime.date:
    """The month's cut-off: `cutoff_day` (clamped to the month), moved to the next working
    day when it falls on a holiday or weekend."""
    last = _calendar.monthrange(month.year, month.month)[1]
    return cal.next_working_day(month.replace(day=min(cutoff_day, last)))


def earliest_effective_month(
    received_at: datetime.datetime, cutoff_day: int, cal: WorkingCalendar
) -> datetime.date:
    """Received on or before the cut-off: this month; later: next month."""
    received = timezone.localdate(received_at)
    this_month = month_start(received)
    if received <= cutoff_date(this_month, cutoff_day, cal):
        return this_month
    return add_months(this_month, 1)


def effective_month(
    requested: datetime.date,
    received_at: datetime.datetime,
    cutoff_day: int,
    cal: WorkingCalendar,
) -> datetime.date:
    """The month a line takes effect: the requested date's month, but never earlier than
    the cut-off allows."""
    return effective_month_from(
        requested, earliest_effective_month(received_at, cutoff_day, cal)
    )


def effective_month_from(requested: datetime.date, earliest: datetime.date) -> datetime.date:
    """`effective_month` when the earliest month is already known (one per city in a
    bulk import, where the cut-off need not be worked out again for every line)."""
    return max(month_start(requested), earliest)


def enrollment_ends_on(removal_month: datetime.date) -> datetime.date:
    """The last day an enrolment is charged when its removal takes effect in
    `removal_month`: the end of the month before. Adds and removals share one rule: a line
    takes effect in its effective month (the requested month, never earlier than the
    cut-off allows), an add is charged from that month, a removal stops charging from it.
    A removal dated 30 Nov and received 20 Dec (after the cut-off) takes effect in January:
    December is still charged, the enrolment ends on 31 Dec."""
    return month_start(removal_month) - datetime.timedelta(days=1)


def months_between(first: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first`'s month up to, not including, `end`'s."""
    months = []
    month = month_start(first)
    while month < month_start(end):
        months.append(month)
        month = add_months(month, 1)
    return months


def next_revisit_due(last_visit: datetime.date, tier: str) -> datetime.date:
    return add_months(last_visit, REVISIT_MONTHS[tier])
