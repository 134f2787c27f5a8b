"""ID numbers: normalisation, validation (GB 11643), masking, age."""

import datetime

import pytest

from enrollment.persons.id_numbers import (
    age_on,
    id_check_char,
    looks_like_id_number,
    mask_id_number,
    normalize_id_number,
    remask,
    under_age,
    validate_id_number,
    validate_passport_number,
)

TODAY = datetime.date(2026, 11, 27)


def _valid(first17: str) -> str:
    return first17 + id_check_char(first17)


def test_lower_case_x_is_accepted_and_upper_cased():
    check = validate_id_number("11010519491231002x", today=TODAY)

    assert check.ok is True
    assert check.code == ""
    assert check.number == "11010519491231002X"
    assert check.birth_date == datetime.date(1949, 12, 31)
    assert check.sex == "F"
    assert check.last4 == "002X"


def test_full_width_digits_and_spaces_are_folded():
    raw = "　１１０１０５ １９４９１２３１ ００２ｘ "

    assert normalize_id_number(raw) == "11010519491231002X"
    assert validate_id_number(raw, today=TODAY).number == "11010519491231002X"
    assert validate_id_number(raw, today=TODAY).ok is True


def test_wrong_check_digit_is_invalid_checksum():
    check = validate_id_number("110105194912310021", today=TODAY)

    assert check.ok is False
    assert check.code == "invalid_checksum"
    assert check.message == "身份证号校验位错误 / ID number check digit is wrong"


def test_30_february_is_invalid_birth_date():
    check = validate_id_number(_valid("11010519900230123"), today=TODAY)

    assert check.code == "invalid_birth_date"


def test_birth_date_in_the_future_is_invalid_birth_date():
    check = validate_id_number(_valid("11010520270101123"), today=TODAY)

    assert check.code == "invalid_birth_date"


def test_county_code_newer_than_birth_year_is_accepted():
    # Pudong (310115) was created in 1993; people born before keep numbers issued there
    number = _valid("31011519700315201")

    check = validate_id_number(number, today=TODAY)

    assert check.ok is True
    assert check.birth_date == datetime.date(1970, 3, 15)
    assert check.sex == "M"
    assert check.warnings == ("county_newer_than_birth",)
    assert validate_id_number(_valid("31011519950315201"), today=TODAY).warnings == ()


@pytest.mark.parametrize(
    "raw",
    ["", "1101051949123100", "1101051949123100211", "11010519491231002A", "ABCDEFGHIJKLMNOPQR",
     _valid("00010519491231002")[:17] + "X", _valid("99010519491231002")],
)
def test_bad_length_characters_or_province_is_invalid_id_number(raw):
    assert validate_id_number(raw, today=TODAY).code == "invalid_id_number"


def test_unknown_province_is_invalid_id_number():
    assert validate_id_number(_valid("20010519491231002"), today=TODAY).code == "invalid_id_number"


@pytest.mark.parametrize("first17", ["81000019900101123", "82000019900101123",
                                     "83000019900101123"])
def test_residence_permits_use_the_same_check_digit(first17):
    assert validate_id_number(_valid(first17), today=TODAY).ok is True
    assert validate_id_number(first17 + "0" if _valid(first17)[-1] != "0" else first17 + "1",
                              today=TODAY).code == "invalid_checksum"


def test_2023_foreign_permanent_resident_id_uses_the_same_check_digit():
    number = _valid("93115619850607001")  # 9 + province 31 + nationality 156

    check = validate_id_number(number, today=TODAY)

    assert check.ok is True
    assert check.birth_date == datetime.date(1985, 6, 7)


def test_passport_numbers_are_letters_and_digits():
    assert validate_passport_number(" e1234 5678 ").number == "E12345678"
    assert validate_passport_number("E12345678").ok is True
    assert validate_passport_number("E1-23").code == "invalid_id_number"


def test_mask_shows_the_last_four_only():
    assert mask_id_number("11010519491231002X") == "**************002X"
    assert mask_id_number("E12345678") == "*****5678"
    assert mask_id_number("E1234") == "*****"


def test_remask_turns_an_old_mask_into_the_new_one_without_the_number():
    assert remask("1101**********002X", "002X") == "**************002X"
    assert remask("E****5678", "5678") == "*****5678"
    assert remask("E****", "1234") == "*****"


def test_a_whole_number_is_told_from_a_name_and_the_last_four():
    assert [looks_like_id_number(t) for t in (
        "11010519491231002X", " 110105 19491231 002x ", "110105491231002", "E12345678",
        "002X", "张三", "Smith", "")] == [True, True, True, True, False, False, False, False]


def test_under_age_is_younger_than_16_on_the_date():
    born = datetime.date(2010, 12, 1)

    assert under_age(born, datetime.date(2026, 11, 30)) is True
    assert under_age(born, datetime.date(2026, 12, 1)) is False
    assert age_on(datetime.date(2008, 2, 29), datetime.date(2024, 2, 28)) == 15
    assert age_on(datetime.date(2008, 2, 29), datetime.date(2024, 2, 29)) == 16
