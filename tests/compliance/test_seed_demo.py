"""seed_demo is deterministic and idempotent."""

import pytest
from django.core.management import call_command

from agency.models import User
from clients.models import Client
from enrollment.models import Enrollment
from enrollment.persons.id_numbers import id_check_char

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo")
    first = (User.objects.count(), Client.objects.count(), Enrollment.objects.count())

    call_command("seed_demo")

    assert (User.objects.count(), Client.objects.count(), Enrollment.objects.count()) == first
    assert first == (15, 4, 726)  # 542 social insurance + 181 housing fund + 3 from orders


def test_seed_demo_covers_tiers_contracts_reps_and_qualifications():
    import datetime

    from django.utils import timezone

    from agency.models import Licence
    from agency.qualifications import unqualified_reasons
    from agency.viewer import Viewer
    from clients.models import Contract, size_tier
    from clients.selectors import client_with_headcount_list, rep_load_list

    call_command("seed_demo")
    call_command("seed_demo")
    viewer = Viewer.of(User.objects.get(username="manager"))
    today = timezone.localdate()

    clients = client_with_headcount_list(viewer=viewer)
    assert sorted((c.headcount, size_tier(c.headcount).value) for c in clients) == [
        (12, "small"), (60, "small"), (150, "medium"), (320, "large")]
    assert all(c.contracts.filter(prices__isnull=False).exists() for c in clients)
    assert all(unqualified_reasons(c.service_rep.staff_profile, today=today) == []
               for c in clients)
    assert max(r.load for r in rep_load_list(viewer=viewer)) <= 500
    assert Contract.objects.filter(
        status="active", ends_on__lte=today + datetime.timedelta(days=30)).count() == 1
    unqualified = [u.username for u in User.objects.filter(staff_profile__isnull=False)
                   if unqualified_reasons(u.staff_profile, today=today)]
    assert unqualified == ["rep3"]
    assert set(Licence.objects.values_list("kind", flat=True)) == {
        "hr_service", "labour_dispatch"}


def test_demo_id_numbers_carry_a_valid_check_digit():
    from enrollment.demo import demo_person

    people = [demo_person(n, "310115") for n in range(200)]

    assert all(p.id_number[17] == id_check_char(p.id_number[:17]) for p in people)
    assert len({p.id_number for p in people}) == 200
    assert demo_person(0, "310115").id_number == "310115197001011006"


def test_seed_demo_has_roster_lines_in_every_status_and_keeps_headcounts():
    from agency.viewer import Viewer
    from clients.selectors import client_with_headcount_list
    from enrollment.models import LineStatus, RosterLine

    call_command("seed_demo")
    call_command("seed_demo")

    statuses = set(RosterLine.objects.values_list("status", flat=True))
    assert statuses == set(LineStatus.values)
    assert RosterLine.objects.count() == 10
    viewer = Viewer.of(User.objects.get(username="manager"))
    assert sorted(c.headcount for c in client_with_headcount_list(viewer=viewer)) == [
        12, 60, 150, 320]
