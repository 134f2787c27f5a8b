"""居民身份证号码 (GB 11643-1999): 18 characters, check character ISO 7064 MOD 11-2.

The same structure and check character serve the residence permits of Hong Kong, Macao
and Taiwan residents (港澳台居民居住证, prefix 81/82/83) and the 2023 foreign
permanent-resident ID card (外国人永久居留身份证, prefix 9).

    check = validate_id_number(" 11010519491231002x ")
    check.ok, check.number, check.birth_date, check.sex   # True, "11010519491231002X", ...

A number is normalised before it is checked (surrounding and inner spaces removed,
full-width digits and letters folded, letters upper-cased). The county code (positions
3–6) is not checked against a dated list: people keep the number issued where they first
registered, and a county created after the birth year (Shanghai Pudong 310115 in 1993)
still appears in numbers of people born before it."""

import datetime
import operator
import re
import unicodedata
from dataclasses import dataclass, field

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level codes (first two digits), plus 71 Taiwan and the residence
# permits of Hong Kong (81), Macao (82) and Taiwan (83) residents.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)
# A few county codes with the year they were created (GB/T 2260 history). A number whose
# county is newer than its holder's birth is real (the number was issued later, where the
# person registered): it yields the warning below, never an error. The full history is not
# bundled; counties not listed here give no warning.
COUNTY_CREATED = {
    "310115": 1993,  # 上海市浦东新区
    "440305": 1990,  # 深圳市南山区
    "440306": 1993,  # 深圳市宝安区
    "440307": 1993,  # 深圳市龙岗区
    "120116": 2009,  # 天津市滨海新区
}
COUNTY_NEWER_THAN_BIRTH = "county_newer_than_birth"
RESIDENCE_PERMIT_PREFIXES = ("81", "82", "83")
FOREIGN_PERMANENT_PREFIX = "9"

INVALID_ID_NUMBER = "invalid_id_number"
INVALID_CHECKSUM = "invalid_checksum"
INVALID_BIRTH_DATE = "invalid_birth_date"
UNDER_AGE = "under_age"

MESSAGES = {
    INVALID_ID_NUMBER: "身份证号格式不正确 / ID number is not a valid 18-character number",
    INVALID_CHECKSUM: "身份证号校验位错误 / ID number check digit is wrong",
    INVALID_BIRTH_DATE: "身份证号中的出生日期无效 / Birth date in the ID number is not valid",
    UNDER_AGE: "未满 16 周岁 / Person is under 16",
}
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


def id_check_char(first17: str) -> str:
    """The 18th character for 17 digits (a roster import checks 10,000 numbers: map, not a
    generator)."""
    if len(first17) != len(ID_WEIGHTS):
        raise ValueError("id_check_char takes the first 17 digits")
    return ID_CHECK_CHARS[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


def normalize_id_number(raw: str) -> str:
    """Remove every space, fold full-width characters (NFKC), upper-case letters."""
    folded = unicodedata.normalize("NFKC", raw or "")
    return "".join(folded.split()).upper()


@dataclass(frozen=True)
class IdCheck:
    """What `validate_id_number` found. `code` is one of the API contract's error codes
    (`invalid_id_number`, `invalid_checksum`, `invalid_birth_date`) or "" when valid."""

    number: str
    code: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""  # "M" or "F"
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.code

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, "")

    @property
    def last4(self) -> str:
        return self.number[-4:]


def _province(number: str) -> str:
    if number.startswith(FOREIGN_PERMANENT_PREFIX):
        return number[1:3]  # 2023 card: 9 + province of issue + nationality code
    return number[:2]


def validate_id_number(raw: str, *, today: datetime.date | None = None) -> IdCheck:
    """Check an 18-character resident ID, residence permit or foreign permanent-resident
    ID: length and characters, a known province, a real birth date not in the future,
    and the GB 11643 check character."""
    number = normalize_id_number(raw)
    if not _SHAPE.match(number) or _province(number) not in PROVINCE_CODES:
        return IdCheck(number=number, code=INVALID_ID_NUMBER)
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdCheck(number=number, code=INVALID_BIRTH_DATE)
    if today is None:
        today = datetime.date.today()  # noqa: DTZ011 - a calendar date, local to the bureau
    if birth > today or birth.year < 1900:
        return IdCheck(number=number, code=INVALID_BIRTH_DATE)
    if number[17] != id_check_char(number[:17]):
        return IdCheck(number=number, code=INVALID_CHECKSUM)
    sex = "M" if int(number[16]) % 2 else "F"
    created = COUNTY_CREATED.get(number[:6])
    warnings = (COUNTY_NEWER_THAN_BIRTH,) if created and birth.year < created else ()
    return IdCheck(number=number, birth_date=birth, sex=sex, warnings=warnings)


def validate_passport_number(raw: str) -> IdCheck:
    """A passport number: 5–20 letters and digits after normalisation."""
    number = normalize_id_number(raw)
    if not _PASSPORT.match(number):
        return IdCheck(number=number, code=INVALID_ID_NUMBER)
    return IdCheck(number=number)


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Completed years of age on a date (a 29 February birthday counts on 1 March)."""
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


def under_age(birth_date: datetime.date, on: datetime.date, *, minimum: int = 16) -> bool:
    """Younger than `minimum` (16, the legal working age) on the date."""
    return age_on(birth_date, on) < minimum


_WHOLE_NUMBER = re.compile(r"^(?=.*[0-9])[A-Z0-9]{5,20}$")


def looks_like_id_number(term: str) -> bool:
    """A whole document number rather than a name or the last four: five to twenty letters
    and digits with at least one digit, after `normalize_id_number` (18-character and old
    15-digit resident IDs, permits, passports). Such a term must not travel in a URL."""
    return bool(_WHOLE_NUMBER.match(normalize_id_number(term)))


def mask_id_number(number: str) -> str:
    """`11010519491231002X` → `**************002X`: the last four only (the same length).

    The first four (province and city) with the birth date and the check character left
    only a handful of candidates, so nothing but the last four is shown. A number shorter
    than eight characters (a short passport) is masked whole: its last four would be half
    of it."""
    if len(number) >= 8:
        return "*" * (len(number) - 4) + number[-4:]
    return "*" * len(number)


def remask(masked: str, last4: str) -> str:
    """The new mask from a stored old one (first four and last four, or the first
    character of a short number) and the stored last four, without the number itself:
    what the data migration that re-masked every stored value does."""
    if len(masked) >= 8 and last4:
        return "*" * (len(masked) - 4) + last4
    return "*" * len(masked)
