"""The ledger: a SQLite file (WAL) that makes an import resumable and exactly-once.

It holds:
- `rows`: this run's rows, their outcome and original cells, keyed by the sheet row number (the results
  file is written from it, so the sheet is read once);
- `contacts`: every contact this state has created or found, with the *intent* written before each POST,
  so a run killed at any moment knows which creates may have happened and must be looked up first;
- `synced`: per contact, the values this state last sent (or found) for it: `--on-existing update` sends
  only what the file changed since (importer.delivery.changes);
- `runs`: every run of this state (start, end, counts), and `before`: a contact as it was before a run
  PATCHed it, committed before the PATCH, so a run can be undone (importer.delivery.undo, whose own progress is in
  `undo`); `uncertain`: rows whose create may have landed more than once, until the reconcile pass has
  checked them (importer.state.uncertain, importer.delivery.reconcile).

A dry run uses a throwaway ledger in a temporary directory.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sqlite3
import tempfile
import time
import uuid as uuidlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.errors import AccountError, ConfigError

SCHEMA_VERSION = "2"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    identifier TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    payload TEXT,
    uuid TEXT NOT NULL DEFAULT '',
    href TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    cells TEXT NOT NULL DEFAULT '',  -- the row's original cells as one CSV line, for the results file
    warning TEXT NOT NULL DEFAULT ''  -- what was changed or dropped on a row that is still sent
);
CREATE TABLE IF NOT EXISTS contacts (
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    state TEXT NOT NULL,           -- sending (intent written, answer not yet known) | done | existing
    uuid TEXT NOT NULL DEFAULT '',
    href TEXT NOT NULL DEFAULT '',
    run TEXT NOT NULL,             -- the run that created it: resumed runs report it as created
    updated REAL NOT NULL,
    PRIMARY KEY (source, identifier)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started TEXT NOT NULL,         -- ISO time; '' for a run recorded before this table existed
    finished TEXT,                 -- ISO time, NULL while unfinished (interrupted runs are resumed)
    dry_run INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}'  -- rows per final status, JSON
);
CREATE TABLE IF NOT EXISTS before (
    run TEXT NOT NULL,
    uuid TEXT NOT NULL,
    contact TEXT NOT NULL,         -- JSON: name, tags, custom_fields, assigned_user, team, note as the API showed them
    PRIMARY KEY (run, uuid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS undo (
    run TEXT NOT NULL,
    uuid TEXT NOT NULL,
    action TEXT NOT NULL,          -- delete | restore
    row INTEGER,
    status TEXT NOT NULL,          -- todo | deleted | gone | restored | failed
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run, uuid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS account_index (
    digits TEXT PRIMARY KEY, uuid TEXT NOT NULL, href TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT ''  -- JSON, snapshot form: the contact as the listing showed it
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS synced (
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    contact_values TEXT NOT NULL,  -- JSON, PATCH field names: what this state last sent (or found) for it
    PRIMARY KEY (source, identifier)
) WITHOUT ROWID;
"""
PENDING = "pending"  # valid, to be sent


@dataclass(frozen=True)
class RowRecord:
    row: int
    status: str
    identifier: str = ""
    source: str = ""
    payload: str | None = None  # JSON, for rows to send
    uuid: str = ""
    href: str = ""
    error: str = ""
    cells: str = ""  # the original cells as one CSV line


@dataclass(frozen=True)
class KnownContact:
    state: str
    uuid: str
    href: str
    run: str


@dataclass(frozen=True)
class RunRecord:
    id: str
    started: str
    finished: str | None  # None: interrupted, to be resumed
    dry_run: bool
    counts: dict[str, int]


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class StateLocked(AccountError):
    """Another run holds the state file."""


class Ledger:
    def __init__(self, path: Path, *, temporary: bool = False) -> None:
        self.path = path
        self.temporary = temporary
        self._lock_fh: Any = None
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            if temporary:  # a dry run's scratch file: nothing to survive a crash for
                self.db.execute("PRAGMA journal_mode=OFF")
                self.db.execute("PRAGMA synchronous=OFF")
            else:
                self.db.execute("PRAGMA journal_mode=WAL")
                # NORMAL: a commit survives a killed process. After a power loss the last intents may be gone,
                # but a resumed run still finds those contacts: it checks the account before creating.
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA cache_size=-16000")  # 16 MB: memory stays flat however big the file
            self.db.executescript(_SCHEMA)
            self._record_old_run()
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(rows)")}
            if "warning" not in columns:  # a state file from before the warning column: rows are rebuilt each run
                self.db.execute("ALTER TABLE rows ADD COLUMN warning TEXT NOT NULL DEFAULT ''")
            if "contact" not in {r[1] for r in self.db.execute("PRAGMA table_info(account_index)")}:
                # A state file from before change detection: the index is rebuilt each run.
                self.db.execute("ALTER TABLE account_index ADD COLUMN contact TEXT NOT NULL DEFAULT ''")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{path}: not a usable state file ({exc})") from None
        version = self.get_meta("schema")
        if version is None:
            self.set_meta("schema", SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise ConfigError(f"{path}: state file from another version of the importer (schema {version})")

    @classmethod
    def open(cls, path: Path) -> Ledger:
        path.parent.mkdir(parents=True, exist_ok=True)
        ledger = cls(path)
        ledger._lock()
        return ledger

    @classmethod
    def throwaway(cls) -> Ledger:
        directory = Path(tempfile.mkdtemp(prefix="importer-"))
        return cls(directory / "dry-run.db", temporary=True)

    def close(self) -> None:
        self.db.close()
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None
        if self.temporary:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self.path.parent.rmdir()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # The connection is in autocommit mode (each intent commits at once); batches need an explicit one.
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- lock --------------------------------------------------------------------------------------------

    def _lock(self) -> None:
        """An advisory lock held for the whole run; the kernel drops it when the process dies, even by SIGKILL."""
        lock_path = Path(f"{self.path}.lock")
        fh = lock_path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            self.db.close()
            raise StateLocked(
                f"{self.path}: in use by {holder}; wait for it to finish or use another --state"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        self._lock_fh = fh

    # --- meta and runs -----------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        found = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def check_fingerprint(self, fingerprint: dict[str, str]) -> None:
        """Refuse to mix two imports in one state file (and so in one results file)."""
        stored = self.get_meta("fingerprint")
        before = json.loads(stored) if stored is not None else {}
        for key, value in fingerprint.items():
            if key in before and before[key] != value:
                raise ConfigError(
                    f"{self.path}: this state file belongs to another import ({key} was {before[key]!r}, "
                    f"now {value!r}); use another --results or --state"
                )

    def begin_run(self, fingerprint: dict[str, str], started: str | None = None) -> tuple[str, bool]:
        """Start a run, or resume the last one if it never finished. Returns (run id, resumed)."""
        self.check_fingerprint(fingerprint)
        self.set_meta("fingerprint", json.dumps(fingerprint, sort_keys=True))
        run, finished = self.get_meta("run"), self.get_meta("run_finished")
        if run is not None and finished != "1":
            return run, True
        run = uuidlib.uuid4().hex
        with self.transaction():
            self.set_meta("run", run)
            self.set_meta("run_finished", "0")
            self.db.execute("INSERT OR IGNORE INTO runs (id, started) VALUES (?, ?)", (run, started or _now()))
        return run, False

    def end_run(self, counts: dict[str, int], *, finished: bool = True) -> None:
        """Record the run's counts; `finished` unless it was interrupted (the next run resumes it)."""
        run = self.get_meta("run")
        with self.transaction():
            if run is not None:
                self.db.execute(
                    "UPDATE runs SET counts = ?, finished = ? WHERE id = ?",
                    (json.dumps(counts, sort_keys=True), _now() if finished else None, run),
                )
            if finished:
                self.set_meta("run_finished", "1")

    def finish_run(self) -> None:
        self.end_run(self.status_counts())

    def runs(self) -> list[RunRecord]:
        """Every run of this state, oldest first."""
        cursor = self.db.execute("SELECT id, started, finished, dry_run, counts FROM runs ORDER BY rowid")
        return [RunRecord(i, s, f, bool(d), json.loads(c or "{}")) for i, s, f, d, c in cursor]

    def _record_old_run(self) -> None:
        """A state file from before the runs table: its last run is listed (without a start time) and can be undone."""
        run = self.get_meta("run")
        if run is not None and self.db.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is None:
            finished = "" if self.get_meta("run_finished") == "1" else None
            self.db.execute("INSERT INTO runs (id, started, finished) VALUES (?, '', ?)", (run, finished))

    # --- before: a contact's values before a run changed them --------------------------------------------

    def has_before(self, run: str, uuid: str) -> bool:
        return self.db.execute("SELECT 1 FROM before WHERE run = ? AND uuid = ?", (run, uuid)).fetchone() is not None

    def record_before(self, run: str, uuid: str, contact: dict[str, Any]) -> None:
        """Committed before the PATCH leaves; only the first record per (run, uuid) counts (a resumed run or a
        repeated row must not record the values it set itself)."""
        self.db.execute(
            "INSERT OR IGNORE INTO before (run, uuid, contact) VALUES (?, ?, ?)",
            (run, uuid, json.dumps(contact, ensure_ascii=False, sort_keys=True)),
        )

    # --- rows --------------------------------------------------------------------------------------------

    def reset_rows(self) -> None:
        """Rows are rebuilt from the file on every run; what was created lives on in `contacts`."""
        self.db.execute("DELETE FROM rows")

    def add_rows(self, rows: Iterable[tuple[int, str, str, str, str | None, str, str, str, str, str]]) -> None:
        """Rows as (row, status, identifier, source, payload, uuid, href, error, cells, warning): plain tuples,
        since a million of them pass through here."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO rows (row, status, identifier, source, payload, uuid, href, error, cells,"
                " warning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def mark_duplicates(self) -> None:
        """A number repeated in the file is sent once: the first row wins, the later ones say which row that is."""
        with self.transaction():
            # One sorted pass (a window function), whatever the number of repeats.
            self.db.execute(
                f"""UPDATE rows SET status = 'duplicate', payload = NULL, error = 'same phone as row ' || d.first
                FROM (
                    SELECT row, first FROM (
                        SELECT row, MIN(row) OVER (PARTITION BY source, identifier) AS first
                        FROM rows WHERE status = '{PENDING}')
                    WHERE row > first) AS d
                WHERE rows.row = d.row"""
            )

    def set_outcome(self, row: int, status: str, *, uuid: str = "", href: str = "", error: str = "") -> None:
        self.db.execute(
            "UPDATE rows SET status = ?, uuid = ?, href = ?, error = ? WHERE row = ?", (status, uuid, href, error, row)
        )

    def pending(self) -> Iterator[RowRecord]:
        cursor = self.db.execute(
            "SELECT row, status, identifier, source, payload FROM rows WHERE status = ? ORDER BY row", (PENDING,)
        )
        for row, status, identifier, source, payload in cursor:
            yield RowRecord(row, status, identifier, source, payload)

    def explain_pending(self, why: str) -> None:
        self.db.execute("UPDATE rows SET error = ? WHERE status = ?", (why, PENDING))

    def count_pending(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM rows WHERE status = ?", (PENDING,)).fetchone()[0])

    def outcomes(self) -> Iterator[tuple[int, str, str, str, str, str, str, str]]:
        """(row, status, uuid, identifier, error, href, cells, warning) in row order, as the results file wants."""
        return self.db.execute(
            "SELECT row, status, uuid, identifier, error, href, cells, warning FROM rows ORDER BY row"
        )

    def groups(self, status: str, by_error: bool, limit: int = 5) -> Iterator[tuple[str, int, list[int]]]:
        """(error or "", rows, first row numbers) of the rows with `status`, grouped by their error text or not."""
        key = "error" if by_error else "''"
        cursor = self.db.execute(
            f"SELECT {key}, COUNT(*), MIN(row) FROM rows WHERE status = ? GROUP BY {key} ORDER BY COUNT(*) DESC",
            (status,),
        )
        for error, count, _ in cursor.fetchall():
            where, args = ("status = ? AND error = ?", (status, error)) if by_error else ("status = ?", (status,))
            first = [
                r[0]
                for r in self.db.execute(f"SELECT row FROM rows WHERE {where} ORDER BY row LIMIT ?", (*args, limit))
            ]
            yield str(error), int(count), first

    def status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM rows GROUP BY status").fetchall())

    # --- contacts: intent and outcome of creates ---------------------------------------------------------

    def known(self, source: str, identifier: str) -> KnownContact | None:
        found = self.db.execute(
            "SELECT state, uuid, href, run FROM contacts WHERE source = ? AND identifier = ?", (source, identifier)
        ).fetchone()
        return None if found is None else KnownContact(*found)

    def count_known(self) -> int:
        """Contacts this state created or found (a floor for the account's size)."""
        return int(self.db.execute("SELECT COUNT(*) FROM contacts WHERE state != 'sending'").fetchone()[0])

    def intend(self, source: str, identifier: str, run: str) -> None:
        """Written (and committed) before the POST: after a crash, this row must be looked up, not re-sent."""
        self.db.execute(
            "INSERT OR REPLACE INTO contacts VALUES (?, ?, 'sending', '', '', ?, ?)",
            (source, identifier, run, time.time()),
        )

    def remember(self, source: str, identifier: str, uuid: str, href: str, run: str, state: str = "done") -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?)",
            (source, identifier, state, uuid, href, run, time.time()),
        )

    def forget(self, source: str, identifier: str) -> None:
        """The POST was refused for certain: nothing was created."""
        self.db.execute(
            "DELETE FROM contacts WHERE source = ? AND identifier = ? AND state = 'sending'", (source, identifier)
        )

    # --- synced: what this state last sent (or found) per contact ------------------------------------------

    def synced(self, source: str, identifier: str) -> dict[str, Any] | None:
        found = self.db.execute(
            "SELECT contact_values FROM synced WHERE source = ? AND identifier = ?", (source, identifier)
        ).fetchone()
        return None if found is None else dict(json.loads(found[0]))

    def set_synced(self, source: str, identifier: str, values: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO synced VALUES (?, ?, ?)",
            (source, identifier, json.dumps(values, ensure_ascii=False, sort_keys=True)),
        )

    def pending_with_record(self, run: str, after: int, limit: int) -> list[tuple[int, str, str, str, str]]:
        """(row, payload, uuid, href, record) of pending rows whose contact this state knows (not created by `run`,
        which reports it as created) and has a record for, in row order after `after`."""
        return self.db.execute(
            f"""SELECT r.row, r.payload, c.uuid, c.href, s.contact_values FROM rows r
            JOIN contacts c ON c.source = r.source AND c.identifier = r.identifier
            JOIN synced s ON s.source = r.source AND s.identifier = r.identifier
            WHERE r.status = '{PENDING}' AND r.row > ? AND c.state != 'sending' AND NOT (c.state = 'done' AND c.run = ?)
            ORDER BY r.row LIMIT ?""",
            (after, run, limit),
        ).fetchall()

    def set_outcomes(self, outcomes: list[tuple[str, str, str, int]]) -> None:
        """(status, uuid, href, row) for many rows at once."""
        with self.transaction():
            self.db.executemany("UPDATE rows SET status = ?, uuid = ?, href = ?, error = '' WHERE row = ?", outcomes)

    def forget_synced(self, uuid: str) -> None:
        """A contact undone: the next run compares the file with the contact as Callbell shows it."""
        self.db.execute(
            "DELETE FROM synced WHERE (source, identifier) IN (SELECT source, identifier FROM contacts WHERE uuid = ?)",
            (uuid,),
        )
