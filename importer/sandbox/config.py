"""The sandbox's knobs: one validated SandboxConfig per server."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


class SandboxConfigError(ValueError):
    """A knob has an impossible value, or the host is not allowed."""


def new_token() -> str:
    return "sbx_" + secrets.token_urlsafe(24)


@dataclass
class SandboxConfig:
    account_file: Path
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = field(default_factory=new_token)
    rate_limit: float = 300.0  # requests per second over all /v1 requests; 0 turns it off
    burst: float | None = None  # bucket size; None = rate_limit
    limiter: Literal["bucket", "window"] = "bucket"  # token bucket, or a strict rolling one-second window
    retry_after: int | None = None  # seconds for a Retry-After header on 429; None = no header (as documented)
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0  # each /v1 response waits latency_ms + uniform(0, jitter) ms
    fail_rate: float = 0.0
    drop_after_commit: float = 0.0
    # A random default seed, but always a concrete one, so the start-up line can print it for a replay.
    seed: int = field(default_factory=lambda: secrets.randbits(32))
    on_duplicate: Literal["reject", "create"] = "reject"
    read_lag_ms: float = 0.0  # look-ups, listings and GET by uuid see a contact only this long after its creation
    page_size: int = 50
    db: Path | None = None
    ready_file: Path | None = None
    access_log: bool = False
    allow_remote: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not self.token:
            problems.append("the token must not be empty")
        if self.rate_limit < 0:
            problems.append("--rate-limit must be >= 0")
        if self.burst is not None and self.burst < 1:
            problems.append("--burst must be >= 1")
        if self.limiter not in ("bucket", "window") or (self.limiter == "window" and self.burst is not None):
            problems.append("--limiter must be bucket or window (--burst applies to bucket only)")
        if self.retry_after is not None and self.retry_after < 0:
            problems.append("--retry-after must be >= 0")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            problems.append("--latency-ms and --latency-jitter-ms must be >= 0")
        for name, p in (("--fail-rate", self.fail_rate), ("--drop-after-commit", self.drop_after_commit)):
            if not 0 <= p <= 1:
                problems.append(f"{name} must be between 0 and 1")
        if self.read_lag_ms < 0:
            problems.append("--read-lag-ms must be >= 0")
        if self.on_duplicate not in ("reject", "create"):
            problems.append("--on-duplicate must be reject or create")
        if self.page_size < 1:
            problems.append("--page-size must be >= 1")
        if not 0 <= self.port <= 65535:
            problems.append("--port must be between 0 and 65535")
        if problems:
            raise SandboxConfigError("; ".join(problems))

    def knobs(self) -> str:
        """One line describing the active knobs (never the token)."""
        limiter = "window=1s" if self.limiter == "window" else f"burst={self.effective_burst:g}"
        parts = [f"rate-limit={self.rate_limit:g}/s {limiter}" if self.rate_limit else "rate-limit=off"]
        if self.retry_after is not None:
            parts.append(f"retry-after={self.retry_after}s")
        if self.latency_ms or self.latency_jitter_ms:
            parts.append(f"latency={self.latency_ms:g}ms+{self.latency_jitter_ms:g}ms jitter")
        if self.fail_rate:
            parts.append(f"fail-rate={self.fail_rate:g}")
        if self.drop_after_commit:
            parts.append(f"drop-after-commit={self.drop_after_commit:g}")
        if self.read_lag_ms:
            parts.append(f"read-lag={self.read_lag_ms:g}ms")
        parts += [
            f"on-duplicate={self.on_duplicate}",
            f"page-size={self.page_size}",
            f"db={self.db or ':memory:'}",
            f"seed={self.seed}",
        ]
        return "knobs: " + ", ".join(parts)

    @property
    def effective_burst(self) -> float:
        return self.burst if self.burst is not None else max(self.rate_limit, 1.0)
