"""Rows whose create is uncertain: a POST's answer was lost, or a run found an intent without its answer.

They are kept in the state file (table `uncertain`, reached as `ledger.uncertain`) from the
moment the doubt arises until the reconcile pass (importer.delivery.reconcile) has checked the account for extra
contacts made for them, so a run killed at any moment still reconciles them when it is resumed. Every write
commits at once (the ledger's connection is in autocommit mode), before the request it guards.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from importer.state._part import Part
from importer.state.contacts import Contacts


@dataclass(frozen=True)
class Doubt:
    source: str
    identifier: str
    run: str
    since: float
    last: float
    posts: int
    found: bool
    note: str  # a note already written by an interrupted reconcile of this doubt


class Uncertain(Part):
    def __init__(self, db: sqlite3.Connection, contacts: Contacts) -> None:
        super().__init__(db)
        self._contacts = contacts

    def doubt(self, source: str, identifier: str, run: str, since: float | None = None) -> None:
        """The row's create may have landed (once or more). `since`: when this run wrote the intent; None for an
        intent found from an earlier attempt (its time is read from the ledger). An open doubt keeps its start
        and its count of POSTs; a reconciled one starts again (keeping the count when it is the same intent)."""
        now = time.time()
        if since is None:
            intended = self._contacts.intended_at(source, identifier)
            since = intended if intended is not None else now
        self._db.execute(
            """INSERT INTO uncertain (source, identifier, run, since, last, posts, state)
            VALUES (?, ?, ?, ?, ?, 1, 'open')
            ON CONFLICT (source, identifier) DO UPDATE SET last = excluded.last,
                run = CASE WHEN state = 'open' THEN run ELSE excluded.run END,
                since = CASE WHEN state = 'open' THEN since ELSE excluded.since END,
                posts = CASE WHEN state = 'open' OR since = excluded.since THEN posts ELSE 1 END,
                found = CASE WHEN state = 'open' THEN found ELSE 0 END,
                note = CASE WHEN state = 'open' THEN note ELSE '' END,
                state = 'open'""",
            (source, identifier, run, since, now),
        )

    def resend(self, source: str, identifier: str) -> None:
        """Committed before a POST that repeats an uncertain one."""
        self._db.execute(
            "UPDATE uncertain SET posts = posts + 1 WHERE source = ? AND identifier = ? AND state = 'open'",
            (source, identifier),
        )

    def unsend(self, source: str, identifier: str) -> None:
        """The POST counted by resend() never left (the run stopped first): it cannot have landed."""
        self._db.execute(
            "UPDATE uncertain SET posts = posts - 1 WHERE source = ? AND identifier = ? AND state = 'open'"
            " AND posts > 1",
            (source, identifier),
        )

    def found(self, source: str, identifier: str) -> None:
        """A look-up found the row's contact: when more than one POST may have landed, the state knows only the
        oldest contact, and the reconcile pass must wait for a listing that shows every later one."""
        self._db.execute(
            "UPDATE uncertain SET found = 1 WHERE source = ? AND identifier = ? AND state = 'open' AND posts > 1",
            (source, identifier),
        )

    def ended(self, source: str, identifier: str) -> None:
        """A POST of an uncertain row ended (answered or lost): a contact it made is not newer than now."""
        self._db.execute(
            "UPDATE uncertain SET last = ? WHERE source = ? AND identifier = ? AND state = 'open'",
            (time.time(), source, identifier),
        )

    def open(self) -> list[Doubt]:
        """Every doubt not reconciled yet, whichever run raised it."""
        cursor = self._db.execute(
            "SELECT source, identifier, run, since, last, posts, found, note FROM uncertain WHERE state = 'open'"
            " ORDER BY source, identifier"
        )
        return [Doubt(s, i, r, float(a), float(b), int(p), bool(f), n) for s, i, r, a, b, p, f, n in cursor]

    def count_open(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM uncertain WHERE state = 'open'").fetchone()[0])

    def plan(self, doubt: Doubt, note: str) -> None:
        """Written before the extras are deleted, so a run killed meanwhile still reports them."""
        self._db.execute(
            "UPDATE uncertain SET note = ? WHERE source = ? AND identifier = ?", (note, doubt.source, doubt.identifier)
        )

    def close(self, doubt: Doubt, run: str, note: str, uuid: str = "", href: str = "") -> None:
        self._db.execute(
            "UPDATE uncertain SET state = 'done', run = ?, note = ?, uuid = ?, href = ?"
            " WHERE source = ? AND identifier = ?",
            (run, note, uuid, href, doubt.source, doubt.identifier),
        )

    def report(self, run: str) -> None:
        """Into this run's rows: the contact kept for each row reconciled by `run`, and what was done, as a warning.
        A row that failed for want of an answer but whose contact was found is created after all."""
        self._db.execute(
            """UPDATE rows SET status = 'created', uuid = u.uuid, href = u.href, error = '',
                warning = CASE WHEN u.note = '' THEN rows.warning WHEN rows.warning = '' THEN u.note
                    ELSE rows.warning || '; ' || u.note END
            FROM uncertain u
            WHERE u.source = rows.source AND u.identifier = rows.identifier AND u.run = ? AND u.state = 'done'
                AND u.uuid != '' AND rows.status IN ('created', 'failed') AND (u.note != '' OR rows.uuid != u.uuid)""",
            (run,),
        )
