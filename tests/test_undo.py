"""Runs, the values before an update, and `importer undo`, over real HTTP against the sandbox.

Like tests/test_delivery.py, each test runs the real `importer` command in a subprocess; moments to kill an
undo are chosen by watching the sandbox's statistics, never by sleeping.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
from test_delivery import make_csv, results_of, run_import

from importer.ledger import Ledger


def state_of(results: Path) -> Path:
    return results.with_name(f"{results.stem}.state.db")


def read_state(results: Path, sql: str, *args: object) -> list[tuple]:
    db = sqlite3.connect(state_of(results))
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def make_contact(sandbox, identifier: str, **fields: object) -> dict:
    response = httpx.post(
        f"{sandbox.base_url}/contacts",
        json={"identifier": identifier, "source": "whatsapp", **fields},
        headers=sandbox.headers,
    )
    response.raise_for_status()
    return dict(response.json()["contact"][0])


def test_runs_are_recorded_with_their_counts(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 5), results).returncode == 0
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 7), results).returncode == 0
    with Ledger(state_of(results)) as ledger:
        first, second = ledger.runs()
    assert first.counts == {"created": 5} and second.counts == {"created": 2, "skipped": 5}
    assert first.finished and second.finished and not first.dry_run
    assert first.started <= second.started and first.id != second.id
    created = read_state(results, "SELECT run, COUNT(*) FROM contacts WHERE state = 'done' GROUP BY run")
    assert dict(created) == {first.id: 5, second.id: 2}


def test_an_update_records_the_contact_before_it_is_patched(sandbox, tmp_path: Path) -> None:
    old = make_contact(
        sandbox, "34600000001", name="Made by hand", tags=["Lead"], custom_fields={"Status": "Trial"}, note="hi"
    )
    results = tmp_path / "r.csv"
    file = make_csv(tmp_path / "c.csv", 3)
    assert run_import(sandbox, file, results, "--on-existing", "update").returncode == 0
    rows = read_state(results, "SELECT run, uuid, contact FROM before")
    assert len(rows) == 1 and rows[0][1] == old["uuid"]
    assert json.loads(rows[0][2]) == {
        "name": "Made by hand",
        "tags": ["Lead"],
        "custom_fields": {"Status": "Trial"},
        "assigned_user": None,
        "team": None,
        "note": "hi",
    }
    # A second run (which PATCHes all three) records the values the first one left, under its own id.
    assert run_import(sandbox, file, results, "--on-existing", "update").returncode == 0
    second = read_state(results, "SELECT uuid, contact FROM before WHERE run != ?", rows[0][0])
    assert len(second) == 3 and json.loads(dict(second)[old["uuid"]])["name"] == "Persona 1"


def test_a_state_file_from_before_the_runs_table_still_works(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    file = make_csv(tmp_path / "c.csv", 3)
    assert run_import(sandbox, file, results).returncode == 0
    db = sqlite3.connect(state_of(results))
    db.executescript("DROP TABLE runs; DROP TABLE before; DROP TABLE undo;")
    db.close()
    proc = run_import(sandbox, make_csv(tmp_path / "c.csv", 4), results)
    assert proc.returncode == 0, proc.stderr
    assert [r["status"] for r in results_of(results)] == ["skipped"] * 3 + ["created"]
    with Ledger(state_of(results)) as ledger:
        old, new = ledger.runs()
    assert old.started == "" and old.finished == "" and new.counts == {"created": 1, "skipped": 3}
