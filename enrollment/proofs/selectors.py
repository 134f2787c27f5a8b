"""Reads of proofs of enrolment (参保证明): which enrolments a month's proof covers, and
the public check of a verification code (no viewer: the page needs no login and shows
only the masked name, client, city, month and issue date), and batches of proofs."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agency.viewer import Viewer
from enrollment.models import (
    Enrollment,
    InsuredPerson,
    ProofBatch,
    ProofBatchItem,
    ProofOfEnrolment,
)
from enrollment.persons.selectors import scope_persons_data

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


# --- batches (参保证明批量) ----------------------------------------------------------------


def proof_batch_get(*, viewer: Viewer, pk: int) -> ProofBatch:
    """A batch the viewer may follow and download (404 otherwise): the client's own users,
    staff who may see the client's persons (representatives only their own clients)."""
    batch = (scope_persons_data(ProofBatch.objects.all(), viewer, "client_id")
             .select_related("client", "archive_item").filter(pk=pk).first())
    if batch is None:
        raise Http404
    return batch


@dataclass(frozen=True)
class BatchProgress:
    total: int
    made: int
    failed: int
    finished: bool

    @property
    def done(self) -> int:
        return self.made + self.failed


def proof_batch_progress(batch: ProofBatch) -> BatchProgress:
    counts = batch.items.aggregate(
        made=Count("pk", filter=Q(proof__isnull=False)),
        failed=Count("pk", filter=Q(proof__isnull=True) & ~Q(error="")))
    return BatchProgress(total=batch.total, made=counts["made"], failed=counts["failed"],
                         finished=batch.status == ProofBatch.Status.DONE)


def proof_batch_errors(batch: ProofBatch) -> QuerySet[ProofBatchItem]:
    """The items whose proof could not be made, with the reason."""
    return batch.items.exclude(error="").select_related("person").order_by("pk")
