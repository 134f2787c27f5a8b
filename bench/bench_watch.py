"""Benchmark: the compliance watch over 1,000,000 roster lines of 10,000 clients.

    make bench            (a throwaway PostgreSQL; or DATABASE_URL=… python bench/…)
    BENCH_CLIENTS=1000 BENCH_LINES=100000 .venv/bin/python bench/bench_watch.py   (smaller)

What runs every 15 minutes (beat "compliance-watch") and on every staff home page:
1. `watch_findings`: every rule's reads (the dashboard's cost).
2. `watch_run` the first time: every finding is new, so each reminder is inserted with its
   in-app notification and e-mail (a backlog: the worst case).
3. `watch_run` again: nothing new (the steady state of the beat).
Target: a full `watch_run` under 5 s. One line in 50 is open, its 48-hour deadline spread
from 12 hours ago to 48 hours ahead (about 4,000 breached, 2,000 due within 6 hours); the
others finished over the past year. Then the line query's plan (EXPLAIN ANALYZE): the
existing index on `status` finds the open lines (a few in a hundred), the deadline filters
them; the same with a partial index on `handle_by` of the open lines (built in a
transaction rolled back) shows whether one would pay for a migration.
Setup rows are written with INSERT … SELECT generate_series and are not timed."""

import datetime
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
os.environ["DJANGO_DEBUG"] = "false"  # as served: no query log kept in memory
os.environ["EMAIL_URL"] = "memorymail://"  # e-mails are built and kept in memory

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from agency.models import Notification, User  # noqa: E402
from agency.roles import Role  # noqa: E402
from bench._report import record  # noqa: E402
from clients.models import Client  # noqa: E402
from compliance.models import Reminder  # noqa: E402
from compliance.watch import line_query, watch_findings, watch_run  # noqa: E402
from enrollment.models import InsuredPerson, RosterLine, RosterOrder  # noqa: E402
from policies.models import City  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "10000"))
LINES = int(os.environ.get("BENCH_LINES", "1000000"))
OPEN_EVERY = int(os.environ.get("BENCH_OPEN_EVERY", "50"))
REPS = max(1, CLIENTS // 200)
TARGET_S = 5.0
PREFIX = "基准巡检客户"
NOW = timezone.now().replace(microsecond=0)


def setup() -> None:
    call_command("migrate", verbosity=0)
    clients = Client.objects.filter(name__startswith=PREFIX)
    if clients.count() == CLIENTS and RosterLine.objects.filter(
            order__client__name__startswith=PREFIX).count() == LINES:
        return
    print("  setting up (not timed) …", flush=True)
    start = time.perf_counter()
    with transaction.atomic():
        RosterLine.objects.filter(order__client__name__startswith=PREFIX).delete()
        RosterOrder.objects.filter(client__name__startswith=PREFIX).delete()
        clients.delete()
        reps = [User.objects.get_or_create(username=f"bench-watch-rep{n}", defaults={
            "role": Role.SERVICE_REP, "email": f"rep{n}@bench.cn"})[0] for n in range(REPS)]
        for n in range(2):
            User.objects.get_or_create(username=f"bench-watch-manager{n}", defaults={
                "role": Role.MANAGER, "email": f"manager{n}@bench.cn"})
        city, _ = City.objects.get_or_create(code="310000", defaults={"name": "上海市"})
        person = InsuredPerson.objects.create(name="基准员工")
        Client.objects.bulk_create([
            Client(name=f"{PREFIX}{n:05d}有限公司", uscc=f"91BENCHW{n:010d}",
                   service_rep=reps[n % REPS]) for n in range(CLIENTS)], batch_size=5000)
        per_client = -(-LINES // CLIENTS)  # lines per client, 10 to an order
        orders = -(-per_client // 10)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO enrollment_rosterorder (client_id, channel, submitted_by_label, "
                "received_at, source_file, sealed_scan, correspondence, note) "
                "SELECT c.id, 'portal', '', %s, '', '', '', '' FROM clients_client c, "
                "generate_series(1, %s) g WHERE c.name LIKE %s ORDER BY c.id, g",
                [NOW - datetime.timedelta(days=30), orders, f"{PREFIX}%"])
            # line k: open when k % OPEN_EVERY = 0, due from 12 h ago to 48 h ahead; else
            # finished, due sometime in the past year
            cursor.execute(
                "INSERT INTO enrollment_rosterline (order_id, line_no, action, person_id, name, "
                "hukou_type, city_id, base_kind, base, effective_date, effective_month, "
                "backpay_months, reason, phone, handle_by, status, failure_reason) "
                "SELECT o.id, g, 'add', %s, '基准员工', 'urban_local', %s, '', 8000, "
                "DATE '2026-12-01', DATE '2026-12-01', '[]'::jsonb, '', '', "
                "CASE WHEN (o.id * 10 + g) %% %s = 0 "
                "  THEN %s::timestamptz + ((o.id * 10 + g) * 7919 %% 3600) * INTERVAL '1 minute' "
                "  ELSE %s::timestamptz - ((o.id * 10 + g) %% 525600) * INTERVAL '1 minute' END, "
                "CASE WHEN (o.id * 10 + g) %% %s = 0 THEN 'received' ELSE 'succeeded' END, '' "
                "FROM (SELECT o.id FROM enrollment_rosterorder o JOIN clients_client c "
                "      ON c.id = o.client_id WHERE c.name LIKE %s ORDER BY o.id) o, "
                "generate_series(1, 10) g "
                "ORDER BY o.id, g LIMIT %s",
                [person.pk, city.pk, OPEN_EVERY, NOW - datetime.timedelta(hours=12), NOW,
                 OPEN_EVERY, f"{PREFIX}%", LINES])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enrollment_rosterorder; ANALYZE enrollment_rosterline; "
                       "ANALYZE clients_client")
    print(f"  set up in {time.perf_counter() - start:.0f} s", flush=True)


def reset() -> None:
    Reminder.objects.all().delete()
    Notification.objects.filter(user__username__startswith="bench-watch-").delete()
    mail.outbox = []


def timed(label: str, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<34}{seconds:7.2f} s   {result}", flush=True)
    return seconds


def plans() -> None:
    qs = line_query(NOW)
    print("\n  EXPLAIN ANALYZE of the line query (open lines due within 6 h or past due):")
    print("    " + qs.explain(analyze=True, buffers=True).replace("\n", "\n    "))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE INDEX bench_open_line_handle_by ON enrollment_rosterline "
                           "(handle_by) WHERE status IN ('received', 'papers_missing', "
                           "'submitted', 'returned')")
            cursor.execute("ANALYZE enrollment_rosterline")
        print("\n  … with a partial index on handle_by WHERE the status is open "
              "(built, then rolled back):")
        print("    " + qs.explain(analyze=True, buffers=True).replace("\n", "\n    "))
        transaction.set_rollback(True)


def main() -> None:
    print(f"bench_watch: {CLIENTS} clients, {LINES} roster lines (1 in {OPEN_EVERY} open), "
          f"{REPS} representatives on {connection.vendor} "
          f"({settings.DATABASES['default']['NAME']})")
    setup()
    reset()
    open_lines = RosterLine.objects.filter(status="received").count()
    print(f"  {RosterLine.objects.count()} lines, {open_lines} open")
    watch_findings(now=NOW - datetime.timedelta(days=400))  # warm: catalogues, URL map
    reads = timed("1. watch_findings (reads only)",
                  lambda: f"{len(watch_findings(now=NOW))} findings")
    first = timed("2. watch_run, all new", lambda: watch_run(now=NOW))
    print(f"  {'':<34}{'':>9}   {Notification.objects.count()} notifications, "
          f"{len(mail.outbox)} e-mails")
    again = timed("3. watch_run, nothing new", lambda: watch_run(now=NOW))
    plans()
    ok = first < TARGET_S and again < TARGET_S
    size = f"{LINES:,} lines, {CLIENTS:,} clients"
    for figure, seconds, target in (
            (f"watch_findings (the dashboard's reads), {size}", reads, "-"),
            (f"watch_run, every finding new, {size}", first, f"< {TARGET_S:.0f} s"),
            (f"watch_run, nothing new, {size}", again, f"< {TARGET_S:.0f} s")):
        record("watch", figure, round(seconds, 2), "s", target,
               target == "-" or seconds < TARGET_S, database=connection.vendor)
    print(f"\n  {'MEETS' if ok else 'MISSES'} the target (a full watch_run < {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
