"""Demo persons: encrypted numbers, derived details, housing fund for a third, papers with
one kind missing for the first few of each client."""

import pytest
from django.core.management import call_command

from enrollment.demo import demo_person
from enrollment.models import Enrollment, InsuredPerson, Paper
from enrollment.persons.selectors import papers_missing
from enrollment.persons.services import person_id_number

pytestmark = pytest.mark.django_db


def test_demo_persons_have_encrypted_numbers_papers_and_housing_funds():
    call_command("seed_demo")

    first = InsuredPerson.objects.get(name=demo_person(1, "310115").name,
                                      birth_date=demo_person(1, "310115").birth_date)
    assert person_id_number(first) == demo_person(1, "310115").id_number
    assert first.id_number_masked == "**************" + demo_person(1, "310115").id_number[-4:]
    assert (first.sex, first.hukou_type) == (demo_person(1, "310115").sex, "urban_nonlocal")
    # 542 enrolled demo persons + 5 new hires of the demo roster orders (seed_orders)
    assert InsuredPerson.objects.count() == 542 + 5
    # the orders open one housing fund and end one: still 181
    assert Enrollment.objects.filter(scheme="housing_fund", status="active").count() == 181
    # 6 persons per client with all but one of 7 kinds, + 4 new hires with all 7
    assert Paper.objects.count() == 4 * 6 * 6 + 4 * 7
    assert papers_missing([first]) == {first.pk: ["id_card_front"]}
    assert Paper.objects.filter(content_type="application/pdf").count() == 4 * (6 * 2 - 1) + 4 * 2
