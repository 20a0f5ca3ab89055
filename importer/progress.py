"""How the stages report progress: a bar for a person, log lines for a scheduler (importer.cli), or nothing."""

from __future__ import annotations

from typing import Protocol


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
