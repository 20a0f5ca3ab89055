"""The table `undo`: the plan and progress of undoing a run (importer.delivery.undo).

The plan is written before the first request, from `contacts` (what the run created) and `before` (what it
updated); each contact's outcome is committed as it arrives, and a deleted contact's `contacts` record goes in
the same transaction (so a later import creates that row again). A killed undo, run again, does what is left;
a finished one, run again, changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from importer.state._part import Part, transaction
from importer.state.contacts import Contacts
from importer.state.synced import Synced

DONE = ("deleted", "gone", "restored", "untagged", "recreated")  # statuses that need nothing more
_DONE_SQL = "('deleted', 'gone', 'restored', 'untagged', 'recreated')"


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
    to_untag: int = 0  # contacts the run tagged (--on-missing tag:NAME) whose tag an undo removes
    to_recreate: int = 0  # contacts the run deleted (--on-missing delete) that an undo re-creates

    @property
    def anything(self) -> bool:
        return bool(self.to_delete or self.to_restore or self.to_untag or self.to_recreate)


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
    UNION ALL
    SELECT m.uuid, NULL, CASE m.action WHEN 'tag' THEN 'untag' ELSE 'recreate' END FROM removals m
    WHERE m.run = :run AND m.state = 'done' AND (m.action = 'delete' OR m.added = 1)
      AND NOT EXISTS (SELECT 1 FROM undo u WHERE u.run = :run AND u.uuid = m.uuid)
"""
# The removals of a run an undo reverses (--on-missing): a tag the job added, a contact it deleted.
_REMOVALS_LEFT = f"""SELECT COUNT(*) FROM removals m WHERE m.run = ? AND m.action = ? AND m.state = 'done'
    AND (m.action = 'delete' OR m.added = 1)
    AND NOT EXISTS (SELECT 1 FROM undo u WHERE u.run = m.run AND u.uuid = m.uuid AND u.status IN {_DONE_SQL})"""


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
                f"(SELECT 1 FROM undo u WHERE u.run = b.run AND u.uuid = b.uuid AND u.status IN {_DONE_SQL})"
            ),
            undone=count(f"SELECT COUNT(*) FROM undo WHERE run = ? AND status IN {_DONE_SQL}"),
            to_untag=count(_REMOVALS_LEFT, "tag"),
            to_recreate=count(_REMOVALS_LEFT, "delete"),
        )

    def planned(self, run: str) -> Iterator[Planned]:
        """What an undo of `run` would still do, without writing anything (for --dry-run)."""
        cursor = self._db.execute(
            f"""SELECT uuid, row, action FROM (
                    SELECT uuid, row, action FROM undo
                    WHERE run = :run AND status NOT IN {_DONE_SQL}
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
                f"SELECT COUNT(*) FROM undo WHERE run = ? AND status NOT IN {_DONE_SQL}", (run,)
            ).fetchone()[0]
        )

    def left_after(self, run: str, after: str, limit: int) -> list[tuple[str, str]]:
        """(uuid, action) of up to `limit` contacts still to undo, by uuid after `after`: batches by key, so
        that no cursor is iterated over rows that are being updated meanwhile."""
        return self._db.execute(
            f"SELECT uuid, action FROM undo WHERE run = ? AND uuid > ? AND status NOT IN {_DONE_SQL} "
            "ORDER BY uuid LIMIT ?",
            (run, after, limit),
        ).fetchall()

    def status_of(self, run: str, uuid: str) -> str | None:
        found = self._db.execute("SELECT status FROM undo WHERE run = ? AND uuid = ?", (run, uuid)).fetchone()
        return None if found is None else str(found[0])

    def sending(self, run: str, uuid: str) -> None:
        """A re-create's intent, committed before its POST: a killed undo looks the contact up before posting."""
        self._db.execute("UPDATE undo SET status = 'sending' WHERE run = ? AND uuid = ?", (run, uuid))

    def unsend(self, run: str, uuid: str, status: str) -> None:
        """The re-create's POST counted by sending() never left (the run stopped first): `status` as it stood."""
        self._db.execute(
            "UPDATE undo SET status = ? WHERE run = ? AND uuid = ? AND status = 'sending'", (status, run, uuid)
        )

    def record(self, run: str, uuid: str, action: str, status: str, error: str, new_uuid: str = "") -> None:
        """One contact's outcome, with what it changes in the rest of the state, in one transaction."""
        with transaction(self._db):
            self._db.execute(
                "UPDATE undo SET status = ?, error = ?, new_uuid = ? WHERE run = ? AND uuid = ?",
                (status, error, new_uuid, run, uuid),
            )
            if action in ("untag", "recreate") and status in DONE:
                # The removal is undone: a later run that still misses the contact removes it again.
                self._db.execute("UPDATE removals SET state = 'undone' WHERE run = ? AND uuid = ?", (run, uuid))
            if action == "recreate" and status == "recreated":
                # Known again, under its new uuid, as it was known before the removal (created or found).
                found = self._db.execute(
                    "SELECT source, identifier, known FROM removals WHERE run = ? AND uuid = ?", (run, uuid)
                ).fetchone()
                if found is not None:
                    known = json.loads(found[2] or "{}")
                    self._contacts.remember(
                        found[0], found[1], new_uuid, "", known.get("run", ""), known.get("state") or "existing"
                    )
            if status in DONE:
                # What the state last sent no longer holds: a later import compares the file with Callbell again.
                self._synced.forget(uuid)
            if action == "delete" and status in ("deleted", "gone"):
                # Forgotten: a later import of the same sheet creates the row again.
                self._contacts.forget_created(uuid, run)

    def status_counts(self, run: str) -> dict[str, int]:
        return dict(self._db.execute("SELECT status, COUNT(*) FROM undo WHERE run = ? GROUP BY status", (run,)))

    def outcomes(self, run: str) -> Iterator[tuple[int | None, str, str, str, str, str]]:
        """(row, uuid, action, status, error, new_uuid) of every contact an undo of `run` dealt with, in sheet-row
        order (removals, which have no row, last)."""
        return self._db.execute(
            "SELECT row, uuid, action, status, error, new_uuid FROM undo WHERE run = ? ORDER BY row IS NULL, row, uuid",
            (run,),
        )
