"""Celery tasks of proof-of-enrolment batches: thin wrappers around
`enrollment.proofs.batch`, safe to run twice and resumable (each item is saved once, in its
own transaction; a task delivered again after its worker died skips what was saved).

`proof_batch_run_task` splits what is left into chunks, one task each, so every worker
process takes a share; the chunk that finishes last files the ZIP."""

from celery import shared_task
from django.utils import timezone

from enrollment.proofs.batch import (
    proof_batch_chunks,
    proof_batch_finish,
    proof_batch_item_render,
    proof_batch_resume_due,
    proof_batch_touch,
)


@shared_task
def proof_batch_run_task(batch_id: int) -> int:
    """Send a task per chunk of the items still to render (none left: file the ZIP)."""
    chunks = proof_batch_chunks(batch_id=batch_id)
    if not chunks:
        proof_batch_finish(batch_id=batch_id)
        return 0
    proof_batch_touch(batch_id=batch_id)
    for item_ids in chunks:
        proof_batch_chunk_task.delay(batch_id=batch_id, item_ids=item_ids)
    return len(chunks)


@shared_task
def proof_batch_chunk_task(batch_id: int, item_ids: list[int]) -> int:
    """Render the chunk's proofs not yet made; the last chunk to end files the ZIP."""
    made = sum(proof_batch_item_render(item_id=pk) for pk in item_ids)
    proof_batch_finish(batch_id=batch_id)
    return made


@shared_task
def proof_batch_resume_due_task() -> int:
    """Send again the batches that made no progress for a while (a task never sent while
    the broker was down, or lost with it)."""
    due = proof_batch_resume_due(now=timezone.now())
    for pk in due:
        proof_batch_run_task.delay(batch_id=pk)
    return len(due)
