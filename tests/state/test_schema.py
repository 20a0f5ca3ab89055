"""importer/state/_schema.py: every table of the state file, and state files of earlier versions, migrated in
place when opened, that resume as they would have there. Built here by hand, as those versions wrote them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from importer.errors import ConfigError
from importer.state.ledger import Ledger

FINGERPRINT = {"file": "contacts.csv", "base_url": "http://127.0.0.1:1/v1"}
TABLES = {"meta", "rows", "contacts", "runs", "before", "undo", "account_index", "synced", "uncertain", "removals"}

# The first state files: no runs, before, undo, synced or uncertain; rows without `warning`; an account index
# without the contacts' snapshots.
OLDEST = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE rows (
    row INTEGER PRIMARY KEY, status TEXT NOT NULL, identifier TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '', payload TEXT, uuid TEXT NOT NULL DEFAULT '', href TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '', cells TEXT NOT NULL DEFAULT ''
);
CREATE TABLE contacts (
    source TEXT NOT NULL, identifier TEXT NOT NULL, state TEXT NOT NULL, uuid TEXT NOT NULL DEFAULT '',
    href TEXT NOT NULL DEFAULT '', run TEXT NOT NULL, updated REAL NOT NULL, PRIMARY KEY (source, identifier)
) WITHOUT ROWID;
CREATE TABLE account_index (digits TEXT PRIMARY KEY, uuid TEXT NOT NULL, href TEXT NOT NULL) WITHOUT ROWID;
"""


def oldest(path: Path, *, finished: bool) -> None:
    db = sqlite3.connect(path)
    db.executescript(OLDEST)
    meta = {
        "schema": "2",
        "run": "oldrun",
        "run_finished": "1" if finished else "0",
        "fingerprint": json.dumps(FINGERPRINT, sort_keys=True),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    db.execute("INSERT INTO rows (row, status, identifier, source) VALUES (2, 'created', '34600000001', 'whatsapp')")
    db.executemany(
        "INSERT INTO contacts VALUES (?, ?, ?, ?, ?, 'oldrun', 1700000000.0)",
        [("whatsapp", "34600000001", "done", "u1", "h1"), ("whatsapp", "34600000002", "sending", "", "")],
    )
    db.execute("INSERT INTO account_index VALUES ('34600000001', 'u1', 'h1')")
    db.commit()
    db.close()


def columns(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_new_state_file_has_every_table(tmp_path: Path) -> None:
    Ledger.open(tmp_path / "state.db").close()
    assert tables(tmp_path / "state.db") == TABLES
    assert "warning" in columns(tmp_path / "state.db", "rows")
    assert "contact" in columns(tmp_path / "state.db", "account_index")


def test_the_oldest_state_file_is_migrated_and_its_unfinished_run_resumed(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    oldest(path, finished=False)
    with Ledger.open(path) as ledger:
        assert tables(path) == TABLES
        assert "warning" in columns(path, "rows") and "contact" in columns(path, "account_index")
        # Its run is listed (no start time known, unfinished) and resumed, with everything it knew.
        (run,) = ledger.runs.all()
        assert (run.id, run.started, run.finished) == ("oldrun", "", None)
        assert ledger.begin_run(FINGERPRINT) == ("oldrun", True)
        assert ledger.contacts.known("whatsapp", "34600000001").uuid == "u1"
        assert [i.identifier for i in ledger.contacts.unresolved("oldrun")] == ["34600000002"]
        assert ledger.rows.status_counts() == {"created": 1}
        assert [r[7] for r in ledger.rows.outcomes()] == [""]  # no warning on old rows
        assert ledger.index.find("34600000001") == ("u1", "h1")
        assert ledger.index.contact("34600000001", "u1") is None  # no snapshot: compared with Callbell instead
        assert ledger.synced.get("whatsapp", "34600000001") is None
        assert ledger.uncertain.open() == []
        ledger.end_run({"created": 2})
        assert ledger.undo.counts_of("oldrun").to_delete == 1  # what it created can be undone
    with Ledger.open(path) as ledger:  # opened again: migrated once, the run listed once
        assert [(r.id, r.counts) for r in ledger.runs.all()] == [("oldrun", {"created": 2})]


def test_the_oldest_state_files_finished_run_is_listed_and_a_new_one_starts(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    oldest(path, finished=True)
    with Ledger.open(path) as ledger:
        run, resumed = ledger.begin_run(FINGERPRINT)
        assert run != "oldrun" and not resumed
        old, new = ledger.runs.all()
    assert (old.id, old.started, old.finished) == ("oldrun", "", "")  # finished, at a time not known
    assert new.id == run and new.finished is None


def test_a_state_file_from_before_undo_and_change_detection(tmp_path: Path) -> None:
    # Runs and before existed; synced, uncertain and the snapshots in the index did not.
    path = tmp_path / "state.db"
    oldest(path, finished=True)
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE runs (id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT,"
            " dry_run INTEGER NOT NULL DEFAULT 0, counts TEXT NOT NULL DEFAULT '{}');"
            "INSERT INTO runs VALUES ('oldrun', '2025-01-01T00:00:00+00:00', '2025-01-01T00:01:00+00:00', 0, '{}');"
        )
    with Ledger.open(path) as ledger:
        assert [(r.id, r.started) for r in ledger.runs.all()] == [("oldrun", "2025-01-01T00:00:00+00:00")]
        assert tables(path) == TABLES
        ledger.index.add([("34600000003", "u3", "h3", {"name": "Tres"})])
        assert ledger.index.contact("34600000003", "u3") == {"name": "Tres"}


def test_a_state_file_from_before_on_missing(tmp_path: Path) -> None:
    # Every table but removals; rows without phone_digits, undo without new_uuid.
    path = tmp_path / "state.db"
    oldest(path, finished=True)
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE undo (run TEXT NOT NULL, uuid TEXT NOT NULL, action TEXT NOT NULL, row INTEGER,"
            " status TEXT NOT NULL, error TEXT NOT NULL DEFAULT '', PRIMARY KEY (run, uuid)) WITHOUT ROWID;"
            "INSERT INTO undo VALUES ('oldrun', 'u1', 'delete', 2, 'deleted', '');"
        )
    with Ledger.open(path) as ledger:
        assert tables(path) == TABLES
        assert "phone_digits" in columns(path, "rows") and "new_uuid" in columns(path, "undo")
        assert list(ledger.undo.outcomes("oldrun")) == [(2, "u1", "delete", "deleted", "", "")]
        # The job knows what the old state created: --on-missing can find it missing.
        assert ledger.removals.count_known() == 1
        ledger.rows.reset()
        assert [m.uuid for m in ledger.removals.missing()] == ["u1"]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
        db.execute("INSERT INTO meta VALUES ('schema', '3')")
    with pytest.raises(ConfigError, match=r"another version of the importer \(schema 3\)"):
        Ledger(path)
