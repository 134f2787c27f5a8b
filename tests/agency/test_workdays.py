"""Working days: staff's overrides, else the chinesecalendar package (State Council
notices up to 2026), else Monday to Friday; a year neither covers is reported."""

import datetime

import pytest

from agency import workdays
from agency.models import WorkdayOverride
from agency.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def days_off(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    span = (last - first).days + 1
    return [day for day in (first + datetime.timedelta(days=i) for i in range(span))
            if not workdays.is_working_day(day)]


def override(day: datetime.date, kind: str, note: str = "") -> WorkdayOverride:
    return WorkdayOverride.objects.create(date=day, kind=kind, note=note)


# --- 2025 National Day: 1–8 Oct off, Sun 28 Sep and Sat 11 Oct worked -----------------

def test_2025_national_day_and_its_make_up_days():
    assert days_off(D(2025, 9, 27), D(2025, 10, 12)) == [
        D(2025, 9, 27),  # an ordinary Saturday
        D(2025, 10, 1), D(2025, 10, 2), D(2025, 10, 3), D(2025, 10, 4),
        D(2025, 10, 5), D(2025, 10, 6), D(2025, 10, 7), D(2025, 10, 8),
        D(2025, 10, 12),  # an ordinary Sunday
    ]
    assert workdays.is_working_day(D(2025, 9, 28)) is True  # Sunday, 调休上班
    assert workdays.is_working_day(D(2025, 10, 11)) is True  # Saturday, 调休上班


def test_ten_working_days_after_a_payment_before_the_2025_national_day():
    # paid Fri 26 Sep: Sun 28 (1), 29, 30 (3), [1–8 Oct off], Thu 9, Fri 10 (5),
    # Sat 11 (6), [Sun 12], 13, 14, 15, Thu 16 Oct (10)
    assert workdays.add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)
    assert workdays.working_days_between(D(2025, 9, 26), D(2025, 10, 16)) == 10
    assert workdays.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert workdays.working_days_between(D(2025, 10, 16), D(2025, 9, 26)) == -10


# --- 2026: Mid-Autumn 25–27 Sep, National Day 1–7 Oct; Sun 20 Sep and Sat 10 Oct worked -

def test_2026_mid_autumn_and_national_day_as_the_package_has_them():
    assert days_off(D(2026, 9, 19), D(2026, 10, 12)) == [
        D(2026, 9, 19),  # an ordinary Saturday
        D(2026, 9, 25), D(2026, 9, 26), D(2026, 9, 27),  # Mid-Autumn Festival
        D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3), D(2026, 10, 4),
        D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7),  # National Day
        D(2026, 10, 11),  # an ordinary Sunday
    ]
    assert workdays.is_working_day(D(2026, 9, 20)) is True  # Sunday, 调休上班
    assert workdays.is_working_day(D(2026, 10, 10)) is True  # Saturday, 调休上班


def test_ten_working_days_across_the_2026_holidays():
    # paid Fri 18 Sep: Sun 20 (1), 21–24 (5), [25–27 off], 28, 29, 30 (8),
    # [1–7 Oct off], Thu 8 (9), Fri 9 Oct (10)
    assert workdays.add_working_days(D(2026, 9, 18), 10) == D(2026, 10, 9)
    # paid Mon 28 Sep: 29, 30, [1–7 Oct], 8, 9, Sat 10, 12, 13, 14, 15, Fri 16 Oct
    assert workdays.add_working_days(D(2026, 9, 28), 10) == D(2026, 10, 16)
    assert workdays.working_days_between(D(2026, 9, 28), D(2026, 10, 16)) == 10


def test_adding_reads_the_overrides_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert workdays.add_working_days(D(2026, 9, 18), 10) == D(2026, 10, 9)
    # 2026: 261 weekdays, 19 of them holidays, 6 weekend days worked (调休)
    with django_assert_num_queries(1):
        assert workdays.working_days_between(D(2026, 1, 1), D(2026, 12, 31)) == 248


def test_zero_days_is_the_start_and_a_negative_count_is_refused():
    assert workdays.add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 1)
    assert workdays.working_days_between(D(2025, 10, 1), D(2025, 10, 1)) == 0
    with pytest.raises(ValueError, match="n must not be negative"):
        workdays.add_working_days(D(2025, 10, 1), -1)


# --- 2027: not in the package -----------------------------------------------------------

def test_a_year_the_package_lacks_falls_back_to_monday_to_friday():
    assert workdays.year_has_calendar(2026) is True
    assert workdays.year_has_calendar(2004) is True
    assert workdays.year_has_calendar(2027) is False
    assert workdays.uncovered_years([2028, 2026, 2027, 2027]) == [2027, 2028]
    assert workdays.is_working_day(D(2027, 1, 1)) is True  # Friday: New Year's Day unknown
    assert days_off(D(2027, 1, 1), D(2027, 1, 10)) == [
        D(2027, 1, 2), D(2027, 1, 3), D(2027, 1, 9), D(2027, 1, 10)]
    # Thu 31 Dec 2026: Fri 1 Jan (1), Mon 4 .. Thu 7 Jan (5)
    assert workdays.add_working_days(D(2026, 12, 31), 5) == D(2027, 1, 7)


def test_staff_overrides_for_2027_are_honoured():
    override(D(2027, 1, 1), WorkdayOverride.Kind.HOLIDAY, "元旦")
    override(D(2027, 2, 6), WorkdayOverride.Kind.WORKDAY, "春节调休上班")  # a Saturday

    assert workdays.is_working_day(D(2027, 1, 1)) is False
    assert workdays.is_working_day(D(2027, 2, 6)) is True
    assert workdays.year_has_calendar(2027) is True
    assert workdays.uncovered_years([2026, 2027, 2028]) == [2028]
    # Thu 31 Dec 2026: [Fri 1 Jan off], Mon 4 (1) .. Fri 8 Jan (5)
    assert workdays.add_working_days(D(2026, 12, 31), 5) == D(2027, 1, 8)
    # Fri 5 Feb: Sat 6 (1), Mon 8 (2)
    assert workdays.add_working_days(D(2027, 2, 5), 2) == D(2027, 2, 8)


def test_an_override_wins_over_the_package():
    override(D(2026, 10, 8), WorkdayOverride.Kind.HOLIDAY, "test")
    override(D(2026, 10, 3), WorkdayOverride.Kind.WORKDAY, "test")

    assert workdays.is_working_day(D(2026, 10, 8)) is False
    assert workdays.is_working_day(D(2026, 10, 3)) is True
    # Wed 30 Sep: Sat 3 Oct (1), [8 Oct off], Fri 9 (2), Sat 10 (3)
    assert workdays.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_weeks_of_entered_holidays_are_still_counted_through():
    for offset in range(60):  # more than the stretch read ahead at first (2n + 14 days)
        override(D(2027, 3, 1) + datetime.timedelta(days=offset), WorkdayOverride.Kind.HOLIDAY)

    # Fri 26 Feb: 1 Mar–29 Apr off; Fri 30 Apr (1), Mon 3 May (2)
    assert workdays.add_working_days(D(2027, 2, 26), 2) == D(2027, 5, 3)


def test_an_admin_enters_a_make_up_day_in_the_back_office_with_its_history(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post("/admin/agency/workdayoverride/add/", {
        "date": "2027-02-06", "kind": "workday", "note": "春节调休上班"})

    assert response.status_code == 302
    entered = WorkdayOverride.objects.get()
    assert (entered.date, entered.kind, entered.is_working_day) == (D(2027, 2, 6), "workday", True)
    assert list(entered.history.values_list("history_type", "history_user")) == [("+", admin.pk)]
    assert workdays.is_working_day(D(2027, 2, 6)) is True  # a Saturday
    changelist = client.get("/admin/agency/workdayoverride/").content.decode()
    assert "调休上班日" in changelist
    history = client.get(f"/admin/agency/workdayoverride/{entered.pk}/history/")
    assert history.status_code == 200
