"""Everything the sandbox mutates while it runs: the store, the counters, the rate limiter, the rng."""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from importer.account.model import Account
from importer.sandbox.config import SandboxConfig
from importer.sandbox.replica import Replica
from importer.sandbox.rules import Rules
from importer.sandbox.store import ContactStore

PATCHES_KEPT = 100


@dataclass
class Counters:
    requests: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    faults: int = 0  # --fail-rate answers (nothing was done)
    dropped: int = 0  # --drop-after-commit: committed writes whose answer was a 502 or a cut connection
    deleted: int = 0  # contacts destroyed by DELETE /contacts/:uuid
    by_method: dict[str, int] = field(default_factory=dict)  # API requests per HTTP method
    # The last PATCH bodies that changed a contact, for tests of what an update sends (GET /_sandbox/patches).
    patches: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=PATCHES_KEPT))

    def as_json(self, contacts: int) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_status": dict(sorted(self.by_status.items())),
            "rate_limited": self.rate_limited,
            "faults": self.faults,
            "dropped": self.dropped,
            "deleted": self.deleted,
            "by_method": dict(sorted(self.by_method.items())),
            "contacts": contacts,
        }


@dataclass
class TokenBucket:
    rate: float  # tokens per second; 0 = unlimited
    capacity: float
    tokens: float = 0.0
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity  # start full: a client may burst right away, as after any idle period

    def take(self) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def refill(self) -> None:
        self.tokens, self.updated = self.capacity, time.monotonic()


@dataclass
class SlidingWindow:
    """A strict rolling one-second window: at most `rate` requests accepted in any second, no burst allowance.

    Keeps the times of the requests it accepted during the last second (refused ones do not count, so a client
    above the limit still gets its share as the window slides).
    """

    rate: float  # requests per second; 0 = unlimited
    accepted: deque[float] = field(default_factory=deque)

    def take(self, now: float | None = None) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic() if now is None else now
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= max(1, int(self.rate)):
            return False
        self.accepted.append(now)
        return True

    def refill(self) -> None:
        self.accepted.clear()


def make_limiter(config: SandboxConfig) -> TokenBucket | SlidingWindow:
    if config.limiter == "window":
        return SlidingWindow(rate=config.rate_limit)
    return TokenBucket(rate=config.rate_limit, capacity=config.effective_burst)


@dataclass
class SandboxState:
    """Everything mutable lives here, one instance per app."""

    config: SandboxConfig
    account: Account
    rules: Rules
    store: ContactStore
    rng: random.Random
    limiter: TokenBucket | SlidingWindow
    counters: Counters = field(default_factory=Counters)
    # > 0 while uvicorn is about to log a connection we cut on purpose (see middleware.DropLogFilter).
    pending_drop_logs: int = 0
    replica: Replica = field(default_factory=lambda: Replica(0.0))  # --read-lag-ms: what reads see

    @classmethod
    def create(cls, config: SandboxConfig, account: Account, store: ContactStore | None = None) -> SandboxState:
        return cls(
            config=config,
            account=account,
            replica=Replica(config.read_lag_ms / 1000),
            rules=Rules(account),
            store=store if store is not None else ContactStore(config.db or ":memory:"),
            rng=random.Random(config.seed),
            limiter=make_limiter(config),
        )

    def reset(self) -> None:
        """POST /_sandbox/reset: no contacts, zeroed counters, a fresh limiter (the rng and config stay)."""
        self.store.clear()
        self.replica.clear()
        self.counters = Counters()
        self.limiter.refill()
