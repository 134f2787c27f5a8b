"""Reads of proofs of enrolment (参保证明): which enrolments a month's proof covers, and
the public check of a verification code (no viewer: the page needs no login and shows
only the masked name, client, city, month and issue date)."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from enrollment.models import Enrollment, InsuredPerson, ProofOfEnrolment

CODE_RE = re.compile(r"^[A-Z2-7]{16}$")


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def enrollments_in_month(*, person: InsuredPerson, month: datetime.date) -> QuerySet[Enrollment]:
    """The person's enrolments (of every client) in force at some day of `month`: started
    by its end, not ended before its start, and not sealed (封存) before it."""
    first, last = month.replace(day=1), _month_end(month)
    return (
        Enrollment.objects.filter(
            person=person,
            status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.ENDED,
                        Enrollment.Status.SEALED],
            starts_on__lte=last,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .exclude(status=Enrollment.Status.SEALED, sealed_on__lte=first)
        .select_related("city", "client")
        .prefetch_related("bases")
        .order_by("city__code", "scheme", "pk")
    )


@dataclass(frozen=True)
class ProofCheck:
    """What the public check page may show: masked name, client, city, month, issue date."""

    valid: bool
    masked_name: str = ""
    client_name: str = ""
    cities: str = ""
    month: datetime.date | None = None
    issued_on: datetime.date | None = None


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the first character only."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def proof_check(*, code: str) -> ProofCheck:
    """The public check of a verification code (any text: invalid unless it is one)."""
    normalized = (code or "").strip().upper()
    if not CODE_RE.fullmatch(normalized):
        return ProofCheck(valid=False)
    proof = (ProofOfEnrolment.objects.select_related("person", "client")
             .filter(verification_code=normalized).first())
    if proof is None:
        return ProofCheck(valid=False)
    return ProofCheck(
        valid=True, masked_name=mask_name(proof.person.name), client_name=proof.client.name,
        cities=proof.cities, month=proof.month,
        issued_on=timezone.localtime(proof.issued_at).date(),
    )
