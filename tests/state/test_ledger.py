"""importer/state/ledger.py on its own: opening the state file, resuming an unfinished run, refusing another
import's state file, the lock, transactions across parts, and a dry run's throwaway file. Each part has its own
tests (test_rows.py, test_contacts.py, ...); old state files in test_schema.py; end to end (kills, resumes over
HTTP) in tests/e2e/test_delivery.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from importer.errors import ConfigError
from importer.state.ledger import PENDING, Ledger, StateLocked

FINGERPRINT = {"file": "contacts.csv", "base_url": "http://127.0.0.1:1/v1"}


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


def test_a_run_learns_before_taking_the_lock_whether_it_resumes(tmp_path: Path) -> None:
    # Asked before a non-local input is fetched: an unfinished run of the same input reads its snapshot again.
    path = tmp_path / "state.db"
    assert not Ledger.resumes(path, FINGERPRINT) and not path.exists()  # no state file: nothing made
    with Ledger.open(path) as ledger:
        ledger.begin_run(FINGERPRINT)
        ledger.end_run({"pending": 3}, finished=False)
        assert Ledger.resumes(path, FINGERPRINT)  # read without the lock the run holds, changing nothing
    assert Ledger.resumes(path, {"file": "contacts.csv"})
    with pytest.raises(ConfigError, match="belongs to another import"):
        Ledger.resumes(path, {"file": "other.csv"})
    with Ledger.open(path) as ledger:
        ledger.begin_run(FINGERPRINT)
        ledger.end_run({"created": 3})
    assert not Ledger.resumes(path, FINGERPRINT)
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    assert not Ledger.resumes(tmp_path / "junk.db", FINGERPRINT)  # opening it for the run says what is wrong


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


def test_a_transaction_spans_the_parts(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError), ledger.transaction():
        ledger.contacts.remember("whatsapp", "34600000001", "u1", "h1", "run1")
        ledger.uncertain.doubt("whatsapp", "34600000001", "run1", since=1.0)
        raise RuntimeError("killed between the two")
    assert ledger.contacts.known("whatsapp", "34600000001") is None and ledger.uncertain.open() == []
    with ledger.transaction():
        ledger.contacts.remember("whatsapp", "34600000001", "u1", "h1", "run1")
        ledger.uncertain.doubt("whatsapp", "34600000001", "run1", since=1.0)
    assert ledger.contacts.count_known() == 1 and ledger.uncertain.count_open() == 1


def test_a_dry_runs_throwaway_state_leaves_nothing(tmp_path: Path) -> None:
    ledger = Ledger.throwaway()
    directory = ledger.path.parent
    ledger.rows.add([(2, PENDING, "34600000001", "whatsapp", None, "", "", "", "", "")])
    assert directory.exists()
    ledger.close()
    assert not directory.exists()
