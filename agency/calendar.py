"""The working-day calendar lives in `agency.workdays` (staff's overrides, the
`chinesecalendar` package, Monday–Friday). These names stay importable from here for the
code written against this module (`agency.deadlines`, `enrollment.orders`)."""

from agency.workdays import WorkingCalendar, working_calendar

__all__ = ["WorkingCalendar", "working_calendar"]
