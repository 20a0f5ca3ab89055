"""A real HTTP server on a free loopback port, serving what a test puts in it: files, redirects, errors, and an
answer held back until the server stops (a slow server, for timeouts). It records every request it gets."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # answer only once the server stops: slower than any timeout a test gives


class QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up before the whole body (the importer stops at the first problem) is normal. The
        # default prints a traceback to sys.stderr, which an in-process run (tests/inproc.py) captures as its own.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FileServer:
    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.requests: list[str] = []  # each request's path and query, in order
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                answer = owner.routes.get(urlsplit(self.path).path, Answer(404, b"not found\n"))
                if answer.hold:
                    owner.release.wait(60)
                self.send_response(answer.status)
                for name, value in {"Content-Length": str(len(answer.body)), **answer.headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: object) -> None:  # quiet: pytest shows stderr of failures
                pass

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll: shutdown() waits for it, at every test's teardown.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes, content_type: str = "text/csv", status: int = 200) -> str:
        self.routes[path] = Answer(status, body, {"Content-Type": content_type})
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = Answer(status, b"", {"Location": location})
        return self.url(path)

    def hold(self, path: str, body: bytes = b"Name,Phone\n") -> str:
        self.routes[path] = Answer(200, body, {"Content-Type": "text/csv"}, hold=True)
        return self.url(path)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def file_server() -> Iterator[FileServer]:
    server = FileServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.stop()
