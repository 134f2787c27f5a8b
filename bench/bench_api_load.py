"""Benchmark: the API under load (issue 18), served as in production by gunicorn with 2
workers on loopback, loaded by wrk (Debian's `wrk`, installed by scripts/bootstrap.sh test).

    make bench            (PostgreSQL, then the `make run` default: an SQLite file)
    DATABASE_URL=… .venv/bin/python bench/bench_api_load.py
    BENCH_API_PERSONS=5000 BENCH_API_LIST=400 BENCH_API_ORDERS=60 …   (smaller)

What a client's HR system waits for, with 8 and then 32 clients at once (wrk connections,
closed loop: each sends its next request when its answer came; a fixed number of answers):
1. `GET /api/v1/persons/?page=N`: pages of 50 over the client's 100,000 persons, every page
   in turn (deep pages too). Target: p95 under 150 ms, no error.
2. `POST /api/v1/orders/` with 10 lines adding new hires (unique valid ID numbers, an
   Idempotency-Key each). Target: p95 under 400 ms, no error.
Median and p95 are wrk's per-request latency (send to last byte). The load generator runs
on the same 2 cores as gunicorn and the database, as the issue asks (loopback).

The caller is one client's API key. The API's per-caller throttle (API_THROTTLE_USER,
1200/min) would answer 429 long before the server is loaded: the served process gets a
throttle of 1,000,000/min, so the figures are the server's, not the throttle's.

Setup is not timed: the persons are written in bulk through `person_create_many` (the real
encryption and keyed hash of agency/crypto), each with an active enrolment of the client."""

import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
os.environ["DJANGO_DEBUG"] = "false"  # as served: no query log kept in memory

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from agency.crypto import lookup_hash  # noqa: E402
from agency.deadlines import add_months  # noqa: E402
from agency.models import User  # noqa: E402
from agency.roles import Role  # noqa: E402
from bench._report import record  # noqa: E402
from clients.models import ApiKey, Client, Contract, ContractPrice  # noqa: E402
from clients.services import api_key_issue  # noqa: E402
from enrollment.demo import demo_person  # noqa: E402
from enrollment.models import Enrollment, Scheme  # noqa: E402
from enrollment.persons.id_numbers import id_check_char, validate_id_number  # noqa: E402
from enrollment.persons.services import NewPerson, person_create_many  # noqa: E402
from policies.models import City  # noqa: E402
from policies.policy_file import POLICY_FILE, read_policy_file  # noqa: E402
from policies.services import policies_load  # noqa: E402

PERSONS = int(os.environ.get("BENCH_API_PERSONS", "100000"))
LIST_REQUESTS = int(os.environ.get("BENCH_API_LIST", "2000"))  # answers per concurrency
ORDER_REQUESTS = int(os.environ.get("BENCH_API_ORDERS", "400"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_API_CONCURRENCY", "8,32").split(",")]
LINES = 10
WORKERS = 2
# gthread: a sync worker does not keep connections alive and sits blocked on a connection
# that sends nothing (a load generator's idle one) until its timeout; threads wait on them
THREADS = int(os.environ.get("BENCH_API_THREADS", "4"))
WRK_THREADS = 2
TARGET_LIST_MS = 150.0
TARGET_ORDER_MS = 400.0
USCC = "91310115BENCHAPI0X"
LOADGEN = ROOT / "bench" / "loadgen"
VAR = ROOT / "var" / "bench"
DATABASE = "sqlite" if connection.vendor == "sqlite" else connection.vendor
BENCH = "api_load"
ALSO_SQLITE = True  # scripts/bench.sh runs it on the make run default too


def _batches(n: int, size: int) -> list[range]:
    return [range(start, min(n, start + size)) for start in range(0, n, size)]


def setup() -> tuple[Client, str]:
    """The client (active contract in Shanghai and Beijing), its PERSONS enrolled persons
    and a new API key (the key itself is only known when issued)."""
    call_command("migrate", verbosity=0)
    if not City.objects.filter(code="310000").exists():
        policies_load(cities=read_policy_file(POLICY_FILE))
    shanghai = City.objects.get(code="310000")
    beijing = City.objects.get(code="110000")
    client, created = Client.objects.get_or_create(uscc=USCC, defaults={
        "name": "基准压测科技有限公司", "office_address": "上海市浦东新区",
        "licence_verified_at": timezone.now()})
    if created:
        contract = Contract.objects.create(
            client=client, number="BENCH-API-1", starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2030, 12, 31), status=Contract.Status.ACTIVE,
            housing_fund_rate="0.07")
        for city in (shanghai, beijing):
            ContractPrice.objects.create(contract=contract, city=city, price_per_head="80.00")
    have = Enrollment.objects.filter(client=client, city=shanghai).count()
    if have < PERSONS:
        print(f"  setting up {PERSONS - have:,} persons (not timed) …", flush=True)
        start = time.perf_counter()
        for batch in _batches(PERSONS - have, 5000):
            people = []
            for i in batch:
                p = demo_person(have + i, "310115")
                people.append(NewPerson(name=p.name, check=validate_id_number(p.id_number),
                                        phone=f"139{have + i:08d}", hukou_type="urban_local"))
            with transaction.atomic():
                persons = person_create_many(people=people, actor=None)
                Enrollment.objects.bulk_create([
                    Enrollment(person=person, client=client, city=shanghai,
                               scheme=Scheme.SOCIAL_INSURANCE, status=Enrollment.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1), base="8000.00",
                               first_billed_month=datetime.date(2026, 1, 1))
                    for person in persons], batch_size=2000)
        print(f"  set up in {time.perf_counter() - start:.0f} s", flush=True)
    # the planner's statistics, as autovacuum keeps them on a served PostgreSQL; SQLite
    # keeps none by itself (without them it reads a client's 100,000 enrolments through
    # the (client, status) index to find a page's 50)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    staff, _ = User.objects.get_or_create(username="bench-api-admin",
                                          defaults={"role": Role.ADMIN})
    ApiKey.objects.filter(client=client).delete()
    _key, secret = api_key_issue(client=client, name="压测", actor=staff)
    return client, secret


def hire_id(n: int) -> str:
    """The n-th new hire's ID number (n < 12,000,000): valid, born 1970–2002 in 北京海淀,
    never one of the listed persons (上海浦东)."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n // 1000 % 12000)
    first17 = f"110108{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def order_bodies(counts: list[int]) -> list[Path]:
    """For each run, its count of request bodies of LINES new hires each, in a block of
    numbers no earlier run used (a block is used when any of its numbers is a person)."""
    from enrollment.models import InsuredPerson

    count = sum(counts)
    size = count * LINES
    block = 0
    while InsuredPerson.objects.filter(id_number_hash__in=[
            lookup_hash(hire_id(block * size + i)) for i in range(size)]).exists():
        block += 1
    effective = add_months(timezone.localdate().replace(day=1), 1).isoformat()
    VAR.mkdir(parents=True, exist_ok=True)
    paths = [VAR / f"api_load_orders_{DATABASE}_{run}.jsonl" for run in range(len(counts))]
    outs = [path.open("w", encoding="utf-8") for path in paths]
    runs = [run for run, n in enumerate(counts) for _ in range(n)]
    for r, run in enumerate(runs):
        lines = []
        for k in range(LINES):
            n = block * size + r * LINES + k
            lines.append({
                "action": "add", "name": f"新员工{n:07d}", "id_number": hire_id(n),
                "hukou_type": "urban_local", "city": "310000" if k % 2 else "110000",
                "base": f"{6000 + n % 9000}.00", "effective_date": effective,
                "phone": f"137{n % 10**8:08d}", "housing_fund": bool(k % 3)})
        outs[run].write(json.dumps({"lines": lines}, ensure_ascii=False) + "\n")
    for out in outs:
        out.close()
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ, DJANGO_DEBUG="false", DJANGO_SECURE_SSL_REDIRECT="false",
               API_THROTTLE_USER="1000000/min", DATABASE_URL=_database_url())
    VAR.mkdir(parents=True, exist_ok=True)
    log = (VAR / f"api_load_gunicorn_{DATABASE}.log").open("wb")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "agency.wsgi:application",
         "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - loopback
                break
        except urllib.error.HTTPError:
            break  # it answers (a 503 for a missing broker is still an answer)
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {log.name}") from None
            time.sleep(0.2)
    return server, url


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return os.environ["DATABASE_URL"]


def wrk(url: str, script: str, clients: int, answers: int, *args: str) -> dict[str, float]:
    """wrk's figures of `answers` answers (a share per wrk thread) to `clients` connections.
    wrk runs for a duration: once every thread has had its share (each prints
    BENCH_THREAD_DONE), it is interrupted and reports (`done` in loadgen/common.lua)."""
    threads = min(WRK_THREADS, clients)
    per_thread = -(-answers // threads)
    command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", "1800s", "--timeout", "30s",
               "-s", str(LOADGEN / script), url, "--", str(per_thread), *args]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    output, done = [], 0
    for line in process.stdout:
        output.append(line)
        if line.startswith("BENCH_ERROR"):
            print(f"    first error answer of a wrk thread: {line[12:].strip()[:300]}")
        if line.startswith("BENCH_THREAD_DONE"):
            done += 1
            if done == threads:
                seconds = time.perf_counter() - start
                process.send_signal(signal.SIGINT)
                break
    rest, errors = process.communicate(timeout=60)
    output.append(rest)
    found = re.search(r"^BENCH_JSON (.*)$", "".join(output), re.MULTILINE)
    if done < threads or found is None:
        raise RuntimeError(f"wrk gave no figures: {''.join(output)}\n{errors}")
    out: dict[str, float] = json.loads(found.group(1))
    out["seconds"] = seconds
    return out


def report(figure: str, clients: int, result: dict[str, float], target_ms: float) -> bool:
    median = result["p50_us"] / 1000
    p95 = result["p95_us"] / 1000
    errors = int(sum(result[k] for k in ("connect", "read", "write", "status", "timeout")))
    rate = result["requests"] / result["seconds"]
    print(f"  {figure} × {clients:>2} clients: median {median:7.1f} ms, p95 {p95:7.1f} ms, "
          f"{int(result['requests'])} answers, {errors} errors, {rate:6.1f}/s "
          f"(target p95 < {target_ms:.0f} ms, no error)", flush=True)
    name = f"{figure}, {clients} clients"
    record(BENCH, f"{name}: median", round(median, 1), "ms", "-", True, database=DATABASE)
    record(BENCH, f"{name}: p95", round(p95, 1), "ms", f"< {target_ms:.0f} ms",
           p95 < target_ms, database=DATABASE)
    record(BENCH, f"{name}: errors", errors, "", "0", errors == 0, database=DATABASE)
    return p95 < target_ms and errors == 0


def main() -> int:
    if shutil.which("wrk") is None:
        sys.exit("bench_api_load: needs wrk (bash scripts/bootstrap.sh test installs it)")
    print(f"bench_api_load: {PERSONS:,} persons, gunicorn {WORKERS} workers × {THREADS} "
          f"threads, wrk at "
          f"{'/'.join(map(str, CONCURRENCY))} clients on {connection.vendor} "
          f"({settings.DATABASES['default']['NAME']})", flush=True)
    _client, key = setup()
    pages = -(-PERSONS // 50)
    bodies = order_bodies([ORDER_REQUESTS + clients + WRK_THREADS for clients in CONCURRENCY])
    connection.close()
    server, url = serve()
    ok = True
    try:
        # warm both workers (imports, URL map, first connection) before any timing
        wrk(url, "list.lua", WORKERS * 2, WORKERS * 4, str(pages), key)
        for clients in CONCURRENCY:
            result = wrk(url, "list.lua", clients, LIST_REQUESTS, str(pages), key)
            ok &= report("GET persons/ (page of 50)", clients, result, TARGET_LIST_MS)
        run_id = f"bench{int(time.time())}"
        for n, clients in enumerate(CONCURRENCY):
            result = wrk(url, "order.lua", clients, ORDER_REQUESTS, str(bodies[n]),
                         str(min(WRK_THREADS, clients)), key, f"{run_id}-{n}")
            ok &= report("POST orders/ (10 lines)", clients, result, TARGET_ORDER_MS)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"  {'MEETS' if ok else 'MISSES'} the targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
