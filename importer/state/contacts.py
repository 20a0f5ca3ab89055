"""The table `contacts`: every contact this state has created or found, and the *intent* written before each
create. An intent (state `sending`) is committed before the POST leaves, so a run killed at any moment knows
which creates may have happened and looks them up before creating them again."""

from __future__ import annotations

import time
from dataclasses import dataclass

from importer.state._part import Part


@dataclass(frozen=True)
class KnownContact:
    state: str  # sending (intent written, answer not yet known) | done (created) | existing (found)
    uuid: str
    href: str
    run: str  # the run that created it ('' for one found)


@dataclass(frozen=True)
class Intent:
    """A create whose answer was never recorded: it may or may not have made a contact."""

    source: str
    identifier: str
    since: float  # when the intent was written (epoch s)


class Contacts(Part):
    def known(self, source: str, identifier: str) -> KnownContact | None:
        found = self._db.execute(
            "SELECT state, uuid, href, run FROM contacts WHERE source = ? AND identifier = ?", (source, identifier)
        ).fetchone()
        return None if found is None else KnownContact(*found)

    def count_known(self) -> int:
        """Contacts this state created or found (a floor for the account's size)."""
        return int(self._db.execute("SELECT COUNT(*) FROM contacts WHERE state != 'sending'").fetchone()[0])

    def intend(self, source: str, identifier: str, run: str) -> None:
        """Written (and committed) before the POST: after a crash, this row must be looked up, not re-sent."""
        self._db.execute(
            "INSERT OR REPLACE INTO contacts VALUES (?, ?, 'sending', '', '', ?, ?)",
            (source, identifier, run, time.time()),
        )

    def remember(self, source: str, identifier: str, uuid: str, href: str, run: str, state: str = "done") -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?)",
            (source, identifier, state, uuid, href, run, time.time()),
        )

    def forget(self, source: str, identifier: str) -> None:
        """The POST was refused for certain: nothing was created (a created contact is never forgotten here)."""
        self._db.execute(
            "DELETE FROM contacts WHERE source = ? AND identifier = ? AND state = 'sending'", (source, identifier)
        )

    def forget_created(self, uuid: str, run: str) -> None:
        """The contact `run` created was deleted by an undo: a later import of the same sheet creates it again."""
        self._db.execute("DELETE FROM contacts WHERE uuid = ? AND run = ? AND state = 'done'", (uuid, run))

    def intended_at(self, source: str, identifier: str) -> float | None:
        """When the intent of a create whose answer is unknown was written; None when there is no such intent."""
        found = self._db.execute(
            "SELECT updated FROM contacts WHERE source = ? AND identifier = ? AND state = 'sending'",
            (source, identifier),
        ).fetchone()
        return None if found is None else float(found[0])

    def unresolved(self, run: str) -> list[Intent]:
        """The creates of `run` whose answer it never saw (killed or failed between the intent and the answer)."""
        cursor = self._db.execute(
            "SELECT source, identifier, updated FROM contacts WHERE state = 'sending' AND run = ?", (run,)
        )
        return [Intent(source, identifier, float(since)) for source, identifier, since in cursor]
