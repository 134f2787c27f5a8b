"""Working days in China: the one place that says whether a day is worked.

For a date, the first rule that answers wins:

1. a `WorkdayOverride` row that staff entered in the back-office: a holiday or rest day
   (法定节假日/休息日) or a make-up working day (调休上班日);
2. the `chinesecalendar` package, for the years it covers (the State Council's notices,
   国务院办公厅关于部分节假日安排的通知; 2004–2026 in the pinned release): its holidays,
   weekend days inside a holiday block included, and its 调休 working weekends;
3. Monday to Friday.

A year is *covered* (`year_has_calendar`) when the package has it or staff entered at
least one override in it. For an uncovered year rule 3 is only a guess, and the staff
dashboard says so. The notice for a year comes out around November of the year before:
enter it in the admin (working-day overrides) or upgrade the package.

`WorkingCalendar` is the pure form (the overrides are handed to it; no queries) for code
that asks about many days, such as `agency.deadlines`. The functions below read the
overrides they need themselves, in one query per call."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)

# The years the package has the State Council's notice for.
PACKAGE_YEARS: frozenset[int] = frozenset(day.year for day in chinese_calendar.holidays)


def official_working_day(day: datetime.date) -> bool:
    """Rules 2 and 3, without staff's overrides: the package's answer for a year it covers
    (what `chinese_calendar.is_workday` answers, without its range check on every call),
    else Monday–Friday."""
    if day.year in PACKAGE_YEARS:
        if day in chinese_calendar.workdays:
            return True
        if day in chinese_calendar.holidays:
            return False
    return day.weekday() < 5


@dataclass(frozen=True)
class WorkingCalendar:
    """The rule with staff's overrides already loaded (date → is it a working day).

    Pure: it answers from the overrides it was given, so it is only right for the days
    they were read for. `working_calendar()` reads them all."""

    overrides: Mapping[datetime.date, bool] = field(default_factory=dict)

    def is_working_day(self, day: datetime.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        return official_working_day(day)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_days(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `day` (`day` itself does not count; n = 0 gives
        `day`)."""
        if n < 0:
            raise ValueError("n must not be negative")
        while n:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """The working days after `a` up to and including `b`; negative when `b` is before
        `a` (minus the working days after `b` up to and including `a`)."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(
            1 for offset in range(1, (b - a).days + 1)
            if self.is_working_day(a + datetime.timedelta(days=offset))
        )


def _overrides(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    """Staff's overrides dated `first` to `last` (both included), in one query."""
    # imported here so that `agency.deadlines` (pure) can be imported without the models
    from agency.models import WorkdayOverride

    rows = WorkdayOverride.objects.filter(date__range=(first, last)).values_list("date", "kind")
    return {day: kind == WorkdayOverride.Kind.WORKDAY for day, kind in rows}


def working_calendar() -> WorkingCalendar:
    """The calendar in force with every override staff entered (one query: the table holds
    a few dozen rows a year)."""
    from agency.models import WorkdayOverride

    rows = WorkdayOverride.objects.values_list("date", "kind")
    return WorkingCalendar({day: kind == WorkdayOverride.Kind.WORKDAY for day, kind in rows})


def is_working_day(day: datetime.date) -> bool:
    """Whether `day` is a working day in China (override, else the package, else Mon–Fri)."""
    return WorkingCalendar(_overrides(day, day)).is_working_day(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start`: `start` itself does not count, n = 0 gives
    `start`. E.g. 10 working days after a payment on Friday 26 Sep 2025 end on Thursday
    16 Oct 2025 (28 Sep and 11 Oct are make-up working days, 1–8 Oct are off).

    The overrides of a stretch of days ahead are read in one query (2n + 14 days, enough
    unless staff entered weeks of holidays; then a longer stretch is read)."""
    if n < 0:
        raise ValueError("n must not be negative")
    span = datetime.timedelta(days=2 * n + 14)
    while True:
        end = start + span
        found = WorkingCalendar(_overrides(start + ONE_DAY, end)).add_working_days(start, n)
        if found <= end:
            return found
        span *= 2


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """The working days after `a` up to and including `b`, so that
    `working_days_between(a, add_working_days(a, n)) == n`; 0 when a == b; negative when
    `b` is before `a`. One query."""
    first, last = min(a, b), max(a, b)
    return WorkingCalendar(_overrides(first + ONE_DAY, last)).working_days_between(a, b)


def year_has_calendar(year: int) -> bool:
    """Whether the holidays of `year` are known: the package covers it, or staff entered
    at least one override in it. Otherwise its working days are Monday–Friday, a guess."""
    return not uncovered_years([year])


def uncovered_years(years: Iterable[int]) -> list[int]:
    """The years among `years` (sorted, once each) whose holidays are not known: neither
    the package nor an override covers them. At most one query."""
    from agency.models import WorkdayOverride

    wanted = sorted(set(years) - PACKAGE_YEARS)
    if not wanted:
        return []
    entered = {
        day.year
        for day in WorkdayOverride.objects.filter(date__year__in=wanted).dates("date", "year")
    }
    return [year for year in wanted if year not in entered]
