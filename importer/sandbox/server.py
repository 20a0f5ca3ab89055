"""Run the sandbox with uvicorn on a socket we bind ourselves (so --port 0 works and the real port is known)."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from importer.account.model import load_account
from importer.callbell.transport import is_loopback
from importer.sandbox.app import build_app
from importer.sandbox.config import SandboxConfig, SandboxConfigError
from importer.sandbox.middleware import DropLogFilter
from importer.sandbox.state import SandboxState


def check_host(config: SandboxConfig) -> None:
    if not config.allow_remote and not is_loopback(config.host):
        raise SandboxConfigError(
            f"refusing to listen on non-loopback host {config.host!r}: the sandbox has no real security "
            "(pass --allow-remote to do it anyway)"
        )


def bind_socket(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise SandboxConfigError(f"cannot listen on {host}:{port} ({exc})") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise SandboxConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.setblocking(False)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    # A wildcard address (only with --allow-remote) is not something a client can connect to.
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


def write_ready_file(path: Path, url: str, token: str) -> None:
    # Write then rename, so a script polling for the file never reads half of it.
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps({"base_url": url, "token": token, "pid": os.getpid()}) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise SandboxConfigError(f"{path}: cannot write the ready file ({exc.strerror or exc})") from None


def remove_ready_file(path: Path | None) -> None:
    # A ready file left by an earlier (or this, now stopped) server would point scripts at a dead port.
    if path is not None:
        path.unlink(missing_ok=True)


class _Server(uvicorn.Server):
    """uvicorn.Server that reports when it is actually accepting connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_started()


@contextmanager
def _quiet_signal_replay() -> Iterator[None]:
    """uvicorn re-raises the SIGTERM/SIGINT it handled once it has shut down, which would kill the process
    (or raise KeyboardInterrupt) after a clean stop; a no-op handler underneath turns that into exit 0."""
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(config: SandboxConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM/SIGINT. Raises SandboxConfigError, AccountFileError or StoreError before starting.

    ``on_ready(base_url)`` runs once the socket accepts connections (after the --ready-file is written).
    """
    check_host(config)
    remove_ready_file(config.ready_file)
    account = load_account(config.account_file)
    app = build_app(config, account)
    state: SandboxState = app.state.sandbox
    try:
        sock = bind_socket(config.host, config.port)
    except BaseException:
        state.store.close()
        raise
    url = base_url(sock)

    def started() -> None:
        if config.ready_file is not None:
            write_ready_file(config.ready_file, url, config.token)
        if on_ready is not None:
            on_ready(url)

    uv_config = uvicorn.Config(
        app,
        loop="auto",  # uvloop when installed
        http="auto",  # httptools when installed
        lifespan="off",  # nothing to start or stop inside the app
        log_level="warning",
        access_log=config.access_log,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    # After uvicorn.Config, which (re)configures the uvicorn loggers.
    if config.access_log:
        # log_level=warning would otherwise hide the access lines, which uvicorn logs at INFO.
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    error_logger = logging.getLogger("uvicorn.error")
    drop_filter = DropLogFilter(state)
    error_logger.addFilter(drop_filter)
    try:
        with _quiet_signal_replay():
            _Server(uv_config, started).run(sockets=[sock])
    finally:
        error_logger.removeFilter(drop_filter)
        sock.close()
        state.store.close()
        remove_ready_file(config.ready_file)
