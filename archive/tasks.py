"""Celery tasks of the archive app: thin wrappers around services, safe to run twice."""

import logging
from typing import Any

from celery import shared_task

from archive.services import archive_sweep_orphans, archive_verify

logger = logging.getLogger(__name__)


@shared_task
def archive_check_task() -> dict[str, Any]:
    """The integrity check: every missing or changed file is logged as an error."""
    report = archive_verify()
    for pk in report.missing:
        logger.error("archive item %s: file missing", pk)
    for pk in report.changed:
        logger.error("archive item %s: file changed (checksum differs)", pk)
    return {"checked": report.checked, "missing": report.missing, "changed": report.changed}


@shared_task
def archive_sweep_orphans_task() -> int:
    return len(archive_sweep_orphans())
