"""Benchmark: a month's bill run for 100,000 enrolments across 500 clients, and invoice
PDFs (issue 11).

    make bench            (a throwaway PostgreSQL; or DATABASE_URL=… python bench/…)
    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/bench_billing.py
                          (the `make run` default; BENCH_CLIENTS / BENCH_PER_CLIENT scale it)

What the user waits for:
1. "Generate the month" on the staff billing page: the task that makes every client's
   draft (`bill_generate_month`), start to last line committed. Target: under 60 s on
   this 2-core machine for 100,000 enrolments (500 clients × 150 persons, a third of them
   with housing fund too: 200 enrolments a client).
2. One client's bill regenerated over HTTP (`POST /api/v1/bills/generate/`, a finance
   system's call, through the whole Django stack and a real socket): median of 20.
3. Invoice PDFs: 200 rendered one by one (`billing.documents.invoice_pdf`), median and
   95th percentile per PDF. Target: median under 150 ms.
Setup rows are written in bulk and are not timed."""

import datetime
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
os.environ["DJANGO_DEBUG"] = "false"  # as served: no query log kept in memory
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"  # plain HTTP on loopback (TLS ends before)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from agency.models import User  # noqa: E402
from agency.roles import Role  # noqa: E402
from bench._report import record  # noqa: E402
from bench._setup import MONTH, clients, contracts, enrol, migrated, person_row  # noqa: E402
from billing.models import (  # noqa: E402
    AgencyEntity,
    Bill,
    BillLine,
    Invoice,
    InvoiceItem,
    Payment,
    VatMethod,
)
from billing.services import (  # noqa: E402
    bill_generate,
    bill_generate_month,
    bill_issue,
    invoice_issue,
    payment_record,
)
from clients.models import Client  # noqa: E402
from enrollment.models import Enrollment, InsuredPerson  # noqa: E402
from policies.models import City  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "500"))
PER_CLIENT = int(os.environ.get("BENCH_PER_CLIENT", "150"))  # persons; a third add a fund
PDFS = int(os.environ.get("BENCH_PDFS", "200"))
TARGET_RUN_S = 60.0
TARGET_PDF_MS = 150.0
PREFIX = "基准账单客户"
BENCH = "billing"
ALSO_SQLITE = True  # scripts/bench.sh runs it on the make run default too
DATABASE = connection.vendor


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def setup() -> list[Client]:
    migrated()
    cities = list(City.objects.filter(code__in=["310000", "110000", "440300", "330100"]))
    existing = list(Client.objects.filter(name__startswith=PREFIX).order_by("pk"))
    if len(existing) == CLIENTS and Enrollment.objects.filter(
            client__in=existing).count() == CLIENTS * (PER_CLIENT + (PER_CLIENT + 2) // 3):
        return existing
    print("  setting up (not timed) …", flush=True)
    with transaction.atomic():
        all_clients = clients(PREFIX, CLIENTS, "9131BENCH")
        contracts(all_clients, cities, "BENCH-BILL")
        for c_index, client in enumerate(all_clients):
            if Enrollment.objects.filter(client=client).exists():
                continue
            persons = InsuredPerson.objects.bulk_create([
                person_row(f"员工{c_index:03d}{n:03d}", number_hash=f"bench-{client.pk}-{n}",
                           last4=f"{n:04d}", masked=f"3101********{n:04d}")
                for n in range(PER_CLIENT)
            ])
            enrol(persons, client=client, city=cities[c_index % len(cities)],
                  first_billed_month=MONTH)
        if not AgencyEntity.objects.exists():
            AgencyEntity.objects.create(name="基准人力资源服务有限公司", uscc="91310000BENCH0000X",
                                        vat_method=VatMethod.GENERAL)
    return all_clients


def reset(clients: list[Client]) -> None:
    """Back to no bill at all (an earlier run issued and invoiced some)."""
    InvoiceItem.objects.filter(invoice__bill__client__in=clients).delete()
    Invoice.objects.filter(bill__client__in=clients).delete()
    Payment.objects.filter(bill__client__in=clients).delete()
    BillLine.objects.filter(bill__client__in=clients).delete()
    Bill.objects.filter(client__in=clients).delete()
    Enrollment.objects.filter(client__in=clients).update(billed_through=None)


def time_month_run(clients: list[Client]) -> float:
    reset(clients)
    start = time.perf_counter()
    counts = bill_generate_month(month=MONTH, actor=None)
    seconds = time.perf_counter() - start
    enrolments = Enrollment.objects.filter(client__in=clients).count()
    lines = sum(Bill.objects.filter(client__in=clients, month=MONTH)
                .values_list("line_count", flat=True))
    print(f"  1. month run          {seconds:8.2f} s   {counts['generated']} bills, "
          f"{lines} lines from {enrolments} enrolments (target < {TARGET_RUN_S:.0f} s "
          f"for 100,000)")
    scaled = seconds * 100_000 / max(1, enrolments)
    record(BENCH, f"month run, {enrolments:,} enrolments ({len(clients)} clients)",
           round(seconds, 2), "s", f"< {TARGET_RUN_S:.0f} s for 100,000",
           scaled < TARGET_RUN_S, database=DATABASE)
    return seconds


def time_http_generate(clients: list[Client]) -> tuple[float, int]:
    user, _ = User.objects.get_or_create(username="bench-finance",
                                         defaults={"role": Role.FINANCE})
    token, _ = Token.objects.get_or_create(user=user)
    server: WSGIServer = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/bills/generate/"
    timings, status = [], 0
    for client in clients[:20]:
        body = json.dumps({"client": client.pk, "month": f"{MONTH:%Y-%m}"}).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Token {token.key}"})
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310 - http://127.0.0.1
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
        timings.append(time.perf_counter() - start)
    server.shutdown()
    median = statistics.median(timings) * 1000
    print(f"  2. POST bills/generate {median:7.0f} ms median over {len(timings)} clients "
          f"({PER_CLIENT} persons each; HTTP {status})")
    record(BENCH, f"POST bills/generate/ over HTTP, {PER_CLIENT} persons: median of "
           f"{len(timings)}", round(median), "ms", "HTTP 201", status == 201, database=DATABASE)
    return median, status


def time_invoice_pdfs(clients: list[Client]) -> float | None:
    try:
        from billing.documents import invoice_pdf
    except ImportError:
        print("  3. invoice PDFs       (billing.documents not there yet)")
        record(BENCH, "invoice PDF", 0, "", f"median < {TARGET_PDF_MS:.0f} ms", False,
               database=DATABASE)
        return None
    invoices = []
    for client in clients[:PDFS]:
        bill = Bill.objects.get(client=client, month=MONTH)
        if bill.status == Bill.Status.DRAFT:
            bill = bill_issue(bill=bill, actor=None)
        if bill.status != Bill.Status.PAID:
            payment_record(bill=bill, amount=bill.outstanding, paid_on=datetime.date(2026, 11, 25),
                           method="bank_transfer", actor=None)
            bill.refresh_from_db()
        found = list(bill.invoices.all())
        invoices.extend(found or invoice_issue(bill=bill, actor=None))
    invoice_pdf(invoices[0])  # fonts loaded once, as in a running server
    timings = []
    for invoice in invoices[:PDFS]:
        start = time.perf_counter()
        invoice_pdf(invoice)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"  3. invoice PDFs       {median:8.1f} ms median, {p95:.1f} ms p95 over "
          f"{len(timings)} (target median < {TARGET_PDF_MS:.0f} ms)")
    record(BENCH, f"invoice PDF: median of {len(timings)}", round(median, 1), "ms",
           f"< {TARGET_PDF_MS:.0f} ms", median < TARGET_PDF_MS, database=DATABASE)
    record(BENCH, f"invoice PDF: p95 of {len(timings)}", round(p95, 1), "ms", "-", True,
           database=DATABASE)
    return median


def main() -> None:
    print(f"bench_billing: {CLIENTS} clients × {PER_CLIENT} persons on {connection.vendor} "
          f"({settings.DATABASES['default']['NAME']})")
    clients = setup()
    run = time_month_run(clients)
    _median, status = time_http_generate(clients)
    # the month's bills must be drafts again for the PDFs' issue → pay → invoice
    for client in clients[:20]:
        bill_generate(client=client, month=MONTH, actor=None)
    pdf = time_invoice_pdfs(clients)
    scaled = run * 100_000 / max(1, Enrollment.objects.filter(client__in=clients).count())
    ok = scaled < TARGET_RUN_S and status == 201 and pdf is not None and pdf < TARGET_PDF_MS
    print(f"  {'MEETS' if ok else 'MISSES'} the targets")


if __name__ == "__main__":
    main()
