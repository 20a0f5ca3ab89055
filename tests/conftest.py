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

from pg_server import postgres, postgres_url  # noqa: E402,F401 - session fixtures: one cluster per xdist worker
from sandbox_proc import RunningSandbox, start_sandbox  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: one of the longest tests (seconds of waiting); collected first so it starts first"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The `slow` tests first, then the other end-to-end tests (seconds each), then the rest, each group in its
    usual order. pytest-xdist (`make test` runs it) hands tests out in collection order, so the longest start at
    once, spread over the workers, and the quick ones fill in at the end, rather than one long test keeping the
    run going after every other worker is done. The order only depends on the tests' names and markers, so
    every xdist worker collects the same list."""
    e2e = _TESTS / "e2e"
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None, e2e not in item.path.parents))  # stable


@pytest.fixture(scope="session")
def _default_sandbox() -> Iterator[list[RunningSandbox]]:
    # One sandbox with the default knobs per test process (each xdist worker has its own), reset before each
    # test that uses it: starting one costs about a second, and dozens of tests want just this one.
    holder: list[RunningSandbox] = []
    try:
        yield holder
    finally:
        for running in holder:
            running.stop()


@pytest.fixture
def sandbox(_default_sandbox: list[RunningSandbox]) -> RunningSandbox:
    """A sandbox with the default knobs and the sample account, as good as new: no contacts, zeroed counters
    and recorded patches, a full rate-limit bucket (POST /_sandbox/reset). Shared by the tests of one process,
    and started again if a test stopped it."""
    if not _default_sandbox or _default_sandbox[0].process.poll() is not None:
        for old in _default_sandbox:
            old.stop()
        _default_sandbox[:] = [start_sandbox()]
    running = _default_sandbox[0]
    running.reset()
    return running


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
