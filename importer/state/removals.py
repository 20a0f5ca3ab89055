"""The table `removals`: what `--on-missing tag:NAME|delete` did to the contacts that left the source.

The contacts a job *knows* are those of `contacts` that it created or found for one of its rows (state `done` or
`existing`, with a uuid). After a run's rows are checked and sent, the missing ones are those whose (source,
identifier) is not among the run's rows (importer.delivery.missing decides, with the guard rails). Each removal is
planned here (`todo`), its intent committed (`sending`) before its request leaves, and its outcome recorded as it
arrives, so a killed run resumes it without sending anything twice; a deleted contact's last known fields and its
`contacts` record are kept for `importer undo`, which re-creates it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from importer.i18n.message import N_, Text
from importer.state._part import Part, transaction

KNOWN = "state IN ('done', 'existing') AND uuid != ''"  # contacts this job created or found for a row
CREATED = "state = 'done' AND uuid != ''"  # contacts this job created: the only ones --on-missing delete may delete


@dataclass(frozen=True)
class Missing:
    """A contact the job knows that is not among tonight's rows."""

    source: str
    identifier: str
    uuid: str
    href: str
    tagged: bool  # a run already tagged it with the tag asked for (and it has not come back since)


@dataclass(frozen=True)
class Removal:
    """One planned removal of a run."""

    uuid: str
    source: str
    identifier: str
    href: str
    action: str  # tag | delete
    tag: str
    state: str  # todo | sending | done | failed | returned


@dataclass(frozen=True)
class Returned:
    """A contact an earlier run tagged that is back among tonight's rows."""

    run: str
    uuid: str
    identifier: str
    tag: str
    row: int  # its first row tonight
    added: bool  # the job added the tag (else it was there before: left to the contact)


class Removals(Part):
    # --- what is missing --------------------------------------------------------------------------------

    def count_known(self, created_only: bool = False) -> int:
        """The contacts this job created or found for a row, or only those it created (the share of --max-missing
        is of the contacts a removal may concern)."""
        where = CREATED if created_only else KNOWN
        return int(self._db.execute(f"SELECT COUNT(*) FROM contacts WHERE {where}").fetchone()[0])

    def _index_tonight(self) -> None:
        """Tonight's rows by (source, identifier), in a temporary table: built only when --on-missing is used,
        so the rows table needs no index (which would slow every import's inserts)."""
        self._db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tonight (source TEXT, identifier TEXT, row INTEGER,"
            " PRIMARY KEY (source, identifier)) WITHOUT ROWID"
        )
        with transaction(self._db):
            self._db.execute("DELETE FROM temp.tonight")
            self._db.execute(  # the first row of each contact
                "INSERT OR IGNORE INTO temp.tonight SELECT source, identifier, row FROM rows WHERE identifier != ''"
                " ORDER BY row"
            )

    def missing(self, tag: str = "", created_only: bool = False) -> Iterator[Missing]:
        """Known contacts whose (source, identifier) is not among tonight's rows (any status: a row present but
        invalid, duplicated or failed tonight still counts); `tagged` says whether a run already tagged it with
        `tag` (and it has not come back since). `created_only`: only the contacts this job created."""
        self._index_tonight()
        cursor = self._db.execute(
            """SELECT c.source, c.identifier, c.uuid, c.href, EXISTS (
                    SELECT 1 FROM removals m WHERE m.uuid = c.uuid AND m.action = 'tag' AND m.state = 'done'
                    AND m.tag = ?)
            FROM contacts c
            WHERE c.state IN ('done', ?) AND c.uuid != ''
              AND NOT EXISTS (SELECT 1 FROM temp.tonight t WHERE t.source = c.source AND t.identifier = c.identifier)
            ORDER BY c.identifier""",
            (tag, "done" if created_only else "existing"),
        )
        for source, identifier, uuid, href, tagged in cursor.fetchall():
            yield Missing(source, identifier, uuid, href, bool(tagged))

    def any_tagged(self) -> bool:
        """Does any contact carry a tag a run added? (Else no run needs to look for returns: most never do.)"""
        found = self._db.execute("SELECT 1 FROM removals WHERE action = 'tag' AND state = 'done' LIMIT 1")
        return found.fetchone() is not None

    def returned(self) -> list[Returned]:
        """Contacts an earlier run tagged (and whose tag is still recorded as there) that are among tonight's rows."""
        self._index_tonight()
        return [
            Returned(*row[:5], bool(row[5]))
            for row in self._db.execute(
                """SELECT m.run, m.uuid, m.identifier, m.tag, t.row, m.added FROM removals m
                JOIN temp.tonight t ON t.source = m.source AND t.identifier = m.identifier
                WHERE m.action = 'tag' AND m.state = 'done'
                ORDER BY t.row"""
            )
        ]

    def set_returned(self, run: str, uuid: str) -> None:
        """The contact came back and its tag was removed (or was gone already): an undo has nothing to do."""
        self._db.execute("UPDATE removals SET state = 'returned' WHERE run = ? AND uuid = ?", (run, uuid))

    # --- a run's removals ---------------------------------------------------------------------------------

    def plan(self, run: str, items: Iterable[tuple[str, str, str, str, str, str]]) -> None:
        """(uuid, source, identifier, href, action, tag) to remove, committed before the first request; a resumed
        run keeps what its earlier attempt planned and did."""
        with transaction(self._db):
            self._db.executemany(
                "INSERT OR IGNORE INTO removals (run, uuid, source, identifier, href, action, tag, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'todo')",
                ((run, *item) for item in items),
            )

    def left(self, run: str) -> list[Removal]:
        """The removals of `run` not done yet (todo, or sending: an earlier attempt's request may have landed)."""
        cursor = self._db.execute(
            "SELECT uuid, source, identifier, href, action, tag, state FROM removals "
            "WHERE run = ? AND state IN ('todo', 'sending') ORDER BY identifier",
            (run,),
        )
        return [Removal(*row) for row in cursor.fetchall()]

    def count_done(self, run: str) -> int:
        """Removals of `run` already done (by an earlier attempt of a resumed run)."""
        return int(
            self._db.execute("SELECT COUNT(*) FROM removals WHERE run = ? AND state = 'done'", (run,)).fetchone()[0]
        )

    def intend(self, run: str, uuid: str, contact: dict[str, Any] | None = None) -> None:
        """Committed before the request leaves. A delete keeps the contact's last known fields and its `contacts`
        record (state, run), for an undo to re-create it."""
        if contact is None:
            self._db.execute("UPDATE removals SET state = 'sending' WHERE run = ? AND uuid = ?", (run, uuid))
            return
        known = self._db.execute("SELECT state, run FROM contacts WHERE uuid = ? LIMIT 1", (uuid,)).fetchone()
        self._db.execute(
            "UPDATE removals SET state = 'sending', contact = ?, known = ? WHERE run = ? AND uuid = ?",
            (
                json.dumps(contact, ensure_ascii=False, sort_keys=True),
                json.dumps({"state": known[0], "run": known[1]} if known else {}),
                run,
                uuid,
            ),
        )

    def unsend(self, run: str, uuid: str) -> None:
        """The request after intend() never left, nor did any attempt of it that may have landed (the run stopped
        first): the removal is planned as it was, without its intent or a delete's saved fields, so the next run
        looks the contact up afresh and takes no tag it finds there for its own."""
        self._db.execute(
            "UPDATE removals SET state = 'todo', contact = '', known = '' "
            "WHERE run = ? AND uuid = ? AND state = 'sending'",
            (run, uuid),
        )

    def tagged(self, run: str, uuid: str, *, added: bool) -> None:
        """The tag is on the contact; `added`: by this job (an undo removes only such a tag)."""
        self._db.execute(
            "UPDATE removals SET state = 'done', added = ?, error = '' WHERE run = ? AND uuid = ?",
            (int(added), run, uuid),
        )

    def deleted(self, run: str, uuid: str) -> None:
        """The contact is gone: forgotten in the state (a row of it in a later run creates it again), with its
        removal recorded, in one transaction."""
        with transaction(self._db):
            self._db.execute("UPDATE removals SET state = 'done', error = '' WHERE run = ? AND uuid = ?", (run, uuid))
            self._db.execute(
                "DELETE FROM synced WHERE (source, identifier) IN"
                " (SELECT source, identifier FROM contacts WHERE uuid = ?)",
                (uuid,),
            )
            self._db.execute("DELETE FROM contacts WHERE uuid = ?", (uuid,))

    def vanished(self, run: str, uuid: str, error: str) -> None:
        """The contact to tag is no longer in Callbell (deleted there): the removal failed, and the state forgets the
        contact (else every later night would try again)."""
        with transaction(self._db):
            self._db.execute(
                "UPDATE removals SET state = 'failed', error = ? WHERE run = ? AND uuid = ?", (error, run, uuid)
            )
            self._db.execute(
                "DELETE FROM synced WHERE (source, identifier) IN"
                " (SELECT source, identifier FROM contacts WHERE uuid = ?)",
                (uuid,),
            )
            self._db.execute("DELETE FROM contacts WHERE uuid = ?", (uuid,))

    def failed(self, run: str, uuid: str, error: str) -> None:
        self._db.execute(
            "UPDATE removals SET state = 'failed', error = ? WHERE run = ? AND uuid = ?", (error, run, uuid)
        )

    def outcomes(self, run: str) -> list[tuple[str, str, str, str, str, str, Text]]:
        """(action, state, uuid, identifier, href, error, warning) of `run`'s removals, by identifier; the error as
        written (in the language of the run that wrote it), the warning a Message (the caller renders it)."""
        cursor = self._db.execute(
            "SELECT action, state, uuid, identifier, href, error, tag, added FROM removals WHERE run = ? "
            "ORDER BY identifier, uuid",
            (run,),
        )
        out = []
        for action, state, uuid, identifier, href, error, tag, added in cursor.fetchall():
            warning: Text = ""
            if action == "tag" and state == "done" and not added:
                warning = N_("already had the tag {tag!r}", tag=tag)
            out.append((action, state, uuid, identifier, href, error, warning))
        return out

    def counts(self, run: str) -> dict[str, int]:
        """Removals of `run` per (action, state): {"tag done": 3, ...}."""
        return {
            f"{a} {s}": int(n)
            for a, s, n in self._db.execute(
                "SELECT action, state, COUNT(*) FROM removals WHERE run = ? GROUP BY action, state", (run,)
            )
        }

    # --- for a dry run: what the real state file knows ------------------------------------------------------

    def known_records(self) -> Iterator[tuple[Any, ...]]:
        """Every row of `contacts` a removal may concern and every row of `removals` (to copy into a dry run's
        throwaway ledger)."""
        yield from (("contacts", *r) for r in self._db.execute(f"SELECT * FROM contacts WHERE {KNOWN}"))
        names = [r[1] for r in self._db.execute("PRAGMA table_info(removals)")]
        for r in self._db.execute(f"SELECT {', '.join(names)} FROM removals"):
            yield ("removals", *r)

    def copy_known(self, records: Iterable[tuple[Any, ...]]) -> None:
        names = [r[1] for r in self._db.execute("PRAGMA table_info(removals)")]
        with transaction(self._db):
            for table, *values in records:
                if table == "contacts":
                    self._db.execute("INSERT OR REPLACE INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?)", values)
                else:
                    marks = ", ".join("?" * len(names))
                    self._db.execute(f"INSERT OR REPLACE INTO removals ({', '.join(names)}) VALUES ({marks})", values)

    # --- for undo -------------------------------------------------------------------------------------------

    def for_undo(self, run: str, uuid: str) -> tuple[str, str, dict[str, Any], dict[str, Any], str] | None:
        """(source, identifier, last known fields, `contacts` record, tag) of a removal of `run`."""
        found = self._db.execute(
            "SELECT source, identifier, contact, known, tag FROM removals WHERE run = ? AND uuid = ?", (run, uuid)
        ).fetchone()
        if found is None:
            return None
        source, identifier, contact, known, tag = found
        return source, identifier, json.loads(contact or "{}"), json.loads(known or "{}"), tag
