"""Every line is checked before anything is saved; all errors of all lines at once."""

import pytest

from agency.errors import DomainError, ValidationFailed
from clients.models import Contract
from enrollment.models import InsuredPerson, RosterLine, RosterOrder
from enrollment.orders.services import order_submit
from tests.enrollment.order_fixtures import (
    RECEIVED,
    add_line,
    enrolled,
    valid_id,
)
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def submit(company, lines):
    return order_submit(client=company, lines=lines, channel="api", actor=None,
                        received_at=RECEIVED)


def errors_of(company, lines):
    with pytest.raises(ValidationFailed) as info:
        submit(company, lines)
    return [(d.line, d.field, d.code) for d in info.value.details]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id_number": "11010519491231002"}, ("id_number", "invalid_id_number")),
        ({"id_number": "110105194912310021"}, ("id_number", "invalid_checksum")),
        ({"id_number": "110105194902300020"}, ("id_number", "invalid_birth_date")),
        ({"id_number": None}, ("id_number", "required")),
        ({"name": ""}, ("name", "required")),
        ({"city": "440300"}, ("city", "city_unknown")),
        ({"base": "-100"}, ("base", "base_invalid")),
        ({"base": "8000.001"}, ("base", "base_invalid")),
        ({"base": "八千"}, ("base", "base_invalid")),
        ({"base": None}, ("base", "required")),
        ({"effective_date": "2026-13-01"}, ("effective_date", "date_invalid")),
        ({"effective_date": "2020-01-01"}, ("effective_date", "date_invalid")),
        ({"effective_date": None}, ("effective_date", "required")),
        ({"hukou_type": "城镇"}, ("hukou_type", "hukou_invalid")),
        ({"action": "transfer"}, ("action", "action_invalid")),
        ({"phone": "12345"}, ("phone", "phone_invalid")),
        ({"schemes": ["pension"]}, ("schemes", "scheme_invalid")),
    ],
)
def test_each_bad_field_is_named_with_its_code(company, change, expected):
    assert errors_of(company, [add_line(1, **change)]) == [(1, *expected)]


def test_under_age_on_the_effective_date(company):
    # born 2011-06-01: 15 on 2026-12-01
    first17 = "31011520110601123"
    from enrollment.persons.id_numbers import id_check_char

    assert errors_of(company, [add_line(1, id_number=first17 + id_check_char(first17))]) == [
        (1, "id_number", "under_age")]


def test_city_not_in_the_contract(company):
    CityFactory(code="440300", name="深圳市")

    assert errors_of(company, [add_line(1, city="440300")]) == [(1, "city", "city_not_in_contract")]


def test_duplicate_in_the_same_order_names_the_later_line(company):
    assert errors_of(company, [add_line(1), add_line(2), add_line(1)]) == [
        (3, "id_number", "duplicate_in_order")]


def test_adding_someone_already_enrolled_in_that_city(company, shanghai):
    person = enrolled(company, shanghai, 5)
    assert person.name
    assert errors_of(company, [add_line(5, schemes=["social_insurance"])]) == [
        (1, "id_number", "already_enrolled")]


def test_removing_someone_not_enrolled(company):
    line = {"action": "remove", "id_number": valid_id(9), "city": "310000",
            "effective_date": "2026-12-31", "reason": "resignation"}

    assert errors_of(company, [line]) == [(1, "id_number", "not_enrolled")]


def test_removal_needs_a_known_reason(company, shanghai):
    enrolled(company, shanghai, 5)
    base = {"action": "remove", "id_number": valid_id(5), "city": "310000",
            "effective_date": "2026-12-31"}

    assert errors_of(company, [base]) == [(1, "reason", "required")]
    assert errors_of(company, [{**base, "reason": "quit"}]) == [(1, "reason", "reason_invalid")]


def test_a_name_that_does_not_match_the_known_person(company, shanghai):
    enrolled(company, shanghai, 5, name="王伟")

    line = {"action": "adjust_base", "name": "王为", "id_number": valid_id(5), "city": "310000",
            "base": "9000", "effective_date": "2026-12-01"}
    assert errors_of(company, [line]) == [(1, "name", "name_mismatch")]


def test_id_numbers_are_normalised_before_checking(company):
    raw = valid_id(3)
    spaced = f" {raw[:6]} {raw[6:14]} {raw[14:]} ".translate(
        str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))

    order = submit(company, [add_line(3, id_number=spaced)])

    assert order.lines.get().person.id_number_masked == "*" * 14 + raw[-4:]


def test_a_three_line_order_with_one_bad_line_saves_nothing(company):
    people_before = InsuredPerson.objects.count()

    found = errors_of(company, [add_line(1), add_line(2, base="abc"), add_line(3)])

    assert found == [(2, "base", "base_invalid")]
    assert RosterOrder.objects.count() == 0
    assert RosterLine.objects.count() == 0
    assert InsuredPerson.objects.count() == people_before


def test_every_bad_line_is_reported_at_once(company):
    found = errors_of(company, [add_line(1, city=""), add_line(2), add_line(3, base="0",
                                                                       hukou_type="x")])

    assert found == [(1, "city", "required"), (3, "hukou_type", "hukou_invalid"),
                     (3, "base", "base_invalid")]


def test_client_without_an_active_contract(company):
    Contract.objects.filter(client=company).update(status=Contract.Status.TERMINATED)

    with pytest.raises(DomainError) as info:
        submit(company, [add_line(1)])

    assert (info.value.code, info.value.status) == ("no_active_contract", 400)


def test_an_empty_order_is_refused(company):
    assert errors_of(company, []) == [(None, "lines", "required")]
