"""Everything the sandbox mutates while it runs: the store, the counters, the rate-limit bucket, the rng."""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from importer.account import Account
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
class SandboxState:
    """Everything mutable lives here, one instance per app."""

    config: SandboxConfig
    account: Account
    rules: Rules
    store: ContactStore
    rng: random.Random
    bucket: TokenBucket
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
            bucket=TokenBucket(rate=config.rate_limit, capacity=config.effective_burst),
        )

    def reset(self) -> None:
        """POST /_sandbox/reset: no contacts, zeroed counters, a full bucket (the rng and config stay)."""
        self.store.clear()
        self.replica.clear()
        self.counters = Counters()
        self.bucket.refill()
