"""Reads of the agency app: licences, staff profiles and their qualification."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, QuerySet

from agency.models import Licence, Notification, StaffProfile, User
from agency.qualifications import unqualified_reasons
from agency.roles import STAFF_ROLES
from agency.viewer import Viewer

LICENCE_WARNING_DAYS = 60


def licence_list(*, viewer: Viewer) -> QuerySet[Licence]:
    """The agency's licences: staff only (clients see the numbers on their contract)."""
    if not viewer.is_staff:
        return Licence.objects.none()
    return Licence.objects.all()


def licence_valid_list(*, today: datetime.date) -> QuerySet[Licence]:
    """Licences in force on `today`: the numbers printed on contracts and invoices."""
    return Licence.objects.filter(valid_from__lte=today, valid_to__gte=today).order_by("kind")


def licence_expiring_list(
    *, viewer: Viewer, today: datetime.date, within_days: int = LICENCE_WARNING_DAYS
) -> QuerySet[Licence]:
    """Licences that expire within `within_days` of `today` or have expired already, while
    no licence of the same kind is valid beyond that window (a renewed licence silences
    its predecessor), soonest first."""
    horizon = today + datetime.timedelta(days=within_days)
    renewed = Licence.objects.filter(
        kind=OuterRef("kind"), valid_from__lte=today, valid_to__gt=horizon
    )
    return licence_list(viewer=viewer).filter(valid_to__lte=horizon).exclude(
        Exists(renewed)).order_by("valid_to")


@dataclass
class StaffQualification:
    user: User
    profile: StaffProfile | None
    reasons: list[str] = field(default_factory=list)

    @property
    def qualified(self) -> bool:
        return not self.reasons


def staff_qualification_list(*, viewer: Viewer, today: datetime.date) -> list[StaffQualification]:
    if not viewer.is_staff:
        return []
    users = (
        User.objects.filter(role__in=sorted(STAFF_ROLES), is_active=True)
        .select_related("staff_profile")
        .order_by("role", "username")
    )
    out = []
    for user in users:
        profile = getattr(user, "staff_profile", None)
        out.append(StaffQualification(user, profile, unqualified_reasons(profile, today=today)))
    return out


def staff_qualification_get(*, user: User, today: datetime.date) -> StaffQualification:
    profile = StaffProfile.objects.filter(user=user).first()
    return StaffQualification(user, profile, unqualified_reasons(profile, today=today))


# --- the notifications inbox (the watch's reminders, answers, disputes) ----------------


def notification_list(*, user: User) -> QuerySet[Notification]:
    """A user's notifications, unread first, newest first."""
    return user.notifications.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).count()
