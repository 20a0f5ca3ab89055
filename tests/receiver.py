"""A local HTTP receiver for the notification tests (webhooks, pings): a real server on a free 127.0.0.1 port, in a
thread, recording each request (method, path with query, headers, body) and answering the status it is told to.
A request can be held unanswered (the run waits on it) until the test releases it.
`refused_url()` names a port nobody listens on."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from http_files import QuietHTTPServer


@dataclass(frozen=True)
class Received:
    method: str
    path: str  # with the query
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Receiver:
    """Use as a context manager; `url` is http://127.0.0.1:PORT, `status` what every request is answered."""

    def __init__(self, status: int = 200, hold: str | None = None) -> None:
        self.status = status
        self.requests: list[Received] = []
        # A request whose path holds `hold` waits for `release` before it is answered; `held` is set meanwhile.
        self.hold, self.held, self.release = hold, threading.Event(), threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with receiver._lock:
                    receiver.requests.append(Received(self.command, self.path, dict(self.headers.items()), body))
                if receiver.hold is not None and receiver.hold in self.path:
                    receiver.held.set()
                    receiver.release.wait(timeout=60)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the client gave up on a held request
                    pass

            do_GET = do_POST = do_HEAD = _record

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def refused_url() -> str:
    """http://127.0.0.1:PORT where the port was free a moment ago: a connection there is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
