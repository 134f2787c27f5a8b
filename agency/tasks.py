"""Celery tasks of the agency app: thin wrappers around services, safe to run twice."""

from celery import shared_task

from agency.services import heartbeat_touch


@shared_task
def heartbeat_task(name: str = "beat") -> str:
    beat = heartbeat_touch(name=name)
    return beat.last_seen.isoformat()


@shared_task
def idempotency_purge_task() -> int:
    from agency.idempotency import idempotency_purge

    return idempotency_purge()
