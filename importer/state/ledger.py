"""The ledger: the state file beside the results, a SQLite file (WAL) that makes an import resumable and
exactly-once. `Ledger` opens it (creating or migrating its tables: importer.state._schema), holds the lock for
the run, keeps `meta` (the current run, the import's fingerprint) and exposes one part per concern, all on the
same connection:

- `ledger.rows` (importer.state.rows): this run's rows, their outcome and original cells;
- `ledger.contacts` (importer.state.contacts): every contact this state created or found, and the *intent*
  written before each create, so a run killed at any moment knows which creates may have happened;
- `ledger.synced` (importer.state.synced): per contact, the values this state last sent (or found);
- `ledger.runs` (importer.state.runs): every run of this state, and `before`: a contact as it was before a run
  PATCHed it, so a run can be undone; `ledger.undo` (importer.state.undo): an undo's plan and progress;
- `ledger.index` (importer.state.account_index): the account's contacts by number, when it was paged;
- `ledger.uncertain` (importer.state.uncertain): rows whose create may have landed more than once, until the
  reconcile pass has checked them;
- `ledger.removals` (importer.state.removals): what `--on-missing` did to the contacts that left the source.

No SQL on the state file lives outside importer.state. A dry run uses a throwaway ledger in a temporary directory.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sqlite3
import tempfile
import time
import uuid as uuidlib
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from importer.errors import AccountError, ConfigError
from importer.i18n.message import N_, Text
from importer.state import _schema
from importer.state._part import transaction
from importer.state.account_index import AccountIndexTable
from importer.state.contacts import Contacts, Intent, KnownContact
from importer.state.removals import Missing, Removal, Removals, Returned
from importer.state.rows import PENDING, VALID, NewRow, RowRecord, Rows
from importer.state.runs import RunRecord, Runs
from importer.state.synced import Synced
from importer.state.uncertain import Doubt, Uncertain
from importer.state.undo import Planned, Undo, UndoCounts

# The records of every part, importable from the ledger, the state's one entry.
__all__ = [
    "PENDING",
    "Doubt",
    "Intent",
    "KnownContact",
    "Ledger",
    "Missing",
    "Removal",
    "NewRow",
    "Returned",
    "Planned",
    "RowRecord",
    "RunRecord",
    "StateLocked",
    "UndoCounts",
    "VALID",
]

SCHEMA_VERSION = _schema.SCHEMA_VERSION


class StateLocked(AccountError):
    """Another run holds the state file."""


class Ledger:
    rows: Rows
    contacts: Contacts
    synced: Synced
    runs: Runs
    undo: Undo
    index: AccountIndexTable
    uncertain: Uncertain
    removals: Removals

    def __init__(self, path: Path, *, temporary: bool = False) -> None:
        self.path = path
        self.temporary = temporary
        self._lock_fh: Any = None
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            if temporary:  # a dry run's scratch file: nothing to survive a crash for
                self._db.execute("PRAGMA journal_mode=OFF")
                self._db.execute("PRAGMA synchronous=OFF")
            else:
                self._db.execute("PRAGMA journal_mode=WAL")
                # NORMAL: a commit survives a killed process. After a power loss the last intents may be gone,
                # but a resumed run still finds those contacts: it checks the account before creating.
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA cache_size=-16000")  # 16 MB: memory stays flat however big the file
            _schema.prepare(self._db)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(N_("{path}: not a usable state file ({error})", path=str(path), error=str(exc))) from None
        version = self.get_meta("schema")
        if version is None:
            self.set_meta("schema", SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise ConfigError(
                N_(
                    "{path}: state file from another version of the importer (schema {version})",
                    path=str(path),
                    version=version,
                )
            )
        self.rows = Rows(self._db)
        self.contacts = Contacts(self._db)
        self.synced = Synced(self._db)
        self.runs = Runs(self._db)
        self.undo = Undo(self._db, self.contacts, self.synced)
        self.index = AccountIndexTable(self._db)
        self.uncertain = Uncertain(self._db, self.contacts)
        self.removals = Removals(self._db)

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
        self._db.close()
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

    def transaction(self) -> AbstractContextManager[None]:
        """Writes of several parts that must land together (e.g. a contact kept and its doubt closed)."""
        return transaction(self._db)

    # --- lock --------------------------------------------------------------------------------------------

    def _lock(self) -> None:
        """An advisory lock held for the whole run; the kernel drops it when the process dies, even by SIGKILL."""
        lock_path = Path(f"{self.path}.lock")
        fh = lock_path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder: Text = fh.read().strip() or N_("another process")
            fh.close()
            self._db.close()
            raise StateLocked(
                N_(
                    "{path}: in use by {holder}; wait for it to finish or use another --state",
                    path=str(self.path),
                    holder=holder,
                )
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        self._lock_fh = fh

    # --- meta and the current run ------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def check_fingerprint(self, fingerprint: dict[str, str]) -> None:
        """Refuse to mix two imports in one state file (and so in one results file)."""
        stored = self.get_meta("fingerprint")
        _check_fingerprint(self.path, json.loads(stored) if stored is not None else {}, fingerprint)

    @staticmethod
    def resumes(path: Path, fingerprint: dict[str, str]) -> bool:
        """Does the state file at `path` hold an unfinished run of this input? ConfigError, as check_fingerprint,
        when it belongs to another import. Read without the lock and without changing the file: the run that asks
        has not taken it yet (it decides, before fetching its input, whether to read the interrupted run's snapshot
        again, and must not replace another import's). No file, or not a state file: False; the ledger tells what
        is wrong when the run opens it."""
        if not path.is_file():
            return False
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                keys = "('run', 'run_finished', 'fingerprint')"
                meta = dict(db.execute(f"SELECT key, value FROM meta WHERE key IN {keys}"))
            finally:
                db.close()
            before = json.loads(meta.get("fingerprint") or "{}")
        except (sqlite3.Error, ValueError):
            return False
        _check_fingerprint(path, before, fingerprint)
        return meta.get("run") is not None and meta.get("run_finished") != "1"

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
            self.runs.start(run, started)
        return run, False

    def end_run(self, counts: dict[str, int], *, finished: bool = True) -> None:
        """Record the run's counts; `finished` unless it was interrupted (the next run resumes it)."""
        run = self.get_meta("run")
        with self.transaction():
            if run is not None:
                self.runs.end(run, counts, finished=finished)
            if finished:
                self.set_meta("run_finished", "1")


def _check_fingerprint(path: Path, before: dict[str, str], fingerprint: dict[str, str]) -> None:
    for key, value in fingerprint.items():
        if key in before and before[key] != value:
            raise ConfigError(
                N_(
                    "{path}: this state file belongs to another import ({key} was {before!r}, now {now!r}); use another"
                    " --results or --state",
                    path=str(path),
                    key=key,
                    before=before[key],
                    now=value,
                )
            )
