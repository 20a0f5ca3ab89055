"""The table `synced`: per contact, the values this state last sent (or found) for it, in PATCH field names.
`--on-existing update` sends only what the file changed since (importer.delivery.changes); a contact whose
record is forgotten (undone) is compared with Callbell as it shows the contact instead."""

from __future__ import annotations

import json
from typing import Any

from importer.state._part import Part
from importer.state.rows import PENDING


class Synced(Part):
    def get(self, source: str, identifier: str) -> dict[str, Any] | None:
        found = self._db.execute(
            "SELECT contact_values FROM synced WHERE source = ? AND identifier = ?", (source, identifier)
        ).fetchone()
        return None if found is None else dict(json.loads(found[0]))

    def set(self, source: str, identifier: str, values: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO synced VALUES (?, ?, ?)",
            (source, identifier, json.dumps(values, ensure_ascii=False, sort_keys=True)),
        )

    def forget(self, uuid: str) -> None:
        """A contact undone: the next run compares the file with the contact as Callbell shows it."""
        self._db.execute(
            "DELETE FROM synced WHERE (source, identifier) IN (SELECT source, identifier FROM contacts WHERE uuid = ?)",
            (uuid,),
        )

    def pending_with_record(self, run: str, after: int, limit: int) -> list[tuple[int, str, str, str, str]]:
        """(row, payload, uuid, href, record) of pending rows whose contact this state knows (not created by `run`,
        which reports it as created) and has a record for, in row order after `after`: the rows that may end
        `unchanged` without a request, found in one joined pass instead of a look-up per row."""
        return self._db.execute(
            f"""SELECT r.row, r.payload, c.uuid, c.href, s.contact_values FROM rows r
            JOIN contacts c ON c.source = r.source AND c.identifier = r.identifier
            JOIN synced s ON s.source = r.source AND s.identifier = r.identifier
            WHERE r.status = '{PENDING}' AND r.row > ? AND c.state != 'sending' AND NOT (c.state = 'done' AND c.run = ?)
            ORDER BY r.row LIMIT ?""",
            (after, run, limit),
        ).fetchall()
