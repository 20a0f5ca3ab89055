"""How the stages report progress: a bar for a person, log lines for a scheduler (importer.commands.cli), or nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

from importer.i18n.message import N_

ROW_UNIT = N_("row")  # a bar's unit, as tqdm shows it (12.3row/s), in the run's language

# A plain function told the stage, the rows done and the total (None while unknown) at each step.
ProgressCallback = Callable[[str, int, int | None], object]


class Progress(Protocol):
    """How far a run is, stage by stage: `start(total, description)` ("Checking rows", "Sending contacts"), then
    `advance(n, total)` as rows are done (total: a new estimate, or None), then `close()`.

    The stages give `description` as an importer.i18n Message (str() of it is the English name): a progress shown
    to a person renders it in the run's language; a callback is told the English name, which stays stable."""

    def start(self, total: int, description: Any) -> None: ...  # total 0: unknown
    def advance(self, n: int = 1, total: int | None = None) -> None: ...  # total: a new estimate of it
    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int, description: Any) -> None:
        pass

    def advance(self, n: int = 1, total: int | None = None) -> None:
        pass

    def close(self) -> None:
        pass


class CallbackProgress:
    """A plain function as a Progress: called as `callback(stage, done, total)` at each step."""

    def __init__(self, callback: ProgressCallback) -> None:
        self._callback = callback
        self._stage, self._done, self._total = "", 0, None

    def start(self, total: int, description: Any) -> None:
        self._stage, self._done, self._total = str(description), 0, total or None
        self._callback(self._stage, 0, self._total)

    def advance(self, n: int = 1, total: int | None = None) -> None:
        self._done += n
        if total is not None:
            self._total = total or None
        self._callback(self._stage, self._done, self._total)

    def close(self) -> None:
        pass


def as_progress(progress: Progress | ProgressCallback | None) -> Progress:
    """A Progress from what a caller gave: a Progress, a plain function (see CallbackProgress), or None."""
    if progress is None:
        return NoProgress()
    if all(callable(getattr(progress, method, None)) for method in ("start", "advance", "close")):
        return progress  # type: ignore[return-value]
    if callable(progress):
        return CallbackProgress(progress)
    raise TypeError("progress must be a function (stage, done, total) or have start, advance and close methods")


class TqdmProgress:
    """A progress bar with rate and ETA, for a person at a terminal.

    It counts rows even where the work is measured in bytes (a CSV is checked before its rows are counted):
    rows are what a person reads and compares, and rows/s is the rate the sending stage shows too. The total is
    then an estimate from the bytes read, updated as it goes, so the percentage and ETA are the bytes'."""

    def __init__(self, unit: Any = ROW_UNIT, render: Callable[[Any], str] = str) -> None:
        self._bar: Any = None
        self._render = render  # the stage's name and the unit in the run's language (Translator.render)
        self._unit = render(unit)

    def start(self, total: int, description: Any) -> None:
        from tqdm import tqdm

        desc = self._render(description)
        self._bar = tqdm(total=total or None, desc=desc, unit=self._unit, file=sys.stderr, dynamic_ncols=True)

    def advance(self, n: int = 1, total: int | None = None) -> None:
        if self._bar is not None:
            if total is not None:
                self._bar.total = total
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
