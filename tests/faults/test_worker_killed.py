"""A Celery worker killed in the middle of the work (issue 18): after a restart the work
completes, with no duplicate bill, bill line or PDF, and what was finished before the kill
is not done again.

The worker runs with `--pool=solo`, so SIGKILL takes the task with it (the worst case: no
parent process is left to hand the task back). Its message stays unacknowledged in Redis
(`acks_late`) and comes back after `CELERY_VISIBILITY_TIMEOUT`, set to 2 s here. To kill it
at a known point the test holds a row lock the worker needs next (the third client, a
batch's third proof): the worker waits on it, the test kills it, lets go, restarts it."""

import datetime
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from agency.viewer import SYSTEM_VIEWER
from archive.models import ArchiveItem
from billing.models import Bill, BillLine, BillMonthRun
from billing.tasks import bill_generate_month_task
from clients.models import Contract
from enrollment.models import ProofBatch, ProofBatchItem, ProofOfEnrolment
from enrollment.proofs.batch import proof_batch_start
from policies.models import City
from tests.billing.conftest import enrol
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.enrollment.order_fixtures import enrolled
from tests.integration.conftest import _database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 2


class Workers:
    """Celery worker subprocesses on the test's own Redis, each killable with SIGKILL."""

    def __init__(self, broker_url: str, log_name: str) -> None:
        self.broker_url = broker_url
        self.log_path = ROOT / "var" / f"test-worker-killed-{log_name}.log"
        self.log_path.write_text("")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": _database_url(),
               "CELERY_BROKER_URL": self.broker_url,
               "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
               "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
               "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "agency", "worker", "--pool=solo",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel=INFO"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        from agency.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail("Celery worker exited:\n" + self.log_path.read_text())
            if app.control.ping(timeout=0.5):
                return
        pytest.fail("Celery worker did not answer a ping within 60 s")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None


@pytest.fixture
def workers(own_redis) -> Iterator[Callable[[str], Workers]]:
    started: list[Workers] = []

    def make(name: str) -> Workers:
        w = Workers(own_redis.url, name)
        started.append(w)
        return w

    yield make
    for w in started:
        w.stop()


class RowLock:
    """A row lock held by a connection of its own (the worker's transaction waits on it)."""

    def __init__(self, table: str, pk: int) -> None:
        self.conn = psycopg.connect(_database_url())
        self.conn.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608
                          [pk])

    def waiters(self) -> int:
        """Backends waiting on a lock (the worker, once it reached the row)."""
        with psycopg.connect(_database_url(), autocommit=True) as other:
            row = other.execute("SELECT count(*) FROM pg_stat_activity WHERE "
                                "wait_event_type = 'Lock' AND datname = current_database()"
                                ).fetchone()
        return int(row[0]) if row else 0

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)


def shanghai_client(n: int):
    """客户n: a 2026 contract in Shanghai at 80.00 a head, two persons on a base of
    10,000.00 from November (3716.00 + 80.00 each, see tests/billing/test_bills.py)."""
    client = VerifiedClientFactory(name=f"客户{n:02d}")
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2027, 12, 31),
                               housing_fund_rate=Decimal("0.07"))
    ContractPriceFactory(contract=contract, city=City.objects.get(code="310000"),
                         price_per_head=Decimal("80.00"))
    for name in ("甲", "乙"):
        enrol(client, "310000", name=f"{name}{n}", base="10000.00")
    return client


def test_a_month_run_killed_mid_way_resumes_after_a_restart(policies, workers):
    clients = [shanghai_client(n) for n in range(1, 5)]
    worker = workers("bills")
    worker.start()
    lock = RowLock("clients_client", clients[2].pk)
    try:
        result = bill_generate_month_task.delay("2026-11")
        wait_for(lambda: Bill.objects.count() == 2 and lock.waiters() == 1,
                 "the worker to finish two clients and wait on the third")
        worker.kill()
    finally:
        lock.release()
    before = dict(Bill.objects.values_list("client_id", "generated_at"))
    lines_before = BillLine.objects.count()

    worker.start()
    counts = result.get(timeout=90)

    assert lines_before == 4  # two clients' drafts, two lines each, committed
    assert counts == {"done": 4, "generated": 4, "issued_already": 0, "failed": 0, "total": 4}
    bills = Bill.objects.order_by("client__name")
    assert [(b.client_id, b.status, b.line_count, b.total) for b in bills] == [
        (c.pk, "draft", 2, Decimal("7592.00")) for c in clients]
    assert BillLine.objects.count() == 8
    assert sorted(BillLine.objects.values_list("bill__client_id", "person__name")) == sorted(
        (c.pk, f"{name}{n}") for n, c in enumerate(clients, start=1) for name in ("甲", "乙"))
    # the two drafts finished before the kill were not generated again
    assert {pk: at for pk, at in Bill.objects.values_list("client_id", "generated_at")
            if pk in before} == before
    run = BillMonthRun.objects.get()
    assert (run.task_id, run.deliveries, run.month, run.counts) == (
        result.id, 2, NOV, {"generated": 4, "issued_already": 0, "failed": 0, "total": 4})


def zip_entries(name: str) -> dict[str, bytes]:
    with default_storage.open(name, "rb") as stream, zipfile.ZipFile(
            io.BytesIO(stream.read())) as archive:
        return {entry: archive.read(entry) for entry in archive.namelist()}


def test_a_pdf_batch_killed_mid_way_makes_each_proof_once_after_a_restart(
        company, shanghai, policies, workers):
    names = ["甲一", "乙二", "丙三", "丁四", "戊五"]
    persons = [enrolled(company, shanghai, n, name=name)
               for n, name in enumerate(names, start=21)]
    worker = workers("proofs")
    worker.start()
    batch = proof_batch_start(viewer=SYSTEM_VIEWER, client=company, month=DEC, actor=None,
                              site_url="https://portal.example.cn/")  # sent on commit
    items = list(batch.items.select_related("person").order_by("pk"))
    lock = RowLock("enrollment_proofbatchitem", items[2].pk)
    try:
        wait_for(lambda: ProofOfEnrolment.objects.count() == 2 and lock.waiters() == 1,
                 "the worker to make two proofs and wait on the third")
        worker.kill()
    finally:
        lock.release()
    before = dict(ProofBatchItem.objects.filter(proof__isnull=False)
                  .values_list("person_id", "proof__verification_code"))
    files_before = sorted(default_storage.listdir(f"proof-batches/{batch.pk}")[1])

    worker.start()
    wait_for(lambda: ProofBatch.objects.get(pk=batch.pk).status == ProofBatch.Status.DONE,
             "the batch to finish after the restart")

    batch.refresh_from_db()
    assert files_before == [f"{items[0].pk}.pdf", f"{items[1].pk}.pdf"]
    assert (ProofOfEnrolment.objects.count(), batch.total) == (5, 5)
    proofs = {p.person_id: p for p in ProofOfEnrolment.objects.all()}
    assert sorted(proofs) == sorted(p.pk for p in persons)  # one proof per person
    # the two proofs made before the kill were kept, not made again
    assert {pk: proofs[pk].verification_code for pk in before} == before
    assert ArchiveItem.objects.count() == 1
    assert batch.archive_item is not None
    entries = zip_entries(batch.archive_item.file.name)
    assert sorted(entries) == sorted(
        f"{n:04d}-{i.person.name}-2026-12-{proofs[i.person_id].verification_code}.pdf"
        for n, i in enumerate(items, start=1))
    assert sorted(hashlib.sha256(pdf).hexdigest() for pdf in entries.values()) == sorted(
        p.sha256 for p in proofs.values())
    # the per-person files went once the ZIP held them
    assert default_storage.listdir("proof-batches")[1] == []
    assert not default_storage.exists(f"proof-batches/{batch.pk}/{items[0].pk}.pdf")
