"""The Pacer's decisions, driven on a simulated clock: how it spaces requests and how it answers 429s.

The HTTP behaviour (retries, pauses, a storm weathered end to end) is tested in test_delivery.py against the
sandbox; here a seeded loop plays the event loop's late wake-ups and stalls and, where a server is needed, the
sandbox's own strict window limiter decides each request at its send time plus a little network jitter.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from importer.callbell.pacing import Pacer, auto_concurrency
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


def test_auto_concurrency_covers_the_latency_within_bounds() -> None:
    # Little's law: at 300/s with 50 ms answers, 15 requests are in flight on average; more room, not less.
    assert 15 <= auto_concurrency(300, 0.05) <= 48
    assert auto_concurrency(300, 0.05) <= auto_concurrency(300, 0.1) <= auto_concurrency(600, 0.1)
    assert 1 <= auto_concurrency(10, 0.001) <= auto_concurrency(1000, 5.0) <= 64  # bounded both ways
