"""The Chinese working-day calendar (official holidays and 调休 working weekends).

`WorkingCalendar` is pure (no database): built once from the State Council notices in
`agency/data/holidays-cn.json` plus the overrides staff keep in `CalendarDay` rows (a year
published after this release). `working_calendar()` builds it."""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "holidays-cn.json"


class CalendarYearUnknown(LookupError):
    """A date falls in a year whose holiday notice is not loaded."""


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[datetime.date] = field(default_factory=frozenset)
    workdays: frozenset[datetime.date] = field(default_factory=frozenset)
    known_years: frozenset[int] = field(default_factory=frozenset)

    def is_year_known(self, year: int) -> bool:
        return year in self.known_years

    def is_working_day(self, day: datetime.date, *, strict: bool = False) -> bool:
        """Mon–Fri unless a holiday; Sat/Sun only when made a working day.

        With `strict`, a day in a year without a loaded notice raises CalendarYearUnknown
        instead of guessing from the weekday."""
        if strict and day.year not in self.known_years:
            raise CalendarYearUnknown(day.year)
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day

    def add_working_days(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `day` (day itself does not count)."""
        if n < 0:
            raise ValueError("n must not be negative")
        while n:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day


@lru_cache(maxsize=1)
def _official() -> tuple[frozenset[datetime.date], frozenset[datetime.date], frozenset[int]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    holidays: set[datetime.date] = set()
    workdays: set[datetime.date] = set()
    for year in data["years"].values():
        holidays.update(datetime.date.fromisoformat(d) for d in year["holidays"])
        workdays.update(datetime.date.fromisoformat(d) for d in year["workdays"])
    years = frozenset(int(y) for y in data["years"])
    return frozenset(holidays), frozenset(workdays), years


def build_calendar(
    overrides: Iterable[tuple[datetime.date, bool]] = (), extra_years: Iterable[int] = ()
) -> WorkingCalendar:
    """Official data plus overrides: (date, is_working_day)."""
    holidays, workdays, years = _official()
    hol, work = set(holidays), set(workdays)
    for day, working in overrides:
        if working:
            hol.discard(day)
            work.add(day)
        else:
            work.discard(day)
            hol.add(day)
    return WorkingCalendar(frozenset(hol), frozenset(work), years | frozenset(extra_years))


def working_calendar() -> WorkingCalendar:
    """The calendar in force: official notices plus staff's CalendarDay rows."""
    from agency.models import CalendarDay, CalendarYear

    overrides = CalendarDay.objects.values_list("date", "is_working_day")
    years = CalendarYear.objects.values_list("year", flat=True)
    return build_calendar(overrides, years)
