"""Benchmark: proofs of enrolment (参保证明) for 1,000 persons with 2 worker processes
(issue 18, Celery throughput).

    make bench            (a throwaway PostgreSQL and Redis)
    BENCH_PROOF_PERSONS=100 BENCH_PROOF_SAMPLES=20 bash scripts/with-services.sh \
        .venv/bin/python bench/bench_proof_pdfs.py       (smaller, while the machine is busy)

What the user waits for:
1. One proof's PDF (`enrollment.proofs.services.proof_render`: the person's enrolments,
   the calculator, WeasyPrint), rendered one by one in this process after a first render
   has loaded the fonts, as in a running worker: median and 95th percentile.
   Target: median under 150 ms (like the invoice PDFs of bench_billing.py).
2. The batch a client or staff member starts (`proof_batch_start`): from the request to
   the ZIP filed in the archive, on a real `celery worker --concurrency=2` against the
   throwaway Redis and PostgreSQL: total and per PDF (total / persons).
   Target: total under persons × 150 ms / 2 (two processes each at the per-PDF target).
Setup rows are written in bulk and are not timed."""

import itertools
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
os.environ["DJANGO_DEBUG"] = "false"  # as served: no query log kept in memory
# the PDFs and the ZIP go to a throwaway folder, shared with the worker
MEDIA = tempfile.mkdtemp(prefix="bench-proofs-")
os.environ["MEDIA_ROOT"] = MEDIA

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from agency.viewer import SYSTEM_VIEWER  # noqa: E402
from bench._report import record  # noqa: E402
from bench._setup import MONTH, client_row, contracts, enrol, migrated, person_row  # noqa: E402
from clients.models import Client  # noqa: E402
from enrollment.models import Enrollment, InsuredPerson, ProofBatch, Scheme  # noqa: E402
from enrollment.proofs.batch import CHUNK, proof_batch_start  # noqa: E402
from enrollment.proofs.services import proof_render  # noqa: E402

PERSONS = int(os.environ.get("BENCH_PROOF_PERSONS", "1000"))
SAMPLES = int(os.environ.get("BENCH_PROOF_SAMPLES", "100"))
PROCESSES = 2
TARGET_PDF_MS = 150.0
SITE = "https://portal.example.cn/"
NAME = "基准参保证明客户有限公司"
BENCH = "bench_proof_pdfs"


def setup() -> Client:
    """A client with `PERSONS` persons enrolled in Shanghai since November 2026, a third of
    them in the housing fund too (two sections on their proof)."""
    city = migrated()
    client = Client.objects.filter(name=NAME).first()
    if client is not None and Enrollment.objects.filter(
            client=client, scheme=Scheme.SOCIAL_INSURANCE).count() == PERSONS:
        return client
    print("  setting up (not timed) …", flush=True)
    with transaction.atomic():
        if client is None:
            client = client_row(NAME, "9131PROOFBENCH0001")
            client.save()
            contracts([client], [city], "BENCH-PROOF")
        have = Enrollment.objects.filter(client=client, scheme=Scheme.SOCIAL_INSURANCE).count()
        persons = InsuredPerson.objects.bulk_create([
            person_row(f"证明{n:05d}", number_hash=f"bench-proof-{n}", last4=f"{n % 10000:04d}",
                       masked=f"************{n % 10000:04d}")
            for n in range(have, PERSONS)
        ])
        enrol(persons, client=client, city=city, first=have)
    return client


def time_one_pdf(client: Client) -> tuple[float, float]:
    """Median and 95th percentile (ms) of one proof's PDF, rendered in this process."""
    persons = list(InsuredPerson.objects.filter(enrollments__client=client).distinct()
                   .order_by("pk")[:SAMPLES])
    proof_render(person=persons[0], client=client, month=MONTH, site_url=SITE, actor=None,
                 label="bench")  # fonts loaded once, as in a running worker
    timings = []
    for person in persons:
        start = time.perf_counter()
        proof_render(person=person, client=client, month=MONTH, site_url=SITE, actor=None,
                     label="bench")
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


class Worker:
    """`celery worker --concurrency=2` on the throwaway broker and database."""

    def __init__(self) -> None:
        self.log = open(Path(MEDIA) / "worker.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "agency", "worker", "--pool=prefork",
             f"--concurrency={PROCESSES}", "--without-gossip", "--without-mingle",
             "--loglevel=INFO"],
            cwd=ROOT, env=os.environ.copy(), stdout=self.log, stderr=subprocess.STDOUT)
        from agency.celery import app

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("the worker exited:\n" + (Path(MEDIA) / "worker.log").read_text())
            if app.control.ping(timeout=0.5):
                return
        raise SystemExit("the worker did not answer a ping within 120 s")

    def chunk_times(self) -> list[tuple[float, int]]:
        """(seconds, PDFs made) of each chunk task the worker finished, in order."""
        self.log.flush()
        text = (Path(MEDIA) / "worker.log").read_text(encoding="utf-8", errors="replace")
        return [(float(s), int(n)) for s, n in re.findall(
            r"proof_batch_chunk_task\[[^\]]*\] succeeded in ([\d.]+)s: (\d+)", text)]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


def run_batch(client: Client, person_ids: list[int] | None = None) -> tuple[float, str]:
    """Seconds from starting a batch to its ZIP filed, and where the time went (from the
    proofs' issue times: to the first PDF, between PDFs, the ZIP)."""
    start = time.perf_counter()
    batch = proof_batch_start(viewer=SYSTEM_VIEWER, client=client, month=MONTH, actor=None,
                              site_url=SITE, person_ids=person_ids)  # the task: on commit
    deadline = time.monotonic() + max(600, PERSONS * 2)
    while time.monotonic() < deadline:
        if ProofBatch.objects.filter(pk=batch.pk, status=ProofBatch.Status.DONE).exists():
            seconds = time.perf_counter() - start
            batch.refresh_from_db()
            issued = sorted(ProofBatch.objects.get(pk=batch.pk).items.values_list(
                "proof__issued_at", flat=True))
            gaps = [(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(issued)]
            assert batch.finished_at is not None
            where = (f"first PDF begun after {(issued[0] - batch.created_at).total_seconds():.1f}"
                     f" s, one begun every {statistics.median(gaps or [0]):.0f} ms (median), "
                     f"ZIP filed {(batch.finished_at - issued[-1]).total_seconds():.1f} s after "
                     "the last began")
            return seconds, where
        time.sleep(0.1)
    raise SystemExit(f"the batch of {batch.total} did not finish in time")


def main() -> None:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        raise SystemExit(f"needs the Redis of `make bench`, got {broker!r}")
    print(f"bench_proof_pdfs: {PERSONS} persons, {PROCESSES} worker processes on "
          f"{connection.vendor} ({settings.DATABASES['default']['NAME']})")
    client = setup()
    median, p95 = time_one_pdf(client)
    print(f"  1. one proof PDF      {median:8.1f} ms median, {p95:.1f} ms p95 over {SAMPLES} "
          f"(target median < {TARGET_PDF_MS:.0f} ms)")
    worker = Worker()
    try:
        warm = list(InsuredPerson.objects.filter(enrollments__client=client).distinct()
                    .order_by("pk").values_list("pk", flat=True)[:PROCESSES * CHUNK])
        run_batch(client, warm)  # a chunk each: every process loads its fonts once, as in
        # a running worker
        warm_chunks = len(worker.chunk_times())
        total, where = run_batch(client)
        chunks = worker.chunk_times()[warm_chunks:]
    finally:
        worker.stop()
    busy = sum(s for s, _n in chunks)
    in_worker = busy * 1000 / max(1, sum(n for _s, n in chunks))
    per_pdf = total * 1000 / PERSONS
    target_total = PERSONS * TARGET_PDF_MS / PROCESSES / 1000
    print(f"  2. batch of {PERSONS:<5}   {total:8.2f} s total, {per_pdf:.1f} ms per PDF "
          f"(target total < {target_total:.1f} s = {PERSONS} × {TARGET_PDF_MS:.0f} ms / "
          f"{PROCESSES})")
    print(f"                        {where}")
    print(f"                        in the worker {in_worker:.0f} ms per PDF over {len(chunks)} "
          f"tasks, the {PROCESSES} processes busy {busy * 100 / (PROCESSES * total):.0f} % of "
          "the time")
    record(BENCH, "one proof PDF, median", round(median, 1), "ms",
           f"< {TARGET_PDF_MS:.0f} ms", median < TARGET_PDF_MS, database=connection.vendor)
    record(BENCH, "one proof PDF, p95", round(p95, 1), "ms", "(reported)", True,
           database=connection.vendor)
    record(BENCH, f"batch of {PERSONS} proofs, {PROCESSES} processes, total", round(total, 2),
           "s", f"< {target_total:.0f} s", total < target_total, database=connection.vendor)
    record(BENCH, "one proof PDF in a worker process", round(in_worker, 1), "ms",
           f"< {TARGET_PDF_MS:.0f} ms", in_worker < TARGET_PDF_MS, database=connection.vendor)
    record(BENCH, f"batch of {PERSONS} proofs, per PDF", round(per_pdf, 1), "ms",
           f"< {TARGET_PDF_MS / PROCESSES:.0f} ms", per_pdf < TARGET_PDF_MS / PROCESSES,
           database=connection.vendor)
    ok = median < TARGET_PDF_MS and total < target_total
    print(f"  {'MEETS' if ok else 'MISSES'} the targets")


if __name__ == "__main__":
    main()
