"""How the stages report progress: a bar for a person, log lines for a scheduler (importer.cli), or nothing."""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Progress(Protocol):
    def start(self, total: int, description: str) -> None: ...  # total 0: unknown
    def advance(self, n: int = 1, total: int | None = None) -> None: ...  # total: a new estimate of it
    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int = 1, total: int | None = None) -> None:
        pass

    def close(self) -> None:
        pass


class TqdmProgress:
    """A progress bar with rate and ETA, for a person at a terminal.

    It counts rows even where the work is measured in bytes (a CSV is checked before its rows are counted):
    rows are what a person reads and compares, and rows/s is the rate the sending stage shows too. The total is
    then an estimate from the bytes read, updated as it goes, so the percentage and ETA are the bytes'."""

    def __init__(self, unit: str = "row") -> None:
        self._bar: Any = None
        self._unit = unit

    def start(self, total: int, description: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total or None, desc=description, unit=self._unit, file=sys.stderr, dynamic_ncols=True)

    def advance(self, n: int = 1, total: int | None = None) -> None:
        if self._bar is not None:
            if total is not None:
                self._bar.total = total
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
