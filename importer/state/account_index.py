"""The table `account_index`: the account's contacts by phone number, when the sender paged the whole account
instead of looking each row up (importer.delivery.account_index). Rebuilt by every run that pages."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from importer.state._part import Part, transaction


class AccountIndexTable(Part):
    def clear(self) -> None:
        self._db.execute("DELETE FROM account_index")

    def add(self, entries: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        """(digits, uuid, href, the contact in snapshot form) per contact of one listing page, in one transaction."""
        with transaction(self._db):
            # The oldest contact wins when the account already holds a number twice.
            self._db.executemany(
                "INSERT OR IGNORE INTO account_index VALUES (?, ?, ?, ?)",
                ((d, u, h, json.dumps(contact, ensure_ascii=False)) for d, u, h, contact in entries),
            )

    def find(self, digits: str) -> tuple[str, str] | None:
        """(uuid, href) of the account's contact with this number, if the listing showed one."""
        found = self._db.execute("SELECT uuid, href FROM account_index WHERE digits = ?", (digits,)).fetchone()
        return None if found is None else (str(found[0]), str(found[1]))

    def contact(self, digits: str, uuid: str) -> dict[str, Any] | None:
        """The contact `uuid` as the listing showed it (snapshot form), if the index holds it for this number
        (None too for an entry from a state file older than the snapshots)."""
        found = self._db.execute(
            "SELECT contact FROM account_index WHERE digits = ? AND uuid = ?", (digits, uuid)
        ).fetchone()
        return json.loads(found[0]) if found is not None and found[0] else None
