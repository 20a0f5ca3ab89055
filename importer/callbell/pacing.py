"""Pacing: requests spaced to a rate, which settles just under the server's limit on the evidence of its 429s.
Used by importer.callbell.client; kept apart because it is pure timing (tests/callbell/test_pacing.py drives it on a
simulated clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque


class Pacer:
    """Paces requests to `rate` a second, and settles just under the server's limit on the evidence of its 429s.

    Why a limit is met even by evenly sent requests: latency jitter, pool scheduling and event-loop stalls move
    each request's arrival by a few ms, so against a strict rolling window at exactly its limit about every
    other request would find the window full. So the pacer keeps the window's count on the client side too, and
    lets each 429 move the rate only a little:

    - Requests pass one at a time, at slots 1/rate apart on a virtual clock (late wake-ups and stalls, up to
      CATCH_UP seconds of them, are made up at twice the rate instead of lowering it), and never more than
      `rate` in any rolling second of their actual send times: what a window limiter allows.
    - A 429 with Retry-After pauses every request that long; the rate stays.
    - A 429 without it cuts the rate by CUT (2%), and the window then holds the sending until the last second
      fits the new rate. 429s for requests sent before the last cut are the old rate's and cut nothing more,
      so a burst of them cuts once per round trip: an isolated 429 costs a 2% cut, while a rate far above the
      limit (many 429s in a row) falls geometrically and converges in a few dozen answers.
    - The rate grows back by RECOVERY (1%) a second up to `rate`: a 2% cut is made good in about 2 s, and a
      --rate above the limit probes it gently, about one 429 every few seconds.
    - A stop (the run is stopping) ends every wait: a request that has not had its turn does not go.

    aiolimiter paces well but cannot change its rate while running, which the 429 recovery needs.
    """

    CUT = 0.02
    RECOVERY = 0.01  # per second, compounding
    CATCH_UP = 0.25

    def __init__(self, rate: float, *, floor: float = 1.0) -> None:
        self.ceiling = rate
        self.rate = rate
        self.floor = min(floor, rate)
        self.paused_until = 0.0
        self._next = 0.0  # the next slot on the virtual clock
        self._earliest = 0.0  # and the earliest moment the next request may go
        self._sent: deque[float] = deque()  # send times during the last second
        self._cut_at = -math.inf
        self._grown_at: float | None = None
        self._gate = asyncio.Lock()  # one waiter at a time sleeps until its turn: no thundering herd

    async def wait(self, stop: asyncio.Event | None = None) -> float | None:
        """Wait for this request's turn; returns its send time, for too_many(). None when `stop` is set before the
        turn comes (or is set already): the request must not start, and no send was recorded for it."""
        loop = asyncio.get_running_loop()
        async with self._gate:
            while stop is None or not stop.is_set():
                if (delay := self.delay(loop.time())) <= 0:
                    return self.sent(loop.time())
                await rest(delay, stop)
            return None

    def delay(self, now: float) -> float:
        """Seconds until the next request may go (<= 0: now): its slot, any pause, and the rolling second."""
        self._grow(now)
        sent = self._sent
        while sent and sent[0] <= now - 1.0:
            sent.popleft()
        at = max(self._next, self._earliest, self.paused_until)
        cap = max(1, int(self.rate))
        if len(sent) >= cap:
            at = max(at, sent[len(sent) - cap] + 1.0)  # the cap-th last send must leave the window first
        return at - now

    def sent(self, now: float) -> float:
        """Record a request sent at `now` (after delay(now) <= 0)."""
        slot = max(self._next, now - self.CATCH_UP) if self._sent else now  # no catch-up after an idle second
        self._next = slot + 1.0 / self.rate
        # Behind the virtual clock, catch up at twice the rate at most: never a burst, which the window would
        # release as a burst again one second later.
        self._earliest = now + 0.5 / self.rate
        self._sent.append(now)
        return now

    def too_many(self, retry_after: float | None, sent_at: float, now: float | None = None) -> None:
        """A 429 answered the request sent at `sent_at`."""
        now = asyncio.get_running_loop().time() if now is None else now
        if retry_after is not None:
            # The server said when: everyone waits that long, the rate stays.
            self.paused_until = max(self.paused_until, now + retry_after)
            return
        if sent_at >= self._cut_at:  # evidence about the current rate, not about one already cut
            self._grow(now)
            self.rate = max(self.floor, self.rate * (1 - self.CUT))
            self._cut_at = now

    def _grow(self, now: float) -> None:
        if self._grown_at is not None and self.rate < self.ceiling:
            self.rate = min(self.ceiling, self.rate * (1 + self.RECOVERY * max(0.0, now - self._grown_at)))
        self._grown_at = now


async def rest(seconds: float, stop: asyncio.Event | None) -> None:
    """Sleep `seconds`, less when `stop` is set meanwhile (a signal: the run is stopping)."""
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):  # the time is up, not stopped
        async with asyncio.timeout(seconds):
            await stop.wait()


MAX_IN_FLIGHT = 400  # requests in flight at most, whatever the rate and the latency (sockets, memory)
SLOWEST_COVERED_S = 1.5  # answers this slow (at the tail) still keep the whole rate going


def max_in_flight(rate: float) -> int:
    """The most requests ever in flight at `rate`: enough for answers as slow as SLOWEST_COVERED_S."""
    return max(InFlight.FLOOR, min(MAX_IN_FLIGHT, math.ceil(rate * SLOWEST_COVERED_S)))


def in_flight_for(rate: float, latency: float, ceiling: int) -> int:
    """Little's law with room for the slow answers: rate x latency x HEADROOM, plus a few spare."""
    wanted = math.ceil(rate * max(latency, 0.001) * InFlight.HEADROOM) + InFlight.SPARE
    return max(InFlight.FLOOR, min(ceiling, wanted))


class InFlight:
    """How many requests may be in flight, following the answers' latency as measured during the run.

    Far from the API (150-400 ms from Latin America to Europe), a fixed number in flight caps the rate below the
    account's limit: at 250 ms, 48 in flight carry 192 requests/s at most. The pacer spaces the requests; this
    gate only makes sure enough of them can be out at once: rate x the recent slow answers' latency (the 90th
    percentile of the last WINDOW answers, so a slow tail is covered), x HEADROOM. It is sized from the pre-flight
    answer first, then resized every RESIZE_EVERY answers. Connections are opened only for requests actually in
    flight, and spread over small httpx pools (importer.callbell.client), so a high limit costs nothing idle.
    """

    FLOOR = 4
    SPARE = 4
    HEADROOM = 1.3
    WINDOW = 200
    RESIZE_EVERY = 25

    def __init__(self, rate: float, latency: float, ceiling: int) -> None:
        self.ceiling = max(self.FLOOR, ceiling)
        self.limit = in_flight_for(rate, latency, self.ceiling)
        self.busy = 0
        self.peak = 0
        self._answers: deque[float] = deque(maxlen=self.WINDOW)
        self._since_resize = 0
        # First come, first served; a slot is handed to a waiter when freed (asyncio.Semaphore's size is fixed).
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self.busy < self.limit and not self._waiters:
            self._take()
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot, then cancelled before using it
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        self.busy -= 1
        self._hand_over()

    def answered(self, seconds: float, rate: float) -> None:
        """An answer came `seconds` after its request; `rate` is the pacer's current rate."""
        self._answers.append(seconds)
        self._since_resize += 1
        if self._since_resize >= self.RESIZE_EVERY:
            self._since_resize = 0
            ordered = sorted(self._answers)
            slow = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
            self.limit = in_flight_for(rate, slow, self.ceiling)
            self._hand_over()  # a larger limit lets waiters go now; a smaller one holds the next ones back

    def _take(self) -> None:
        self.busy += 1
        self.peak = max(self.peak, self.busy)

    def _hand_over(self) -> None:
        while self._waiters and self.busy < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._take()
                waiter.set_result(None)
