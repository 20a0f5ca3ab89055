"""A ledger on a real SQLite file in the test's tmp_path, for the unit tests of importer/state/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from importer.state.ledger import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "state.db") as opened:
        yield opened
