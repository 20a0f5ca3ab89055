"""`--read-lag-ms`: reads that trail writes, as when an API answers reads from a replica or a search index.

A contact becomes visible to reads (look-up by phone, listing, GET by uuid) `lag` seconds after its creation,
in creation order, as a replica that applies the primary's log does. Writes (the duplicate check of
`--on-duplicate reject`, PATCH, DELETE) act on the primary at once.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Replica:
    lag: float  # seconds; 0 = reads see every write at once
    # (creation time, seq) of the contacts created less than `lag` ago, oldest first.
    recent: deque[tuple[float, int]] = field(default_factory=deque)

    def created(self, seq: int) -> None:
        if self.lag > 0:
            self.recent.append((time.monotonic(), seq))

    def horizon(self) -> int | None:
        """The first seq reads must not see yet (None: they see everything)."""
        cutoff = time.monotonic() - self.lag
        while self.recent and self.recent[0][0] <= cutoff:
            self.recent.popleft()
        return self.recent[0][1] if self.recent else None

    def clear(self) -> None:
        self.recent.clear()
