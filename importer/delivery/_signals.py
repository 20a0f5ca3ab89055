"""The stop signals while a delivery loop runs: private to importer.delivery (send, missing, undo)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from typing import Any, Protocol

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # SIGHUP: the terminal was closed


@contextlib.contextmanager
def on_stop_signals(on_signal: Callable[..., None], *args: Any) -> Iterator[None]:
    """While inside, SIGINT, SIGTERM and SIGHUP call `on_signal(*args, signum)` on the running loop. After, each has
    the handler it had before: asyncio's remove_signal_handler leaves the default action, which would let a later
    SIGTERM kill the run outright while it writes its results. Outside the main thread (library use): no handler."""
    loop = asyncio.get_running_loop()
    handled: dict[int, Any] = {}
    for signum in STOP_SIGNALS:
        previous = signal.getsignal(signum)
        try:
            loop.add_signal_handler(signum, on_signal, *args, signum)
        except (RuntimeError, ValueError, NotImplementedError):
            continue
        handled[signum] = previous
    try:
        yield
    finally:
        for signum, previous in handled.items():
            loop.remove_signal_handler(signum)
            if previous is not None:
                signal.signal(signum, previous)


class _Told(Protocol):
    signal: int | None


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event, report: _Told) -> Iterator[None]:
    """While inside, a stop signal sets `stop` (the client is given it: no request starts after it) and is noted in
    `report.signal`; what is in flight finishes and is recorded."""

    def on_signal(signum: int) -> None:
        report.signal = signum
        stop.set()

    with on_stop_signals(on_signal):
        yield
