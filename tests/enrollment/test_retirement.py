"""The statutory retirement age under the 2025 gradual reform (the official 对照表 at every
boundary), the persons reaching it in the next six months, their page on both faces, and
the end of a retiree's enrolments."""

import datetime

import pytest
from django.urls import include, path
from django.utils import timezone

from agency.deadlines import add_months
from agency.errors import ValidationFailed
from agency.roles import Role
from agency.urls import urlpatterns as root_urlpatterns
from agency.viewer import Viewer
from enrollment.cases.retirement import (
    FEMALE_CADRE,
    FEMALE_WORKER,
    MALE,
    AgeRow,
    age_table,
    category_of,
    persons_retiring,
    retirement_age_months,
    retirement_date,
    retirement_end_enrollments,
)
from enrollment.models import Case, CaseType, Enrollment
from enrollment.persons.id_numbers import id_check_char
from tests.factories import CityFactory, EnrollmentFactory, InsuredPersonFactory, UserFactory

D = datetime.date
TODAY = D(2026, 12, 2)
# the root URLconf with the retirement routes (the lead includes them in enrollment/urls.py)
urlpatterns = [*root_urlpatterns, path("", include("enrollment.cases.retirement_urls"))]
URLS = "tests.enrollment.test_retirement"


def age(years: int, months: int = 0) -> int:
    return years * 12 + months


# --- the table ------------------------------------------------------------------------------

@pytest.mark.parametrize(("born", "sex", "category", "expected"), [
    # men: 60 before 1965; +1 month every 4 months of birth; 63 from 1976-09
    (D(1964, 12, 1), "M", None, age(60)),
    (D(1965, 1, 1), "M", None, age(60, 1)),
    (D(1965, 4, 1), "M", None, age(60, 1)),
    (D(1965, 5, 1), "M", None, age(60, 2)),
    (D(1965, 12, 1), "M", None, age(60, 3)),
    (D(1976, 8, 1), "M", None, age(62, 11)),
    (D(1976, 9, 1), "M", None, age(63)),
    (D(1990, 6, 1), "M", None, age(63)),
    # women workers (originally 50): +1 month every 2 months; 55 from 1984-11
    (D(1974, 12, 1), "F", FEMALE_WORKER, age(50)),
    (D(1975, 1, 1), "F", FEMALE_WORKER, age(50, 1)),
    (D(1975, 2, 1), "F", FEMALE_WORKER, age(50, 1)),
    (D(1975, 3, 1), "F", FEMALE_WORKER, age(50, 2)),
    (D(1984, 10, 1), "F", FEMALE_WORKER, age(54, 11)),
    (D(1984, 11, 1), "F", FEMALE_WORKER, age(55)),
    (D(1984, 12, 1), "F", FEMALE_WORKER, age(55)),
    (D(1995, 12, 1), "F", FEMALE_WORKER, age(55)),
    # women cadres (originally 55): +1 month every 4 months; 58 from 1981-09
    (D(1969, 12, 1), "F", FEMALE_CADRE, age(55)),
    (D(1970, 1, 1), "F", FEMALE_CADRE, age(55, 1)),
    (D(1971, 4, 1), "F", FEMALE_CADRE, age(55, 4)),
    (D(1981, 8, 1), "F", FEMALE_CADRE, age(57, 11)),
    (D(1981, 9, 1), "F", FEMALE_CADRE, age(58)),
    (D(2000, 12, 1), "F", FEMALE_CADRE, age(58)),
    # a woman's category defaults to worker
    (D(1975, 1, 1), "F", None, age(50, 1)),
])
def test_the_statutory_age_matches_the_official_table(born, sex, category, expected):
    assert retirement_age_months(birth_date=born, sex=sex, category=category) == expected


@pytest.mark.parametrize(("born", "sex", "category", "expected"), [
    (D(1965, 1, 10), "M", None, D(2025, 2, 10)),  # 60y1m: February 2025
    (D(1965, 5, 31), "M", None, D(2025, 7, 31)),  # 60y2m
    (D(1965, 11, 30), "M", None, D(2026, 2, 28)),  # 60y3m, clamped to February's end
    (D(1976, 9, 1), "M", None, D(2039, 9, 1)),  # 63
    (D(1975, 1, 15), "F", None, D(2025, 2, 15)),  # worker 50y1m
    (D(1984, 11, 5), "F", FEMALE_WORKER, D(2039, 11, 5)),  # worker 55
    (D(1970, 1, 20), "F", FEMALE_CADRE, D(2025, 2, 20)),  # cadre 55y1m
    (D(1971, 4, 1), "F", FEMALE_CADRE, D(2026, 8, 1)),  # cadre 55y4m
    (D(1981, 9, 9), "F", FEMALE_CADRE, D(2039, 9, 9)),  # cadre 58
    (D(1964, 2, 29), "M", None, D(2024, 2, 29)),  # before the reform: 60
])
def test_the_retirement_date_is_the_day_the_age_is_reached(born, sex, category, expected):
    assert retirement_date(birth_date=born, sex=sex, category=category) == expected


def test_the_tables_rows_at_their_boundaries():
    male, cadre, worker = age_table(MALE), age_table(FEMALE_CADRE), age_table(FEMALE_WORKER)
    assert (len(male), len(cadre), len(worker)) == (37, 37, 61)
    assert male[:3] == [AgeRow(None, D(1964, 12, 1), age(60)),
                        AgeRow(D(1965, 1, 1), D(1965, 4, 1), age(60, 1)),
                        AgeRow(D(1965, 5, 1), D(1965, 8, 1), age(60, 2))]
    assert male[-2:] == [AgeRow(D(1976, 5, 1), D(1976, 8, 1), age(62, 11)),
                         AgeRow(D(1976, 9, 1), None, age(63))]
    assert cadre[:2] == [AgeRow(None, D(1969, 12, 1), age(55)),
                         AgeRow(D(1970, 1, 1), D(1970, 4, 1), age(55, 1))]
    assert cadre[-2:] == [AgeRow(D(1981, 5, 1), D(1981, 8, 1), age(57, 11)),
                          AgeRow(D(1981, 9, 1), None, age(58))]
    assert worker[:3] == [AgeRow(None, D(1974, 12, 1), age(50)),
                          AgeRow(D(1975, 1, 1), D(1975, 2, 1), age(50, 1)),
                          AgeRow(D(1975, 3, 1), D(1975, 4, 1), age(50, 2))]
    assert worker[-2:] == [AgeRow(D(1984, 9, 1), D(1984, 10, 1), age(54, 11)),
                           AgeRow(D(1984, 11, 1), None, age(55))]


@pytest.mark.parametrize("category", [MALE, FEMALE_CADRE, FEMALE_WORKER])
def test_the_formula_and_the_table_agree_for_every_birth_month(category):
    sex = "M" if category == MALE else "F"
    rows = age_table(category)
    month = D(1960, 1, 1)
    while month <= D(1995, 12, 1):
        (row,) = [r for r in rows if (r.first is None or r.first <= month)
                  and (r.last is None or month <= r.last)]
        assert retirement_age_months(birth_date=month, sex=sex, category=category) == \
            row.age_months, month
        month = add_months(month, 1)


def test_the_category_of_a_person():
    assert (category_of("M"), category_of("M", FEMALE_CADRE), category_of("F"),
            category_of("F", FEMALE_CADRE)) == (MALE, MALE, FEMALE_WORKER, FEMALE_CADRE)
    with pytest.raises(ValueError, match="unknown sex"):
        category_of("")
    with pytest.raises(ValueError, match="female_cadre or female_worker"):
        category_of("F", MALE)


# --- the persons retiring -----------------------------------------------------------------

def id_number(born: datetime.date, sex: str, n: int) -> str:
    """A valid resident ID number of that birth date and sex (odd 17th digit: a man)."""
    seq = 100 + 2 * n + (1 if sex == "M" else 0)
    first17 = f"310104{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


_n = iter(range(10_000))


def person_of(client, name: str, born: datetime.date, sex: str, *, status: str = "active",
              scheme: str = "social_insurance"):
    person = InsuredPersonFactory(name=name, id_number=id_number(born, sex, next(_n)))
    assert (person.birth_date, person.sex) == (born, sex)
    EnrollmentFactory(person=person, client=client, city=CityFactory(), scheme=scheme,
                      status=status, starts_on=D(2020, 1, 1))
    return person


@pytest.fixture
def retiring(db, client_company, other_client_company):
    """Persons of `client_company` around the window [2026-12-02, 2027-06-02]."""
    p = {
        # 60y5m: exactly today
        "today": person_of(client_company, "赵一", D(1966, 7, 2), "M"),
        # 60y6m: 2027-03-15
        "march": person_of(client_company, "钱二", D(1966, 9, 15), "M"),
        # 60y6m: exactly the window's last day
        "last_day": person_of(client_company, "孙三", D(1966, 12, 2), "M"),
        # 60y7m: 2027-08-03, after the window
        "after": person_of(client_company, "李四", D(1967, 1, 3), "M"),
        # 60y4m: 2026-07-10, already passed
        "before": person_of(client_company, "周五", D(1966, 3, 10), "M"),
        # worker 50y10m: 2027-05-20 (cadre 56y8m: 2033-03-20)
        "worker": person_of(client_company, "吴六", D(1976, 7, 20), "F"),
        # worker 50: 2021-08-05; cadre 55y5m: 2027-01-05
        "cadre": person_of(client_company, "郑七", D(1971, 8, 5), "F"),
        # in the window but no longer enrolled
        "ended": person_of(client_company, "王八", D(1966, 10, 1), "M", status="ended"),
        # another client's person in the window
        "stranger": person_of(other_client_company, "冯九", D(1966, 8, 8), "M"),
    }
    # a second active enrolment (the housing fund) does not list the person twice
    EnrollmentFactory(person=p["march"], client=client_company, city=CityFactory(),
                      scheme="housing_fund", status="active", starts_on=D(2020, 1, 1))
    return p


def test_persons_retiring_in_the_next_six_months_of_the_client(
        retiring, client_company, django_assert_num_queries):
    viewer = Viewer(role=Role.CLIENT_ADMIN, client_id=client_company.pk)

    with django_assert_num_queries(1):
        rows = persons_retiring(viewer=viewer, today=TODAY)

    assert [(r.name, r.retirement_date, r.in_window) for r in rows] == [
        ("赵一", D(2026, 12, 2), (MALE,)),
        ("郑七", D(2027, 1, 5), (FEMALE_CADRE,)),
        ("钱二", D(2027, 3, 15), (MALE,)),
        ("吴六", D(2027, 5, 20), (FEMALE_WORKER,)),
        ("孙三", D(2027, 6, 2), (MALE,)),
    ]
    woman = rows[3]
    assert [(d.category, d.on, d.years, d.months) for d in woman.dates] == [
        (FEMALE_WORKER, D(2027, 5, 20), 50, 10), (FEMALE_CADRE, D(2033, 3, 20), 56, 8)]
    assert (woman.birth_year, woman.birth_month, woman.sex, woman.client_id) == (
        1976, 7, "F", client_company.pk)
    assert woman.id_number_masked == retiring["worker"].id_number_masked


def test_staff_see_every_client_or_the_one_asked_for(retiring, client_company,
                                                      other_client_company):
    staff = Viewer(role=Role.SERVICE_REP, client_id=None, user_id=1)
    every = persons_retiring(viewer=staff, today=TODAY)
    one = persons_retiring(viewer=staff, today=TODAY, client_id=other_client_company.pk)
    assert [r.name for r in every] == ["赵一", "郑七", "冯九", "钱二", "吴六", "孙三"]
    assert [(r.name, r.retirement_date, r.client_name) for r in one] == [
        ("冯九", D(2027, 1, 8), other_client_company.name)]
    nobody = Viewer(role="anonymous", client_id=None)
    assert persons_retiring(viewer=nobody, today=TODAY) == []


# --- the pages ------------------------------------------------------------------------------

def retiring_soon(client, name: str, sex: str = "M", category: str | None = None):
    """A person of `client` whose retirement date (as `category`) falls 1–3 months from
    the real today (the page reads the clock), with that date."""
    today = timezone.localdate()
    for days in range(30, 95):
        target = today + datetime.timedelta(days=days)
        for months in range(age(50), age(63) + 1):
            born = add_months(target, -months)
            if retirement_date(birth_date=born, sex=sex, category=category) == target:
                return person_of(client, name, born, sex), target
    raise AssertionError("no birth date found")


@pytest.mark.urls(URLS)
def test_the_portal_page_lists_the_clients_persons_with_a_link_to_open_the_case(
        client, portal_user, client_company, other_client_company,
        django_assert_max_num_queries):
    first, first_date = retiring_soon(client_company, "钱二")
    retiring_soon(client_company, "孙三")
    retiring_soon(other_client_company, "冯九")
    client.force_login(portal_user)

    with django_assert_max_num_queries(5):
        response = client.get("/portal/cases/retiring/")

    html = response.content.decode()
    assert response.status_code == 200
    assert ("钱二" in html, "孙三" in html, "冯九" in html) == (True, True, False)
    assert f'<td class="masked">{first.id_number_masked}</td>' in html
    assert f"<td>{first.birth_date:%Y-%m}</td>" in html
    assert f"{first.birth_date:%Y-%m-%d}" not in html  # the birth year and month only
    assert f"<strong>{first_date:%Y-%m-%d}</strong>" in html
    assert (f'href="/portal/cases/new/?type=retirement&amp;person={first.pk}">开办退休</a>'
            in html)


@pytest.mark.urls(URLS)
def test_the_portal_page_shows_both_dates_of_a_woman(client, portal_user, client_company):
    woman, worker_on = retiring_soon(client_company, "吴六", "F", FEMALE_WORKER)
    cadre_on = retirement_date(birth_date=woman.birth_date, sex="F", category=FEMALE_CADRE)
    client.force_login(portal_user)

    html = client.get("/portal/cases/retiring/").content.decode()

    assert f"作为女工人（50）: <strong>{worker_on:%Y-%m-%d}</strong>" in html
    assert f"作为女干部（55）: <strong>{cadre_on:%Y-%m-%d}</strong>" in html
    assert html.count("本期内") == 1  # only the worker's date is in the window
    assert "<td>女</td>" in html


@pytest.mark.urls(URLS)
def test_nobody_retiring_is_said(client, portal_user):
    client.force_login(portal_user)
    html = client.get("/portal/cases/retiring/").content.decode()
    assert "此期间无人达到法定退休年龄。" in html


@pytest.mark.urls(URLS)
def test_the_staff_page_lists_one_client_with_the_client_filter(
        client, staff_user, client_company, other_client_company,
        django_assert_max_num_queries):
    retiring_soon(client_company, "钱二")
    theirs, _on = retiring_soon(other_client_company, "冯九")
    client.force_login(staff_user())

    # 6: session, user, the two-factor device that verified the session, then the page
    with django_assert_max_num_queries(6):
        every = client.get("/staff/cases/retiring/").content.decode()
    one = client.get("/staff/cases/retiring/", {"client": other_client_company.pk})
    wrong = client.get("/staff/cases/retiring/", {"client": "abc"})

    assert ("钱二" in every, "冯九" in every) == (True, True)
    html = one.content.decode()
    assert ("钱二" in html, "冯九" in html) == (False, True)
    assert (f'href="/staff/cases/new/?type=retirement&amp;person={theirs.pk}&amp;client='
            f'{other_client_company.pk}">开办退休</a>') in html
    assert wrong.status_code == 200
    assert "冯九" not in wrong.content.decode()


@pytest.mark.urls(URLS)
def test_the_pages_are_for_their_face_only(client, portal_user, staff_user):
    client.force_login(portal_user)
    assert client.get("/staff/cases/retiring/").status_code in (302, 403, 404)
    client.force_login(staff_user())
    assert client.get("/portal/cases/retiring/").status_code in (302, 403, 404)


# --- ending the enrolments ----------------------------------------------------------------

def test_a_succeeded_retirement_ends_the_persons_enrolments_with_the_client(
        db, client_company, other_client_company):
    person = person_of(client_company, "赵一", D(1966, 7, 2), "M")
    EnrollmentFactory(person=person, client=client_company, city=CityFactory(),
                      scheme="housing_fund", status="sealed", starts_on=D(2020, 1, 1))
    EnrollmentFactory(person=person, client=other_client_company,
                      city=CityFactory(code="110000", name="北京市"),
                      scheme="social_insurance", status="active", starts_on=D(2020, 1, 1))
    actor = UserFactory(role=Role.SERVICE_REP)
    now = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
    case = Case.objects.create(client=client_company, person=person,
                               type=CaseType.RETIREMENT, channel="staff", opened_at=now,
                               handle_by=now + datetime.timedelta(hours=48))

    ended = retirement_end_enrollments(case=case, actor=actor, on=D(2026, 12, 31))

    assert sorted((e.scheme, e.status, e.ends_on, e.end_reason) for e in ended) == [
        ("housing_fund", "ended", D(2026, 12, 31), "retirement"),
        ("social_insurance", "ended", D(2026, 12, 31), "retirement")]
    other = Enrollment.objects.get(person=person, client=other_client_company)
    assert (other.status, other.ends_on) == ("active", None)
    assert ended[0].history.first().history_user == actor
    assert retirement_end_enrollments(case=case, actor=actor, on=D(2026, 12, 31)) == []


def test_ending_before_the_enrolment_started_is_refused_naming_the_date(db, client_company):
    person = person_of(client_company, "赵一", D(1966, 7, 2), "M")
    now = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
    case = Case.objects.create(client=client_company, person=person,
                               type=CaseType.RETIREMENT, channel="staff", opened_at=now,
                               handle_by=now + datetime.timedelta(hours=48))
    with pytest.raises(ValidationFailed) as exc:
        retirement_end_enrollments(case=case, actor=None, on=D(2019, 12, 31))
    assert [(d.code, d.field) for d in exc.value.details] == [("date_invalid", "ends_on")]
    assert Enrollment.objects.get(person=person).status == "active"
