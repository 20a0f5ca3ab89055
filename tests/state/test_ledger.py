"""importer/state/ledger.py on its own: the intent before each create, resuming an unfinished run, refusing another
import's state file, the lock, and the rows' bookkeeping. End to end (kills, resumes over HTTP) in
test_delivery.py."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from importer.errors import ConfigError
from importer.state.ledger import PENDING, Ledger, StateLocked

FINGERPRINT = {"file": "contacts.csv", "base_url": "http://127.0.0.1:1/v1"}


def row(
    n: int, identifier: str, status: str = PENDING
) -> tuple[int, str, str, str, str | None, str, str, str, str, str]:
    return (n, status, identifier, "whatsapp", '{"name": "x"}', "", "", "", f"cells {n}", "")


def test_intent_then_outcome(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "state.db") as ledger:
        assert ledger.contacts.known("whatsapp", "34600000001") is None
        ledger.contacts.intend("whatsapp", "34600000001", "run1")
        assert ledger.contacts.known("whatsapp", "34600000001").state == "sending"
        assert ledger.contacts.count_known() == 0  # an intent is not a contact yet
        ledger.contacts.remember("whatsapp", "34600000001", "uuid1", "https://dash/1", "run1")
        known = ledger.contacts.known("whatsapp", "34600000001")
        assert (known.state, known.uuid, known.href, known.run) == ("done", "uuid1", "https://dash/1", "run1")
        ledger.contacts.forget("whatsapp", "34600000001")  # only an intent is forgotten, never a created contact
        assert ledger.contacts.known("whatsapp", "34600000001") is not None
        ledger.contacts.intend("whatsapp", "34600000002", "run1")
        ledger.contacts.forget("whatsapp", "34600000002")  # the POST was refused for certain
        assert ledger.contacts.known("whatsapp", "34600000002") is None
        assert ledger.contacts.count_known() == 1


def test_the_intent_is_committed_before_the_request_leaves(tmp_path: Path) -> None:
    # What another connection (the next run, after a SIGKILL) sees at once, without a close or a commit call.
    path = tmp_path / "state.db"
    ledger = Ledger.open(path)
    ledger.contacts.intend("whatsapp", "34600000001", "run1")
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT state FROM contacts").fetchall() == [("sending",)]
    ledger.close()


def test_an_unfinished_run_is_resumed_and_a_finished_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Ledger.open(path) as ledger:
        first, resumed = ledger.begin_run(FINGERPRINT)
        assert not resumed
        ledger.end_run({"pending": 3}, finished=False)  # stopped by a signal
    with Ledger.open(path) as ledger:
        assert ledger.begin_run(FINGERPRINT) == (first, True)
        ledger.end_run({"created": 3})
    with Ledger.open(path) as ledger:
        second, resumed = ledger.begin_run(FINGERPRINT)
        assert second != first and not resumed
        runs = ledger.runs.all()
    assert [r.id for r in runs] == [first, second]
    assert runs[0].finished is not None and runs[0].counts == {"created": 3}
    assert runs[1].finished is None


def test_a_state_file_of_another_import_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Ledger.open(path) as ledger:
        ledger.begin_run(FINGERPRINT)
    with Ledger.open(path) as ledger:
        ledger.check_fingerprint(FINGERPRINT)  # the same import: fine
        ledger.check_fingerprint({"file": "contacts.csv"})  # a key not given is not compared
        with pytest.raises(
            ConfigError, match=r"belongs to another import \(file was 'contacts.csv', now 'other.csv'\)"
        ):
            ledger.begin_run({**FINGERPRINT, "file": "other.csv"})


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Name,Phone\n" * 200, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"contacts.csv: not a usable state file"):
        Ledger(path)
    newer = tmp_path / "newer.db"
    with Ledger.open(newer) as ledger:
        ledger.set_meta("schema", "99")
    with pytest.raises(ConfigError, match=r"state file from another version of the importer \(schema 99\)"):
        Ledger(newer)


def test_one_run_at_a_time_per_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    holder = Ledger.open(path)
    with pytest.raises(StateLocked, match=r"state.db: in use by pid \d+ on .+ since "):
        Ledger.open(path)
    holder.close()
    Ledger.open(path).close()  # released on close


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    code = (
        "import os, sys; from pathlib import Path; from importer.state.ledger import Ledger; "
        f"Ledger.open(Path({str(path)!r})); print('held', flush=True); os._exit(0)"  # no close: as if killed
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout == "held\n"
    Ledger.open(path).close()


def test_rows_duplicates_and_outcomes(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "state.db") as ledger:
        ledger.rows.add([row(2, "34600000001"), row(3, "34600000002"), row(4, "34600000001"), row(5, "", "invalid")])
        ledger.rows.mark_duplicates()
        assert [r.row for r in ledger.rows.pending()] == [2, 3]
        assert ledger.rows.count_pending() == 2
        ledger.rows.set_outcome(2, "created", uuid="u2", href="h2")
        outcomes = {r[0]: r for r in ledger.rows.outcomes()}
        assert outcomes[2][1:3] == ("created", "u2")
        assert outcomes[4][1] == "duplicate" and outcomes[4][4] == "same phone as row 2"
        assert outcomes[5][6] == "cells 5"
        assert ledger.rows.status_counts() == {"created": 1, "pending": 1, "duplicate": 1, "invalid": 1}
        ledger.rows.reset()  # rows are rebuilt each run; contacts stay
        assert ledger.rows.status_counts() == {}


def test_before_keeps_the_first_record_and_synced_can_be_forgotten(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "state.db") as ledger:
        ledger.runs.record_before("run1", "u1", {"name": "Before"})
        ledger.runs.record_before("run1", "u1", {"name": "What this run set"})  # a resumed run: ignored
        assert ledger.runs.has_before("run1", "u1") and not ledger.runs.has_before("run2", "u1")
        assert ledger.runs.before("run1", "u1") == {"name": "Before"}
        ledger.contacts.remember("whatsapp", "34600000001", "u1", "h1", "run1")
        ledger.synced.set("whatsapp", "34600000001", {"name": "Ana", "tags": ["VIP"]})
        assert ledger.synced.get("whatsapp", "34600000001") == {"name": "Ana", "tags": ["VIP"]}
        ledger.synced.forget("u1")
        assert ledger.synced.get("whatsapp", "34600000001") is None


def test_a_dry_runs_throwaway_state_leaves_nothing(tmp_path: Path) -> None:
    ledger = Ledger.throwaway()
    directory = ledger.path.parent
    ledger.rows.add([row(2, "34600000001")])
    assert directory.exists()
    ledger.close()
    assert not directory.exists()
