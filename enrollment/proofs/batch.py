"""Batches of proofs of enrolment (参保证明批量): the proofs of a client's persons for one
month (all it enrolled that month, or a chosen list), rendered by the worker, then one ZIP.

- `proof_batch_start`: staff who serve the client or the client's own users ask for it; one
  item per person, the request audited (EXPORT) in the same transaction, the worker's task
  sent after the commit (a broker that is down loses nothing: `proof_batch_resume_due`).
- `proof_batch_item_render`: one person's PDF, rendered outside any transaction, then saved
  with its `ProofOfEnrolment` in one transaction that first locks the item and skips it if
  another delivery finished it: each proof is made once, however often a task is delivered
  (a worker killed mid-batch: its task comes back, the items it committed are skipped).
  The PDF is written under a name fixed by the item, so a run killed between writing it and
  committing leaves one file, overwritten by the next run, never two.
- `proof_batch_finish`: once every item is done, the ZIP of the PDFs is filed in the archive
  (an archive item of the client's month), exactly once (the batch row is locked), and the
  per-item files are removed after the commit.
- `proof_batch_download`: the ZIP, audited (DOWNLOAD). The PDFs show masked ID numbers only,
  as single proofs do; the same people may download them (the client's own users, staff who
  may see the client's persons)."""

import contextlib
import datetime
import io
import zipfile
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.utils import timezone

from agency.deadlines import add_months, month_start
from agency.dispatch import task_send_on_commit
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.models import AuditEvent, User
from agency.services import audit_record
from agency.viewer import Viewer
from archive.models import ItemKind
from archive.services import archive_store
from clients.models import Client
from enrollment.models import Enrollment, InsuredPerson, ProofBatch, ProofBatchItem
from enrollment.persons.selectors import scope_persons_data
from enrollment.proofs.services import proof_render, proof_save

# the most persons one batch covers (a client's whole roster fits; the worker renders ~10 a
# second per process)
MAX_PERSONS = 5000
# the items one worker task renders: small enough that every worker process gets a share
# of a small batch, large enough that a task's overhead is nothing next to its PDFs
CHUNK = 10
SCRATCH = "proof-batches"


def batch_client(*, viewer: Viewer, pk: int) -> Client:
    """The client whose persons' proofs the viewer may ask for (404 otherwise): staff who
    may see its persons (representatives only their own clients), its own users."""
    client = scope_persons_data(Client.objects.filter(pk=pk), viewer, "pk").first()
    if client is None:
        raise Http404
    return client


def enrolled_persons(*, client: Client, month: datetime.date) -> QuerySet[InsuredPerson]:
    """Persons `client` enrolled at some day of `month` (those a proof can be issued for)."""
    first = month_start(month)
    last = add_months(first, 1) - datetime.timedelta(days=1)
    enrolled = (Enrollment.objects.filter(
        client=client, starts_on__lte=last,
        status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.ENDED,
                    Enrollment.Status.SEALED])
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .exclude(status=Enrollment.Status.SEALED, sealed_on__lte=first)
        .values("person_id"))
    return InsuredPerson.objects.filter(pk__in=enrolled).order_by("name", "pk")


def _refused(code: str, message: str, field: str) -> ValidationFailed:
    return ValidationFailed([ErrorDetail(code=code, message=message, field=field)])


def proof_batch_start(
    *, viewer: Viewer, client: Client, month: datetime.date, actor: User | None,
    site_url: str, person_ids: Iterable[int] | None = None,
    request: HttpRequest | None = None,
) -> ProofBatch:
    """Ask for the proofs of `client`'s persons in `month` (every person it enrolled that
    month, or `person_ids`, each of whom it must have enrolled then). The caller has scoped
    `client` to the viewer (`batch_client`)."""
    month = month_start(month)
    enrolled = enrolled_persons(client=client, month=month)
    if person_ids is not None:
        wanted = sorted(set(person_ids))
        found = list(enrolled.filter(pk__in=wanted))
        if len(found) != len(wanted) or not wanted:
            raise _refused("not_enrolled", "所选人员中有人该月份不在该客户参保 / Some chosen "
                           "persons were not enrolled by the client that month", "persons")
        persons = found
    else:
        persons = list(enrolled)
    if not persons:
        raise _refused("no_persons", "该月份该客户没有参保人员 / The client enrolled nobody "
                       "that month", "month")
    if len(persons) > MAX_PERSONS:
        raise _refused("too_many", f"一次最多 {MAX_PERSONS} 人 / At most {MAX_PERSONS} "
                       "persons a batch", "persons")
    label = actor.get_username() if actor is not None else (
        f"api-key:{viewer.api_key_id}" if viewer.api_key_id else "")
    with transaction.atomic():
        batch = ProofBatch.objects.create(
            client=client, month=month, total=len(persons), site_url=site_url[:200],
            requested_by=actor if actor is not None and actor.pk else None,
            requested_by_label=label[:150])
        ProofBatchItem.objects.bulk_create(
            [ProofBatchItem(batch=batch, person=p) for p in persons], batch_size=1000)
        audit_record(actor=actor, action=AuditEvent.Action.EXPORT, target=batch,
                     client_id=client.pk,
                     detail={"what": "proof_batch", "month": f"{month:%Y-%m}",
                             "persons": len(persons), "chosen": person_ids is not None},
                     request=request)
        proof_batch_send_on_commit(batch.pk)
    return batch


def proof_batch_send_on_commit(batch_id: int) -> None:
    from enrollment.proofs.tasks import proof_batch_run_task  # the tasks import this module

    task_send_on_commit(proof_batch_run_task, batch_id=batch_id)


def _pending(batch_id: int) -> QuerySet[ProofBatchItem]:
    return ProofBatchItem.objects.filter(batch_id=batch_id, proof__isnull=True, error="")


def proof_batch_chunks(*, batch_id: int) -> list[list[int]]:
    """The items still to render, in chunks of CHUNK (what the worker's tasks share)."""
    ids = list(_pending(batch_id).order_by("pk").values_list("pk", flat=True))
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def scratch_name(item: ProofBatchItem) -> str:
    return f"{SCRATCH}/{item.batch_id}/{item.pk}.pdf"


def _write(name: str, content: bytes) -> None:
    """Write `content` under exactly `name`, replacing a file a killed run left there."""
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # only a concurrent writer of the same item could cause this
        default_storage.delete(saved)
        raise RuntimeError(f"proof batch file {name} was taken")


def proof_batch_item_render(*, item_id: int) -> bool:
    """Render and save one item's proof; False when it was done already (nothing made)."""
    item = (ProofBatchItem.objects.select_related("batch__client", "batch__requested_by",
                                                  "person").filter(pk=item_id).first())
    if item is None or item.done:
        return False
    batch = item.batch
    try:
        issued = proof_render(person=item.person, client=batch.client, month=batch.month,
                              site_url=batch.site_url, actor=batch.requested_by,
                              label=batch.requested_by_label)
    except DomainError as exc:  # e.g. no policy of a city that month: reported, not retried
        with transaction.atomic():
            locked = ProofBatchItem.objects.select_for_update().get(pk=item.pk)
            if locked.done:
                return False
            locked.error = f"{exc.code}: {exc.message}"[:300]
            locked.save(update_fields=["error"])
            ProofBatch.objects.filter(pk=batch.pk).update(touched_at=timezone.now())
        return True
    with transaction.atomic():
        locked = ProofBatchItem.objects.select_for_update().get(pk=item.pk)
        if locked.done:  # another delivery of the same chunk finished it meanwhile
            return False
        name = scratch_name(locked)
        _write(name, issued.pdf)
        proof_save(issued.proof)
        locked.proof = issued.proof
        locked.file_name = name
        locked.save(update_fields=["proof", "file_name"])
        ProofBatch.objects.filter(pk=batch.pk).update(touched_at=timezone.now())
    return True


def _zip(items: list[ProofBatchItem], month: datetime.date) -> bytes:
    """The PDFs, one entry per person (name and verification code, no ID number)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for n, item in enumerate(items, start=1):
            code = item.proof.verification_code if item.proof is not None else ""
            with default_storage.open(item.file_name, "rb") as pdf:
                archive.writestr(f"{n:04d}-{item.person.name}-{month:%Y-%m}-{code}.pdf",
                                 pdf.read())
    return out.getvalue()


def proof_batch_finish(*, batch_id: int) -> bool:
    """File the ZIP once every item is done (True when this call filed it)."""
    if _pending(batch_id).exists():
        return False
    with transaction.atomic():
        batch = (ProofBatch.objects.select_for_update(of=("self",))
                 .select_related("client", "requested_by")
                 .get(pk=batch_id))
        if batch.status == ProofBatch.Status.DONE or _pending(batch_id).exists():
            return False
        items = list(batch.items.filter(proof__isnull=False)
                     .select_related("person", "proof").order_by("pk"))
        actor = batch.requested_by
        item = archive_store(
            content=_zip(items, batch.month), original_name="proofs.zip",
            kind=ItemKind.CORRESPONDENCE, client_id=batch.client_id, month=batch.month,
            actor=actor if actor is not None and not actor.is_portal_user else None,
            subject=batch, title=f"参保证明 {batch.month:%Y-%m} × {len(items)}")
        batch.archive_item = item
        batch.status = ProofBatch.Status.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["archive_item", "status", "finished_at", "touched_at"])
        names = [i.file_name for i in items]
        transaction.on_commit(lambda: _remove(names, batch_id))
    return True


def _remove(names: list[str], batch_id: int) -> None:
    """The per-item PDFs once the ZIP holds them (the ZIP is the one stored copy)."""
    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)
    folder = f"{SCRATCH}/{batch_id}"
    with contextlib.suppress(OSError):
        default_storage.delete(folder)  # an empty folder on the file system


def proof_batch_resume_due(*, now: datetime.datetime,
                           stale: datetime.timedelta = datetime.timedelta(minutes=15),
                           ) -> list[int]:
    """Batches still running that made no progress for `stale` (their task was never sent,
    the broker lost it): their ids, to send again."""
    return list(ProofBatch.objects.filter(status=ProofBatch.Status.RUNNING,
                                          touched_at__lt=now - stale)
                .order_by("pk").values_list("pk", flat=True))


def proof_batch_touch(*, batch_id: int) -> None:
    ProofBatch.objects.filter(pk=batch_id).update(touched_at=timezone.now())


def proof_batch_download(*, batch: ProofBatch, actor: User | None,
                         request: HttpRequest | None = None) -> FieldFile:
    """The batch's ZIP (409 while it is being made), the download audited. The caller has
    scoped `batch` to the viewer (`proof_batch_get`)."""
    if batch.status != ProofBatch.Status.DONE or batch.archive_item is None:
        raise DomainError(code="not_ready", status=409,
                          message="证明尚在生成中，请稍候 / The proofs are still being made")
    item = batch.archive_item
    with transaction.atomic():
        audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=batch,
                     client_id=batch.client_id,
                     detail={"what": "proof_batch", "month": f"{batch.month:%Y-%m}",
                             "persons": batch.total, "sha256": item.sha256},
                     request=request)
    file: FieldFile = item.file
    return file
