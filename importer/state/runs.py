"""The tables `runs` and `before`: every run of this state (start, end, counts), and each contact as it was
before a run PATCHed it, committed before the PATCH, so that a run can be undone (importer.delivery.undo).
Which run is current, and whether it finished, is in `meta` (the ledger's begin_run and end_run)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from importer.state._part import Part


@dataclass(frozen=True)
class RunRecord:
    id: str
    started: str
    finished: str | None  # None: interrupted, to be resumed
    dry_run: bool
    counts: dict[str, int]


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Runs(Part):
    # --- runs ------------------------------------------------------------------------------------------

    def start(self, run: str, started: str | None = None) -> None:
        self._db.execute("INSERT OR IGNORE INTO runs (id, started) VALUES (?, ?)", (run, started or now()))

    def end(self, run: str, counts: dict[str, int], *, finished: bool) -> None:
        """The run's counts; its end time unless it was interrupted (NULL: the next import resumes it)."""
        self._db.execute(
            "UPDATE runs SET counts = ?, finished = ? WHERE id = ?",
            (json.dumps(counts, sort_keys=True), now() if finished else None, run),
        )

    def all(self) -> list[RunRecord]:
        """Every run of this state, oldest first."""
        cursor = self._db.execute("SELECT id, started, finished, dry_run, counts FROM runs ORDER BY rowid")
        return [RunRecord(i, s, f, bool(d), json.loads(c or "{}")) for i, s, f, d, c in cursor]

    # --- before: a contact's values before a run changed them --------------------------------------------

    def has_before(self, run: str, uuid: str) -> bool:
        return self._db.execute("SELECT 1 FROM before WHERE run = ? AND uuid = ?", (run, uuid)).fetchone() is not None

    def record_before(self, run: str, uuid: str, contact: dict[str, Any]) -> None:
        """Committed before the PATCH leaves; only the first record per (run, uuid) counts (a resumed run or a
        repeated row must not record the values it set itself)."""
        self._db.execute(
            "INSERT OR IGNORE INTO before (run, uuid, contact) VALUES (?, ?, ?)",
            (run, uuid, json.dumps(contact, ensure_ascii=False, sort_keys=True)),
        )

    def before(self, run: str, uuid: str) -> dict[str, Any] | None:
        """The contact `uuid` as it was before `run` changed it; None when that run did not change it."""
        found = self._db.execute("SELECT contact FROM before WHERE run = ? AND uuid = ?", (run, uuid)).fetchone()
        return None if found is None else dict(json.loads(found[0]))

    def ever_updated(self, uuid: str) -> bool:
        """Did any run of this state update the contact `uuid`? Then it was the account's own, not one we made."""
        return self._db.execute("SELECT 1 FROM before WHERE uuid = ?", (uuid,)).fetchone() is not None
