"""Benchmark: a client's HR system uploads a 10,000-line roster through
`POST /api/v1/orders/import/`, timed over real HTTP until the order is imported.

    make bench                          (a throwaway PostgreSQL and Redis; then again on an
                                         SQLite file, the `make run` default: ALSO_SQLITE)
    BENCH_ROWS=2000 .venv/bin/python bench/bench_order_import.py

On the database of DATABASE_URL (PostgreSQL, or an SQLite file; unset: a throwaway SQLite
file, never the project's db.sqlite3) it starts a real server process (gunicorn, one worker,
on a loopback port) and a Celery worker (an import over ORDER_IMPORT_SYNC_MAX_LINES lines is
answered 202 and finished by the worker; CELERY_BROKER_URL from the environment), creates
the client, its contract and an API key outside the timing, uploads one small file to warm
the server, then times BENCH_RUNS uploads of BENCH_ROWS new hires each (a new file and new
persons every run): from sending the request to the 201, or to the poll of
`GET /api/v1/orders/{id}/` that shows the order no longer `processing`. The best run counts;
the ratio pairs each upload with openpyxl's read of its file just before it (on a shared
machine the load changes between the two).

Printed next to it: openpyxl's bare read-only read of the same file (the target's unit) and
python-calamine's bare read (what the import reads with). Target (issue 18): the whole
upload within 1.5x openpyxl's bare read, on both databases. Rows are recorded for the table
of `make bench` (bench/_report.py)."""

import datetime
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import record  # noqa: E402
from enrollment.persons.id_numbers import id_check_char  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
ALSO_SQLITE = True  # scripts/bench.sh runs it again on an SQLite file
TARGET_RATIO = 1.5
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
STARTUP_SECONDS = 180
IMPORT_TIMEOUT = 900
COUNTIES = ("310115", "310104", "110108", "440305", "330106", "510107")
HEADER = ["增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期",
          "是否缴纳公积金", "手机号"]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def person(n: int) -> tuple[str, str]:
    """The n-th bench person: a name and a valid ID number, unique for n below 10 million
    (the birth day cycles every 12,000 days, the sequence every 899, coprime)."""
    county = COUNTIES[n % len(COUNTIES)]
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=(n * 397) % 12000)
    first17 = f"{county}{birth:%Y%m%d}{100 + n % 899:03d}"
    name = SURNAMES[n % len(SURNAMES)] + GIVEN[n * 7 % len(GIVEN)] + GIVEN[n * 13 % len(GIVEN)]
    return name, first17 + id_check_char(first17)


def roster(rows: int, effective: str, first: int) -> bytes:
    """A roster of `rows` new hires numbered from `first` (new numbers, new persons), in a
    client's own layout: a title row, then the header."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("增减员")
    ws.append(["增减员表"])
    ws.append(HEADER)
    for n in range(first, first + rows):
        name, id_number = person(n)
        ws.append(["增员", name, id_number, "城镇本地", "上海" if n % 2 else "北京市",
                   f"{6000 + n % 9000:,}.00", effective, "是" if n % 3 else "否",
                   f"139{n % 10**8:08d}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def openpyxl_read(data: bytes) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    seconds = time.perf_counter() - start
    assert count == ROWS + 2, count
    return seconds


def calamine_read(data: bytes) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    count = len(book.get_sheet_by_name(book.sheet_names[0]).to_python())
    book.close()
    seconds = time.perf_counter() - start
    assert count == ROWS + 2, count
    return seconds


# --- run inside the server's environment (a subprocess): the client, its contract, a key ---


def setup_client() -> None:
    """Migrate, then the bench client with a contract in Shanghai and Beijing and a new API
    key; prints {"key", "first", "effective"} as JSON on the last line."""
    from decimal import Decimal

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from agency.deadlines import add_months
    from agency.models import User
    from clients.models import Client, Contract, ContractPrice
    from clients.services import api_key_issue
    from enrollment.models import InsuredPerson
    from policies.models import City

    call_command("migrate", verbosity=0)
    cities = [City.objects.get_or_create(code=code, defaults={"name": name})[0]
              for code, name in (("310000", "上海市"), ("110000", "北京市"))]
    client, _ = Client.objects.get_or_create(uscc="91310115MA1K4ABC00",
                                             defaults={"name": "基准测试有限公司"})
    client.licence_verified_at = timezone.now()
    client.save()
    contract, _ = Contract.objects.get_or_create(
        client=client, number="BENCH-1",
        defaults={"starts_on": datetime.date(2020, 1, 1), "ends_on": datetime.date(2035, 12, 31),
                  "status": Contract.Status.ACTIVE, "housing_fund_rate": Decimal("0.07")})
    for city in cities:
        ContractPrice.objects.get_or_create(contract=contract, city=city,
                                            defaults={"price_per_head": Decimal("80.00")})
    actor = User.objects.filter(username="bench-admin").first() or User.objects.create_user(
        username="bench-admin", password=uuid.uuid4().hex, is_staff=True)
    _, key = api_key_issue(client=client, name=f"bench {uuid.uuid4().hex[:8]}", actor=actor)
    # numbers no earlier run used
    first = 1_000_000 + InsuredPerson.objects.count()
    effective = add_months(timezone.localdate().replace(day=1), 1).isoformat()
    print(json.dumps({"key": key, "first": first, "effective": effective}))


# --- the timed part: a server process, HTTP, a worker ------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own process group, stopped (the group) on the way out."""
    with open(log, "wb") as out:
        child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        try:
            yield child
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()


def multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"{filename}\"\r\nContent-Type: application/vnd.openxmlformats-"
        f"officedocument.spreadsheetml.sheet\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Api:
    def __init__(self, port: int, key: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        # the server runs as in production behind a TLS proxy (no redirect to https)
        self.headers = {"Authorization": f"Token {key}", "X-Forwarded-Proto": "https"}

    def call(self, method: str, path: str, body: bytes | None = None,
             content_type: str = "") -> tuple[int, dict[str, object]]:
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, data=body,  # noqa: S310
                                         method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=IMPORT_TIMEOUT) as reply:  # noqa: S310
                return reply.status, json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def wait_until_up(self, server: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                sys.exit(f"bench: the server stopped; see {log}")
            try:
                request = urllib.request.Request(self.base + "/healthz",  # noqa: S310
                                                 headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(request, timeout=5):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # it answers (a 503 names a service down, not the server)
            except OSError:
                time.sleep(0.5)
        sys.exit(f"bench: the server did not answer within {STARTUP_SECONDS} s; see {log}")

    def upload(self, data: bytes) -> tuple[float, int, dict[str, object]]:
        """Seconds from sending the file to the order imported, the first status, the order."""
        body, content_type = multipart(data, "roster.xlsx")
        start = time.perf_counter()
        status, order = self.call("POST", "/api/v1/orders/import/", body, content_type)
        if status == 202:
            while order.get("status") == "processing":
                if time.perf_counter() - start > IMPORT_TIMEOUT:
                    sys.exit(f"bench: order {order.get('id')} still processing")
                time.sleep(0.05)
                _, order = self.call("GET", f"/api/v1/orders/{order['id']}/")
        seconds = time.perf_counter() - start
        if status not in (201, 202) or order.get("error") or order.get("status") == "rejected":
            sys.exit(f"bench: the import failed ({status}): {json.dumps(order)[:2000]}")
        return seconds, status, order


def database_env(workdir: Path) -> tuple[str, dict[str, str]]:
    """The database's name and the environment of the server, the worker and the set-up."""
    env = dict(os.environ)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        name = "postgresql"
    elif url.startswith("sqlite:"):
        name = "sqlite"
    elif not url:
        name = "sqlite"
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        sys.exit(f"bench: DATABASE_URL is neither PostgreSQL nor SQLite: {url.split(':')[0]}")
    env.update({
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "agency.settings",
        "DJANGO_DEBUG": "false",  # as in production
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        # the bench checks more lines in an hour than a client may
        "ORDER_VALIDATION_LINES_PER_HOUR": "100000000",
        "MEDIA_ROOT": str(workdir / "media"),
    })
    return name, env


def bench_database(read_seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    done = False
    try:
        name, env = database_env(workdir)
        setup = subprocess.run([PYTHON, __file__, "--setup"], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=False)
        if setup.returncode != 0:
            sys.exit(f"bench: setup failed on {name}:\n{setup.stderr[-3000:]}")
        given = json.loads(setup.stdout.strip().splitlines()[-1])
        port = free_port()
        server_log, worker_log = workdir / "server.log", workdir / "worker.log"
        server_args = [str(VENV_BIN / "gunicorn"), "agency.wsgi", "-b", f"127.0.0.1:{port}",
                       "-w", "1", "--timeout", str(IMPORT_TIMEOUT)]
        worker_args = [str(VENV_BIN / "celery"), "-A", "agency", "worker", "--pool=solo",
                       "--concurrency=1", "--loglevel=WARNING"]
        with process(server_args, env, server_log) as server, \
                process(worker_args, env, worker_log):
            api = Api(port, given["key"])
            api.wait_until_up(server, server_log)
            first = int(given["first"])
            api.upload(roster(10, given["effective"], first))  # warm the server (not timed)
            first += 10
            timings, reads, statuses, order = [], [], set(), {}
            for _ in range(RUNS):
                data = roster(ROWS, given["effective"], first)
                first += ROWS
                # the floor read next to each upload: a shared machine's load changes
                reads.append(openpyxl_read(data))
                seconds, status, order = api.upload(data)
                timings.append(seconds)
                statuses.add(status)
        best = min(timings)
        ratio = min(t / r for t, r in zip(timings, reads, strict=True))
        read_seconds = min(read_seconds, *reads)
        counts = order.get("line_counts") or {"total": len(order.get("lines") or [])}
        print(f"  {name:10s} upload -> {'/'.join(map(str, sorted(statuses)))} "
              f"{best:8.2f} s   {ratio:5.2f}x openpyxl's read (target <= {TARGET_RATIO}x)   "
              f"runs {', '.join(f'{t:.2f}' for t in timings)} s, openpyxl reads beside them "
              f"{', '.join(f'{r:.2f}' for r in reads)} s   lines {counts}")
        record("order import", f"{ROWS:,}-line upload → 201 (HTTP)", round(best, 2), "s",
               f"<= {TARGET_RATIO}x openpyxl read ({TARGET_RATIO * read_seconds:.2f} s)",
               ratio <= TARGET_RATIO, database=name)
        done = True
    finally:
        if done:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"  (logs kept in {workdir})")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    sample = roster(ROWS, "2027-01-01", 9_000_000)
    read = min(openpyxl_read(sample) for _ in range(RUNS))
    fast = min(calamine_read(sample) for _ in range(RUNS))
    print(f"bench_order_import: {ROWS:,} lines, best of {RUNS}, over HTTP (gunicorn, 1 worker)")
    print(f"  openpyxl bare read   {read:8.2f} s   (the target's unit)")
    print(f"  calamine bare read   {fast:8.2f} s   ({read / fast:.0f}x faster; the import reads "
          "with it)")
    database = "sqlite" if os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite") else (
        "postgresql")
    record("order import", f"openpyxl bare read, {ROWS:,} lines", round(read, 2), "s", "-", True,
           database=database)
    record("order import", f"calamine bare read, {ROWS:,} lines", round(fast, 2), "s", "-", True,
           database=database)
    bench_database(read)

if __name__ == "__main__":
    if sys.argv[1:] == ["--setup"]:
        setup_client()
    else:
        main()
