"""seed_demo is deterministic and idempotent."""

import pytest
from django.core.management import call_command

from agency.models import User
from clients.models import Client
from enrollment.id_numbers import id_check_char
from enrollment.models import Enrollment

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo")
    first = (User.objects.count(), Client.objects.count(), Enrollment.objects.count())

    call_command("seed_demo")

    assert (User.objects.count(), Client.objects.count(), Enrollment.objects.count()) == first
    assert first == (14, 4, 723)  # 542 social insurance + 181 housing fund


def test_demo_id_numbers_carry_a_valid_check_digit():
    from enrollment.demo import demo_person

    people = [demo_person(n, "310115") for n in range(200)]

    assert all(p.id_number[17] == id_check_char(p.id_number[:17]) for p in people)
    assert len({p.id_number for p in people}) == 200
    assert demo_person(0, "310115").id_number == "310115197001011006"
