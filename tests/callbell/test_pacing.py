"""The Pacer's decisions, driven on a simulated clock: how it spaces requests and how it answers 429s.

The HTTP behaviour (retries, pauses, a storm weathered end to end) is tested in test_delivery.py against the
sandbox; here a seeded loop plays the event loop's late wake-ups and stalls and, where a server is needed, the
sandbox's own strict window limiter decides each request at its send time plus a little network jitter.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from importer.callbell.pacing import MAX_IN_FLIGHT, InFlight, Pacer, in_flight_for, max_in_flight
from importer.sandbox.state import SlidingWindow


def drive(
    pacer: Pacer, until: float, *, start: float = 0.0, seed: int = 7, server: Callable[[float], bool] | None = None
) -> tuple[list[float], list[float]]:
    """Send as fast as the pacer lets one request at a time go, from `start` to `until` in simulated time.

    Each wake-up is late by up to 1 ms, and one in a hundred by a 10-60 ms stall (a busy event loop). Returns the
    send times and the times of the 429s `server` answered (a request arrives 0.2-4 ms after it is sent).
    """
    rng = random.Random(seed)
    now, sent, refused = start, [], []
    while now < until:
        delay = pacer.delay(now)
        if delay > 0:
            now += delay + rng.uniform(0, 0.001) + (rng.uniform(0.01, 0.06) if rng.random() < 0.01 else 0.0)
            continue
        sent_at = pacer.sent(now)
        sent.append(sent_at)
        arrival = now + rng.uniform(0.0002, 0.004)
        if server is not None and not server(arrival):
            refused.append(arrival)
            pacer.too_many(None, sent_at, now=now)  # 429s are answered at once
    return sent, refused


def most_in_any_second(times: list[float]) -> int:
    most, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_evenly_at_the_rate_never_more_in_any_second_and_late_wake_ups_made_up() -> None:
    sent, _ = drive(Pacer(300), 30)
    assert most_in_any_second(sent) <= 300
    assert len(sent) >= 0.97 * 300 * 30  # late wake-ups are made up, and most of the stalls
    assert min(b - a for a, b in zip(sent, sent[1:], strict=False)) >= 0.5 / 300  # catching up, never a burst


def test_no_burst_after_an_idle_second() -> None:
    pacer = Pacer(100)
    for t in (0.0, 0.01, 0.02):
        assert pacer.delay(t) <= 0
        pacer.sent(t)
    assert pacer.delay(5.0) <= 0
    pacer.sent(5.0)
    assert pacer.delay(5.0) > 0.009  # the next slot is 1/rate after the first send, not in the past


def test_an_isolated_429_costs_a_small_cut_made_good_in_seconds() -> None:
    pacer = Pacer(300)
    sent, _ = drive(pacer, 5)
    pacer.too_many(None, sent[-1], now=5.0)
    assert 0.97 * 300 <= pacer.rate < 300
    drive(pacer, 8, start=5.0)  # three more seconds
    assert pacer.rate == 300


def test_429s_for_requests_sent_before_the_cut_cut_nothing_more() -> None:
    pacer = Pacer(300)
    sent, _ = drive(pacer, 2)
    for sent_at in sent[-20:]:  # a whole round trip of them comes back after the first
        pacer.too_many(None, sent_at, now=2.0)
    assert 0.97 * 300 <= pacer.rate < 300


def test_retry_after_pauses_everyone_and_keeps_the_rate() -> None:
    pacer = Pacer(300)
    sent, _ = drive(pacer, 1)
    pacer.too_many(2.0, sent[-1], now=1.0)
    assert pacer.delay(1.0) >= 2.0 - 1e-9
    assert pacer.rate == 300


def test_against_a_strict_window_at_its_limit_and_far_above_it() -> None:
    for asked in (300, 600):
        window = SlidingWindow(rate=300)
        pacer = Pacer(asked)
        sent, refused = drive(pacer, 30, server=window.take)
        settled = [t for t in sent if t >= 5.0]
        accepted = len(settled) - sum(1 for t in refused if t >= 5.0)
        assert accepted >= 0.95 * 300 * (sent[-1] - 5.0), asked  # at least 95% of the allowed rate
        assert len(refused) < 0.01 * len(sent), asked  # and under 1% of requests answered 429
        assert pacer.rate < 305, asked  # converged just under the limit (probing it a little)


def test_in_flight_covers_the_latency_within_bounds() -> None:
    # Little's law: at 300/s with 50 ms answers, 15 requests are in flight on average; more room, not less.
    ceiling = max_in_flight(300)
    assert 15 <= in_flight_for(300, 0.05, ceiling) <= 48
    assert in_flight_for(300, 0.05, ceiling) <= in_flight_for(300, 0.1, ceiling) <= in_flight_for(600, 0.1, 900)
    # 250 ms away (Latin America to Europe), the whole 300/s needs 75 in flight, plus room for the slow ones.
    assert in_flight_for(300, 0.25, ceiling) >= 90 and in_flight_for(300, 0.4, ceiling) >= 150
    assert InFlight.FLOOR <= in_flight_for(10, 0.001, max_in_flight(10)) <= in_flight_for(1000, 5.0, 400) == 400
    assert max_in_flight(300) >= 300 * 0.4 * 2 and max_in_flight(100_000) == MAX_IN_FLIGHT


def test_the_gate_follows_the_measured_latency_and_hands_slots_in_order() -> None:
    async def scenario() -> None:
        gate = InFlight(300, 0.02, ceiling=200)
        start = gate.limit
        assert start == in_flight_for(300, 0.02, 200)
        for _ in range(start):
            await gate.acquire()
        waiting = [asyncio.ensure_future(gate.acquire()) for _ in range(3)]
        await asyncio.sleep(0)
        assert not any(w.done() for w in waiting) and gate.busy == start
        for _ in range(InFlight.RESIZE_EVERY):  # the answers now take 300 ms: the limit grows at once
            gate.answered(0.3, 300)
        await asyncio.sleep(0)
        assert gate.limit == in_flight_for(300, 0.3, 200) > start + 3
        assert all(w.done() for w in waiting) and gate.busy == start + 3
        # Fast answers again: the limit shrinks; slots in use are kept, new ones wait until below the limit.
        for _ in range(InFlight.WINDOW):
            gate.answered(0.01, 300)
        assert gate.limit == in_flight_for(300, 0.01, 200)
        late = asyncio.ensure_future(gate.acquire())
        await asyncio.sleep(0)
        assert not late.done()
        for _ in range(gate.busy - gate.limit + 1):
            gate.release()
        await asyncio.sleep(0)
        assert late.done()
        # A waiter cancelled keeps no slot.
        blocked = asyncio.ensure_future(gate.acquire())
        await asyncio.sleep(0)
        busy = gate.busy
        blocked.cancel()
        await asyncio.sleep(0)
        gate.release()
        assert gate.busy == busy - 1 and gate.peak >= start + 3

    asyncio.run(scenario())
