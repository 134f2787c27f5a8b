"""Fault tests stop real parts: a Redis of their own that a test can kill and start again."""

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnRedis:
    """A redis-server on a loopback port, as the broker of the Celery app and the settings
    (what /healthz checks), for one test; `stop()` and `start()` take it away and back."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def queued(self) -> int:
        """Messages waiting in the default queue."""
        import redis

        return int(redis.Redis.from_url(self.url).llen("celery"))


@pytest.fixture
def own_redis(settings, tmp_path) -> Iterator[OwnRedis]:
    from agency.celery import app

    server = OwnRedis(tmp_path)
    server.start()
    saved = (app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url)
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = server.url
    settings.CELERY_BROKER_URL = server.url
    app._pool = None  # connections to the usual broker are not reused
    app.amqp._producer_pool = None
    try:
        yield server
    finally:
        server.stop()
        app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url = saved
        app._pool = None
        app.amqp._producer_pool = None
