"""Pacing: requests spaced to a rate, which settles just under the server's limit on the evidence of its 429s.
Used by importer.callbell.client; kept apart because it is pure timing (tests/callbell/test_pacing.py drives it on a
simulated clock).
"""

from __future__ import annotations

import asyncio
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

    async def wait(self) -> float:
        """Wait for this request's turn; returns its send time, for too_many()."""
        loop = asyncio.get_running_loop()
        async with self._gate:
            while (delay := self.delay(loop.time())) > 0:
                await asyncio.sleep(delay)
            return self.sent(loop.time())

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


def auto_concurrency(rate: float, latency: float) -> int:
    """Enough requests in flight that latency does not cap the rate (Little's law, with room for slow answers),
    and no more: httpx checks every pooled connection on each request, so idle connections cost CPU."""
    return max(4, min(48, math.ceil(rate * max(latency, 0.01) * 1.5)))
