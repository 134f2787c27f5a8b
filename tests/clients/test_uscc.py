"""USCC (GB 32100-2015): every registration-authority prefix with its institution types,
and the mod-31 check character."""

import pytest

from clients.validators import USCC_INSTITUTION_TYPES, uscc_check_char, uscc_problem


def _with_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize("uscc", [
    "91350100M000100Y43",  # enterprise (9 1)
    "91440300708461136T",
    "12100000400000624D",  # public institution (1 2)
    "31110000400834282L",  # law firm (3 1)
    _with_check("92310115MA1K4ABC0"),  # individual business (9 2)
    _with_check("93330106MA2H7PQR4"),  # farmers' cooperative (9 3)
    _with_check("51100000500021209"),  # social organisation (5 1)
    _with_check("53100000500021209"),  # foundation (5 3)
    _with_check("N2330102MF0469071"),  # village collective (N 2)
    _with_check("A1110000MB0123456"),  # military institution (A 1)
    _with_check("Y1310101MA1FPX4G5"),  # other (Y 1)
    _with_check("81110000MC1234567"),  # trade union (8 1)
])
def test_valid_uscc_samples_pass(uscc):
    assert uscc_problem(uscc) is None


@pytest.mark.parametrize(("uscc", "code"), [
    ("91350100M000100Y44", "invalid_checksum"),
    ("12100000400000624E", "invalid_checksum"),
    ("91350100M000100Y4", "invalid_length"),
    ("Z1350100M000100Y43", "invalid_prefix"),  # no authority Z
    ("94350100M000100Y43", "invalid_prefix"),  # 工商 has no type 4
    ("Y2310101MA1FPX4G5K", "invalid_prefix"),  # 其他 has type 1 only
    ("N4330102MF0469071H", "invalid_prefix"),
    ("913501O0M000100Y43", "invalid_format"),  # letter O in the division code
    ("91350100M0001I0Y43", "invalid_format"),  # I is not in the alphabet
])
def test_invalid_uscc_samples_are_refused_with_a_code(uscc, code):
    assert uscc_problem(uscc)[0] == code


def test_every_authority_of_the_standard_is_known():
    assert sorted(USCC_INSTITUTION_TYPES) == sorted("123456789ANY")
