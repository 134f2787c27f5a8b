"""Celery tasks of the compliance app: thin wrappers around services, safe to run twice."""

import dataclasses

from celery import shared_task

from compliance.watch import watch_run


@shared_task
def watch_run_task() -> dict[str, int]:
    """The compliance watch (every 15 minutes): each reminder is sent once, however often
    or concurrently this runs."""
    return dataclasses.asdict(watch_run())
