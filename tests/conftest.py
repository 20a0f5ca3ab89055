"""Shared fixtures: sandboxes running as real subprocesses (see tests/sandbox_proc.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Tests mirror the packages (tests/<package>/test_<module>.py, end-to-end tests in tests/e2e/) with no
# __init__.py, imported in pytest's importlib mode (two packages may both have a test_undo.py). Shared helpers
# are imported by plain name: sandbox_proc and data/ from tests/, the end-to-end helpers from tests/e2e/.
_TESTS = Path(__file__).resolve().parent
for _folder in (str(_TESTS / "e2e"), str(_TESTS)):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)

from sandbox_proc import RunningSandbox, start_sandbox  # noqa: E402


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox with the default knobs and the sample account, stopped at teardown."""
    running = start_sandbox()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., RunningSandbox]]:
    """Call with extra CLI args (and start_sandbox's keywords); every sandbox started is stopped at teardown."""
    started: list[RunningSandbox] = []

    def factory(*extra_args: str, **kwargs: object) -> RunningSandbox:
        running = start_sandbox(*extra_args, **kwargs)  # type: ignore[arg-type]
        started.append(running)
        return running

    try:
        yield factory
    finally:
        for running in started:
            running.stop()
