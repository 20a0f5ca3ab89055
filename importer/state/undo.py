"""The table `undo`: the plan and progress of undoing a run (importer.delivery.undo).

The plan is written before the first request, from `contacts` (what the run created) and `before` (what it
updated); each contact's outcome is committed as it arrives, and a deleted contact's `contacts` record goes in
the same transaction (so a later import creates that row again). A killed undo, run again, does what is left;
a finished one, run again, changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from importer.state._part import Part, transaction
from importer.state.contacts import Contacts
from importer.state.synced import Synced

DONE = ("deleted", "gone", "restored")  # statuses that need nothing more


@dataclass(frozen=True)
class Planned:
    """One contact an undo acts on."""

    row: int | None  # the sheet row it came from, when the state still knows it
    uuid: str
    action: str  # delete | restore


@dataclass(frozen=True)
class UndoCounts:
    to_delete: int  # contacts the run created that are still there (as far as the state knows)
    to_restore: int  # contacts the run updated that were not yet restored
    undone: int  # contacts an earlier undo of this run already dealt with


# The rows table is rebuilt by each import and carries each row's uuid: the sheet row a contact came from.
_ROW_OF_UUID = "SELECT uuid, MIN(row) AS row FROM rows WHERE uuid != '' GROUP BY uuid"
# The contacts the run created or updated that the undo table does not hold yet.
_NEW_ITEMS = f"""
    SELECT c.uuid AS uuid, r.row AS row, 'delete' AS action
    FROM contacts c LEFT JOIN ({_ROW_OF_UUID}) r ON r.uuid = c.uuid
    WHERE c.state = 'done' AND c.run = :run AND c.uuid != ''
      AND NOT EXISTS (SELECT 1 FROM undo u WHERE u.run = :run AND u.uuid = c.uuid)
    UNION ALL
    SELECT b.uuid, r.row, 'restore' FROM before b LEFT JOIN ({_ROW_OF_UUID}) r ON r.uuid = b.uuid
    WHERE b.run = :run AND NOT EXISTS (SELECT 1 FROM undo u WHERE u.run = :run AND u.uuid = b.uuid)
"""


class Undo(Part):
    def __init__(self, db: sqlite3.Connection, contacts: Contacts, synced: Synced) -> None:
        super().__init__(db)
        self._contacts = contacts
        self._synced = synced

    def counts_of(self, run: str) -> UndoCounts:
        """What an undo of `run` would do, and what earlier undos of it did."""

        def count(sql: str, *args: str) -> int:
            return int(self._db.execute(sql, (run, *args)).fetchone()[0])

        return UndoCounts(
            to_delete=count("SELECT COUNT(*) FROM contacts WHERE state = 'done' AND run = ? AND uuid != ''"),
            to_restore=count(
                "SELECT COUNT(*) FROM before b WHERE run = ? AND NOT EXISTS "
                "(SELECT 1 FROM undo u WHERE u.run = b.run AND u.uuid = b.uuid AND u.status IN (?, ?, ?))",
                *DONE,
            ),
            undone=count("SELECT COUNT(*) FROM undo WHERE run = ? AND status IN (?, ?, ?)", *DONE),
        )

    def planned(self, run: str) -> Iterator[Planned]:
        """What an undo of `run` would still do, without writing anything (for --dry-run)."""
        cursor = self._db.execute(
            f"""SELECT uuid, row, action FROM (
                    SELECT uuid, row, action FROM undo
                    WHERE run = :run AND status NOT IN ('deleted', 'gone', 'restored')
                    UNION ALL {_NEW_ITEMS})
                ORDER BY row IS NULL, row, uuid""",
            {"run": run},
        )
        for uuid, row, action in cursor:
            yield Planned(row, uuid, action)

    def write_plan(self, run: str) -> None:
        """The undo's plan, committed before its first request: a killed undo resumes from it."""
        with transaction(self._db):
            self._db.execute(
                f"INSERT OR IGNORE INTO undo (run, uuid, row, action, status) "
                f"SELECT :run, uuid, row, action, 'todo' FROM ({_NEW_ITEMS})",
                {"run": run},
            )

    def count_left(self, run: str) -> int:
        return int(
            self._db.execute(
                "SELECT COUNT(*) FROM undo WHERE run = ? AND status NOT IN (?, ?, ?)", (run, *DONE)
            ).fetchone()[0]
        )

    def left_after(self, run: str, after: str, limit: int) -> list[tuple[str, str]]:
        """(uuid, action) of up to `limit` contacts still to undo, by uuid after `after`: batches by key, so
        that no cursor is iterated over rows that are being updated meanwhile."""
        return self._db.execute(
            "SELECT uuid, action FROM undo WHERE run = ? AND uuid > ? AND status NOT IN (?, ?, ?) "
            "ORDER BY uuid LIMIT ?",
            (run, after, *DONE, limit),
        ).fetchall()

    def record(self, run: str, uuid: str, action: str, status: str, error: str) -> None:
        """One contact's outcome, with what it changes in the rest of the state, in one transaction."""
        with transaction(self._db):
            self._db.execute(
                "UPDATE undo SET status = ?, error = ? WHERE run = ? AND uuid = ?", (status, error, run, uuid)
            )
            if status in DONE:
                # What the state last sent no longer holds: a later import compares the file with Callbell again.
                self._synced.forget(uuid)
            if action == "delete" and status in ("deleted", "gone"):
                # Forgotten: a later import of the same sheet creates the row again.
                self._contacts.forget_created(uuid, run)

    def status_counts(self, run: str) -> dict[str, int]:
        return dict(self._db.execute("SELECT status, COUNT(*) FROM undo WHERE run = ? GROUP BY status", (run,)))

    def outcomes(self, run: str) -> Iterator[tuple[int | None, str, str, str, str]]:
        """(row, uuid, action, status, error) of every contact an undo of `run` dealt with, in sheet-row order."""
        return self._db.execute(
            "SELECT row, uuid, action, status, error FROM undo WHERE run = ? ORDER BY row IS NULL, row, uuid", (run,)
        )
