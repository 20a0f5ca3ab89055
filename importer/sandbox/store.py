"""Contact storage for the sandbox: one sqlite3 database, in memory by default or in a file (``--db``).

Every call is synchronous and the server runs on a single event loop, so a handler that checks for a duplicate
and then inserts (with no ``await`` in between) is atomic without any locking.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Bumped whenever the table layout changes, so an old --db file is refused instead of misread.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    identifier        TEXT NOT NULL,
    source            TEXT NOT NULL,
    identity_channel  TEXT NOT NULL,
    identity_key      TEXT NOT NULL,
    channel_uuid      TEXT,
    phone_number      TEXT,
    created_at        TEXT NOT NULL,
    tags              TEXT NOT NULL,
    custom_fields     TEXT NOT NULL,
    assigned_user     TEXT,
    team_uuid         TEXT,
    bot_status        TEXT,
    note              TEXT
);
-- Not UNIQUE: --on-duplicate create must be able to store the same identity twice.
CREATE INDEX IF NOT EXISTS contacts_identity ON contacts (identity_channel, identity_key);
CREATE INDEX IF NOT EXISTS contacts_phone ON contacts (identity_channel, phone_number);
"""

# The columns a write sets, in _params order (seq is assigned by sqlite).
_WRITE_COLUMNS = (
    "uuid", "name", "identifier", "source", "identity_channel", "identity_key", "channel_uuid", "phone_number",
    "created_at", "tags", "custom_fields", "assigned_user", "team_uuid", "bot_status", "note",
)  # fmt: skip
_COLUMNS = ", ".join(("seq", *_WRITE_COLUMNS))
_INSERT = f"INSERT INTO contacts ({', '.join(_WRITE_COLUMNS)}) VALUES ({', '.join('?' * len(_WRITE_COLUMNS))})"
_UPDATE = f"UPDATE contacts SET {', '.join(c + ' = ?' for c in _WRITE_COLUMNS)} WHERE seq = ?"


class StoreError(RuntimeError):
    """The database file cannot be opened or is not a sandbox database."""


@dataclass
class ContactRecord:
    """One stored contact; ``identity_channel``/``identity_key`` are what duplicates are detected on."""

    uuid: str
    name: str
    identifier: str
    source: str
    identity_channel: str
    identity_key: str
    created_at: str
    channel_uuid: str | None = None
    phone_number: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    assigned_user: str | None = None
    team_uuid: str | None = None
    bot_status: str | None = None
    note: str | None = None
    seq: int = 0  # insertion order, assigned by the store; "oldest first" paging follows it


@dataclass(frozen=True)
class ContactFilter:
    source: str | None = None
    tags: tuple[str, ...] = ()  # a contact must carry all of them
    team_uuid: str | None = None
    before_seq: int | None = None  # only contacts created before this one (a lagging read, see replica.py)


class ContactStore:
    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        try:
            # Autocommit (isolation_level=None): each write is its own transaction, so a contact is durable
            # the moment the handler returns; check_same_thread=False because the connection is created
            # before the event loop starts (all use still happens on the loop's thread).
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            if self.path != ":memory:":
                # WAL without fsync per commit: survives a process restart (what --db is for) at a write
                # speed that keeps the sandbox well above the real API's 300 requests/s.
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise StoreError(f"{self.path}: database schema version {version}, expected {SCHEMA_VERSION}")
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version == 0 and tables - {"sqlite_sequence"}:
                raise StoreError(f"{self.path}: not a sandbox database (it already holds other tables)")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the sandbox database ({exc})") from None

    def close(self) -> None:
        self._db.close()

    def insert(self, record: ContactRecord) -> ContactRecord:
        cur = self._db.execute(_INSERT, _params(record))
        record.seq = int(cur.lastrowid or 0)
        return record

    def update(self, record: ContactRecord) -> None:
        self._db.execute(_UPDATE, (*_params(record), record.seq))

    def delete(self, uuid: str) -> bool:
        """Remove the contact; False when there was none."""
        return self._db.execute("DELETE FROM contacts WHERE uuid = ?", (uuid,)).rowcount > 0

    def get(self, uuid: str, before_seq: int | None = None) -> ContactRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM contacts WHERE uuid = ? AND seq < ?", (uuid, _upto(before_seq))
        ).fetchone()
        return _record(row) if row else None

    def find_identity(self, channel: str, key: str) -> ContactRecord | None:
        """The oldest contact with this identity (there can be several under --on-duplicate create)."""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM contacts WHERE identity_channel = ? AND identity_key = ? ORDER BY seq LIMIT 1",
            (channel, key),
        ).fetchone()
        return _record(row) if row else None

    def find_phone(self, channel: str, phone_number: str, before_seq: int | None = None) -> ContactRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM contacts WHERE identity_channel = ? AND phone_number = ? AND seq < ?"
            " ORDER BY seq LIMIT 1",
            (channel, phone_number, _upto(before_seq)),
        ).fetchone()
        return _record(row) if row else None

    def page(self, offset: int, limit: int, where: ContactFilter | None = None) -> list[ContactRecord]:
        where = where or ContactFilter()
        clauses: list[str] = []
        params: list[Any] = []
        if where.source is not None:
            clauses.append("source = ?")
            params.append(where.source)
        if where.team_uuid is not None:
            clauses.append("team_uuid = ?")
            params.append(where.team_uuid)
        if where.before_seq is not None:
            clauses.append("seq < ?")
            params.append(where.before_seq)
        for tag in where.tags:
            # Tags live in a JSON array column; json_each keeps the filter (and so the paging) in SQL.
            clauses.append("EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE json_each.value = ?)")
            params.append(tag)
        sql = f"SELECT {_COLUMNS} FROM contacts"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY seq LIMIT ? OFFSET ?"
        return [_record(r) for r in self._db.execute(sql, (*params, limit, offset))]

    def all(self) -> list[ContactRecord]:
        return [_record(r) for r in self._db.execute(f"SELECT {_COLUMNS} FROM contacts ORDER BY seq")]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])

    def clear(self) -> None:
        self._db.execute("DELETE FROM contacts")


def _upto(before_seq: int | None) -> int:
    return (1 << 62) if before_seq is None else before_seq


def _params(r: ContactRecord) -> tuple[Any, ...]:
    return (
        r.uuid,
        r.name,
        r.identifier,
        r.source,
        r.identity_channel,
        r.identity_key,
        r.channel_uuid,
        r.phone_number,
        r.created_at,
        json.dumps(r.tags, ensure_ascii=False),
        json.dumps(r.custom_fields, ensure_ascii=False),
        r.assigned_user,
        r.team_uuid,
        r.bot_status,
        r.note,
    )


def _record(row: sqlite3.Row) -> ContactRecord:
    return ContactRecord(
        seq=row["seq"],
        uuid=row["uuid"],
        name=row["name"],
        identifier=row["identifier"],
        source=row["source"],
        identity_channel=row["identity_channel"],
        identity_key=row["identity_key"],
        channel_uuid=row["channel_uuid"],
        phone_number=row["phone_number"],
        created_at=row["created_at"],
        tags=json.loads(row["tags"]),
        custom_fields=json.loads(row["custom_fields"]),
        assigned_user=row["assigned_user"],
        team_uuid=row["team_uuid"],
        bot_status=row["bot_status"],
        note=row["note"],
    )
