"""A real HTTP server on loopback that records what it receives (webhook tests)."""

import http.server
import queue
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: "queue.Queue[Received]"
    statuses: list[int] = field(default_factory=list)  # answers to give, then 200


def start_receiver() -> tuple[Receiver, http.server.ThreadingHTTPServer]:
    received: queue.Queue[Received] = queue.Queue()
    statuses: list[int] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            received.put(Received(self.path, dict(self.headers.items()), body))
            status = statuses.pop(0) if statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            """Keep the test output quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    return Receiver(f"http://127.0.0.1:{port}/hooks/sbportal", received, statuses), server
