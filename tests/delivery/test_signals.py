"""importer/delivery/_signals.py: a delivery loop's stop signals, and the handlers they get back after it."""

from __future__ import annotations

import asyncio
import os
import signal
from types import FrameType, SimpleNamespace

from importer.delivery._signals import STOP_SIGNALS, stop_on_signals


def test_a_stop_signal_sets_the_stop_and_the_handlers_come_back_after() -> None:
    # After the sending, the run writes its results: a SIGTERM then must meet the command's handler (a clean stop,
    # exit 143), not the default action asyncio leaves behind (the process killed outright).
    def mine(signum: int, frame: FrameType | None) -> None: ...

    before = {signum: signal.signal(signum, mine) for signum in STOP_SIGNALS}
    try:

        async def deliver() -> int | None:
            stop, report = asyncio.Event(), SimpleNamespace(signal=None)
            with stop_on_signals(stop, report):
                os.kill(os.getpid(), signal.SIGTERM)
                await asyncio.wait_for(stop.wait(), 10)
            return report.signal

        assert asyncio.run(deliver()) == signal.SIGTERM
        assert [signal.getsignal(signum) for signum in STOP_SIGNALS] == [mine] * len(STOP_SIGNALS)
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
