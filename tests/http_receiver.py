"""A real HTTP server on loopback that records what it receives (webhook tests)."""

import http.server
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"


@dataclass
class Receiver:
    url: str
    requests: "queue.Queue[Received]"
    statuses: list[int] = field(default_factory=list)  # answers to give, then 200
    headers: dict[str, str] = field(default_factory=dict)  # sent with every answer
    # called in the server's thread before it answers (what happens during a delivery)
    on_request: Callable[[Received], None] | None = None


def start_receiver() -> tuple[Receiver, http.server.ThreadingHTTPServer]:
    received: queue.Queue[Received] = queue.Queue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            got = Received(self.path, dict(self.headers.items()), body, self.command)
            received.put(got)
            if receiver.on_request is not None:
                receiver.on_request(got)
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = _answer
        do_GET = _answer

        def log_message(self, *args):
            """Keep the test output quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    receiver = Receiver(f"http://127.0.0.1:{port}/hooks/sbportal", received)
    return receiver, server
