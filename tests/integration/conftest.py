"""A real Celery worker, started as a subprocess against the real Redis broker and the
test database (make test starts both)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def celery_worker(transactional_db):
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.fail(f"integration tests need a real Redis broker, got {broker!r}; use 'make test'")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "WEBHOOK_ALLOW_HTTP_HOSTS": "127.0.0.1",  # the tests' receiver runs on loopback
    }
    log = open(ROOT / "var" / "test-worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "agency", "worker", "--pool=solo",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    from agency.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            pytest.fail("Celery worker exited:\n" + (ROOT / "var" / "test-worker.log").read_text())
        replies = app.control.ping(timeout=0.5)
        if replies:
            break
    else:
        proc.terminate()
        pytest.fail("Celery worker did not answer a ping within 60 s")
    yield app
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
