"""Whether a staff member qualifies as a service representative (STD-3.2.1–3.2.3):
大专 (college) or higher, at least one year of HR experience, and a valid HR practitioner
certificate."""

import datetime

from django.utils.translation import gettext as _

from agency.models import StaffProfile

QUALIFYING_EDUCATION = frozenset(
    {
        StaffProfile.Education.COLLEGE,
        StaffProfile.Education.BACHELOR,
        StaffProfile.Education.MASTER,
        StaffProfile.Education.DOCTORATE,
    }
)


def one_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def unqualified_reasons(profile: StaffProfile | None, *, today: datetime.date) -> list[str]:
    """The reasons a staff member does not qualify; empty when qualified."""
    if profile is None:
        return [_("No staff profile")]
    reasons = []
    if profile.education not in QUALIFYING_EDUCATION:
        reasons.append(_("Education below college (大专)"))
    if profile.hr_experience_since is None or profile.hr_experience_since > one_year_before(
        today
    ):
        reasons.append(_("Less than one year of HR experience"))
    if not profile.certificate_number:
        reasons.append(_("No HR practitioner certificate"))
    elif profile.certificate_valid_until is None or profile.certificate_valid_until < today:
        reasons.append(_("HR practitioner certificate expired"))
    return reasons
