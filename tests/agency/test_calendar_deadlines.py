"""Working days follow the State Council notices; deadlines follow the standard."""

import datetime

import pytest
from django.utils import timezone

from agency import deadlines
from agency.calendar import WorkingCalendar, working_calendar
from agency.models import WorkdayOverride

D = datetime.date
SH = timezone.get_fixed_timezone(8 * 60)
CAL = WorkingCalendar()  # no staff overrides: the chinesecalendar package, else Mon–Fri


def at(y, m, d, h=10, mi=0):
    return datetime.datetime(y, m, d, h, mi, tzinfo=SH)


def test_holidays_and_adjusted_working_weekends_of_2026():
    assert CAL.is_working_day(D(2026, 10, 1)) is False  # National Day
    assert CAL.is_working_day(D(2026, 10, 10)) is True  # Saturday made a working day
    assert CAL.is_working_day(D(2026, 10, 11)) is False  # ordinary Sunday
    assert CAL.is_working_day(D(2026, 2, 14)) is True  # Saturday before Spring Festival
    assert CAL.is_working_day(D(2026, 2, 23)) is False  # last day of Spring Festival
    assert CAL.is_working_day(D(2025, 1, 26)) is True  # 2025 adjusted Sunday


def test_invoice_due_counts_ten_working_days_across_national_day():
    # paid Mon 28 Sep 2026: 29, 30, [1-7 Oct off], 8, 9, 10 (Sat, working), 12..16
    assert deadlines.invoice_due(D(2026, 9, 28), CAL) == D(2026, 10, 16)


def test_invoice_due_in_an_ordinary_fortnight():
    assert deadlines.invoice_due(D(2026, 11, 27), CAL) == D(2026, 12, 11)


def test_cutoff_on_a_holiday_moves_to_the_next_working_day():
    # 15 Feb 2026 is in the Spring Festival (15-23 Feb): the cut-off moves to Tue 24 Feb
    assert deadlines.cutoff_date(D(2026, 2, 1), 15, CAL) == D(2026, 2, 24)
    assert deadlines.cutoff_date(D(2026, 12, 1), 15, CAL) == D(2026, 12, 15)


def test_cutoff_day_beyond_the_month_is_clamped():
    assert deadlines.cutoff_date(D(2026, 2, 1), 31, CAL) == D(2026, 2, 28)  # a working Saturday
    assert deadlines.cutoff_date(D(2026, 5, 1), 31, CAL) == D(2026, 6, 1)  # 31 May is Sunday


def test_effective_month_follows_the_cutoff():
    assert deadlines.earliest_effective_month(at(2026, 12, 15, 23, 59), 15, CAL) == D(2026, 12, 1)
    assert deadlines.earliest_effective_month(at(2026, 12, 16, 0, 1), 15, CAL) == D(2027, 1, 1)
    assert deadlines.earliest_effective_month(at(2026, 2, 24), 15, CAL) == D(2026, 2, 1)
    assert deadlines.earliest_effective_month(at(2026, 2, 25), 15, CAL) == D(2026, 3, 1)


def test_effective_month_is_the_requested_month_unless_too_late():
    received = at(2026, 11, 27)
    assert deadlines.effective_month(D(2026, 12, 1), received, 15, CAL) == D(2026, 12, 1)
    assert deadlines.effective_month(D(2026, 11, 1), received, 15, CAL) == D(2026, 12, 1)
    assert deadlines.effective_month(D(2026, 11, 1), at(2026, 11, 10), 15, CAL) == D(2026, 11, 1)


def test_effective_month_uses_shanghai_date_of_a_utc_timestamp():
    # 15 Dec 16:30 UTC is already 16 Dec 00:30 in Shanghai: past the cut-off
    utc = datetime.datetime(2026, 12, 15, 16, 30, tzinfo=datetime.UTC)
    assert deadlines.earliest_effective_month(utc, 15, CAL) == D(2027, 1, 1)


def test_response_and_handling_deadlines():
    opened = at(2026, 11, 27, 9, 30)
    assert deadlines.respond_by(opened) == at(2026, 11, 27, 21, 30)
    assert deadlines.handle_by(opened) == at(2026, 11, 29, 9, 30)
    assert deadlines.work_injury_application_due(D(2026, 11, 20)) == D(2026, 12, 20)


def test_filing_is_due_on_the_15th_of_the_next_month():
    assert deadlines.filing_due(D(2026, 11, 1)) == D(2026, 12, 15)
    assert deadlines.filing_due(D(2026, 12, 31)) == D(2027, 1, 15)


def test_revisit_intervals_by_tier():
    assert deadlines.next_revisit_due(D(2026, 8, 31), "small") == D(2027, 2, 28)
    assert deadlines.next_revisit_due(D(2026, 8, 31), "medium") == D(2026, 11, 30)
    assert deadlines.next_revisit_due(D(2026, 12, 31), "large") == D(2027, 2, 28)


@pytest.mark.django_db
def test_staff_overrides_win_over_the_package_and_the_weekday_rule():
    WorkdayOverride.objects.create(date=D(2027, 1, 1), kind=WorkdayOverride.Kind.HOLIDAY,
                                   note="元旦")
    WorkdayOverride.objects.create(date=D(2026, 12, 26), kind=WorkdayOverride.Kind.WORKDAY,
                                   note="test")

    cal = working_calendar()

    assert cal.is_working_day(D(2027, 1, 1)) is False  # a Friday
    assert cal.is_working_day(D(2026, 12, 26)) is True  # a Saturday
    assert cal.is_working_day(D(2026, 12, 27)) is False
