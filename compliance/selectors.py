"""Selectors of the compliance app."""

import datetime

from agency.workdays import uncovered_years


def workday_calendar_gaps(*, today: datetime.date) -> list[int]:
    """This year and next (by `today`, a date in Asia/Shanghai) when their official
    holidays are not known: neither the chinesecalendar package nor staff's overrides
    cover them, so their working days are counted Monday to Friday. The staff dashboard
    warns about each until staff enter the year's holidays and make-up working days."""
    return uncovered_years([today.year, today.year + 1])
