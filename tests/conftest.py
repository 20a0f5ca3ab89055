"""Shared fixtures: sandboxes running as real subprocesses (see tests/sandbox_proc.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# tests/ has no __init__.py: make `import sandbox_proc` work under any pytest import mode, for the test
# modules too (they should import it the same way, so there is only one copy of the module).
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

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
