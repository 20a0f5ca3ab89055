"""Runs, the values before an update, and `importer undo`, over real HTTP against the sandbox.

Like tests/e2e/test_delivery.py, each test runs the real `importer` command in a subprocess; moments to kill an
undo are chosen by watching the sandbox's statistics, never by sleeping.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from inproc import run_importer
from test_delivery import env_with, make_csv, results_of, run_import, start_import, wait_for

from importer.state.ledger import Ledger


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
        first, second = ledger.runs.all()
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
    # A second run, on a file whose names all changed (so it PATCHes all three), records the values the first
    # one left, under its own id.
    file.write_text(file.read_text(encoding="utf-8").replace("Persona", "Person"), encoding="utf-8")
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
        old, new = ledger.runs.all()
    assert old.started == "" and old.finished == "" and new.counts == {"created": 1, "skipped": 3}


# --- importer undo -----------------------------------------------------------------------------------------


def undo_args(sandbox, results: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "importer", "undo", str(results), "--base-url", sandbox.base_url, "--no-progress",
        *extra,
    ]  # fmt: skip


def run_undo(sandbox, results: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_importer(undo_args(sandbox, results, *extra), env=env_with(sandbox.token))  # not a terminal


def start_undo(sandbox, results: Path, *extra: str) -> subprocess.Popen[str]:
    """`importer undo` as a process of its own, to kill or signal mid-way."""
    return subprocess.Popen(
        undo_args(sandbox, results, *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env_with(sandbox.token),
    )


def undo_rows(results: Path) -> list[dict[str, str]]:
    return results_of(results.with_name(f"{results.stem}.undo.csv"))


def run_ids(results: Path) -> list[str]:
    with Ledger(state_of(results)) as ledger:
        return [r.id for r in ledger.runs.all()]


def test_import_then_undo_then_import_again(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory(token="sbx_UNDO-SECRET-4c1d9e")
    kept = make_contact(sandbox, "34600000003", name="Made by hand")
    results = tmp_path / "r.csv"
    file = make_csv(tmp_path / "c.csv", 12)
    assert run_import(sandbox, file, results).returncode == 0
    created = {r["uuid"]: r for r in results_of(results) if r["status"] == "created"}
    assert len(created) == 11  # the twelfth was there already: skipped, and never touched by the undo

    proc = run_undo(sandbox, results, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "11 deleted" in proc.stdout and "Traceback" not in proc.stderr
    assert [c["uuid"] for c in sandbox.contacts()] == [kept["uuid"]]
    assert sandbox.stats()["deleted"] == 11
    rows = undo_rows(results)
    assert [r["uuid"] for r in rows] == list(created)  # in sheet-row order
    for row in rows:
        assert row == {"row": str(2 + int(created[row["uuid"]]["identifier"][-2:])), "uuid": row["uuid"],
                       "action": "delete", "status": "deleted", "error": "", "new_uuid": ""}  # fmt: skip
    assert read_state(results, "SELECT COUNT(*) FROM contacts WHERE state = 'done'") == [(0,)]

    # Twice: nothing changes, nothing is even sent.
    before = sandbox.stats()
    again = run_undo(sandbox, results, "--yes")
    assert again.returncode == 0, again.stderr
    assert "nothing left to undo" in again.stdout
    assert sandbox.stats() == before
    assert undo_rows(results) == rows
    listing = subprocess.run(
        [sys.executable, "-m", "importer", "runs", str(results)], capture_output=True, text=True, timeout=60
    )
    assert "undone (last)" in listing.stdout
    written = "".join(p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file())
    printed = proc.stdout + proc.stderr + again.stdout + again.stderr + listing.stdout
    assert sandbox.token not in written + printed

    # The state forgot what it deleted: the same import creates those rows again, under new uuids.
    final = run_import(sandbox, file, results)
    assert final.returncode == 0, final.stderr
    statuses = {r["identifier"]: r["status"] for r in results_of(results)}
    assert list(statuses.values()).count("created") == 11 and statuses["34600000003"] == "skipped"
    assert len(sandbox.contacts()) == 12 and not set(created) & {c["uuid"] for c in sandbox.contacts()}


@pytest.mark.slow
def test_undo_after_a_run_with_faults_and_lost_answers(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--fail-rate", "0.1", "--drop-after-commit", "0.1", "--seed", "11")
    results = tmp_path / "r.csv"
    # No read lag here: a short --settle keeps the look-ups after each lost answer quick.
    proc = run_import(sandbox, make_csv(tmp_path / "c.csv", 100), results, "--max-retries", "10", "--settle", "0.3")
    assert proc.returncode == 0, proc.stderr
    dropped = sandbox.stats()["dropped"]
    undo = run_undo(sandbox, results, "--yes", "--max-retries", "10", "--settle", "0.3")
    assert undo.returncode == 0, undo.stderr
    assert sandbox.contacts() == []
    stats = sandbox.stats()
    assert stats["deleted"] == 100 and stats["dropped"] > dropped  # some DELETE answers were lost too
    statuses = Counter(r["status"] for r in undo_rows(results))
    # A DELETE whose answer was lost is sent again and finds nothing: gone, not an error.
    assert sum(statuses.values()) == 100 and set(statuses) <= {"deleted", "gone"} and statuses["gone"] > 0


@pytest.mark.slow
def test_undo_killed_mid_way_resumes_and_a_second_undo_waits_for_the_lock(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--latency-ms", "10", "--drop-after-commit", "0.05", "--seed", "2")
    results = tmp_path / "r.csv"
    rows = 200
    file = make_csv(tmp_path / "c.csv", rows)
    assert run_import(sandbox, file, results, "--max-retries", "10", "--settle", "0.3").returncode == 0  # no read lag
    first = start_undo(sandbox, results, "--yes", "--rate", "60")
    wait_for(lambda: sandbox.stats()["deleted"] >= 20 or first.poll() is not None, "deletes to arrive")
    locked = run_undo(sandbox, results, "--yes")
    assert locked.returncode == 3 and "in use by pid" in locked.stderr and str(first.pid) in locked.stderr
    first.kill()  # SIGKILL: no chance to write anything more
    first.communicate()
    killed_at = sandbox.stats()["deleted"]
    assert 20 <= killed_at < rows  # really mid-way
    done = read_state(results, "SELECT COUNT(*) FROM undo WHERE status IN ('deleted', 'gone')")[0][0]
    assert 0 < done <= killed_at  # its progress was in the state

    final = run_undo(sandbox, results, "--yes", "--max-retries", "10", "--settle", "0.3")
    assert final.returncode == 0, final.stderr
    assert sandbox.contacts() == [] and sandbox.stats()["deleted"] == rows  # each contact deleted once
    statuses = Counter(r["status"] for r in undo_rows(results))
    assert sum(statuses.values()) == rows and set(statuses) <= {"deleted", "gone"}


@pytest.mark.slow
def test_no_request_starts_after_sigterm_during_an_undo_at_a_low_rate(sandbox_factory, tmp_path: Path) -> None:
    # At 5 requests/s each of the undo's workers holding a contact waits its turn for up to a second and more: the
    # stop must end those waits, not let each send its DELETE when its turn comes. A latency of 100 ms puts a
    # request on the wire about half the time.
    sandbox = sandbox_factory("--latency-ms", "100")
    rows = 40
    results = tmp_path / "r.csv"
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", rows), results).returncode == 0
    first = start_undo(sandbox, results, "--yes", "--rate", "5")
    wait_for(lambda: sandbox.stats()["deleted"] >= 3 or first.poll() is not None, "the first deletes")
    arrived = sandbox.stats()["requests"]  # counted as they arrive: those on the wire now are in it
    first.send_signal(signal.SIGTERM)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 143, err
    assert "Traceback" not in err and "Stopped by a signal" in out
    # Requests start 200 ms apart: between the count and the signal one may start, and one may be on its way to
    # the server. Nothing later.
    assert sandbox.stats()["requests"] <= arrived + 2
    # Whatever reached the server was answered and recorded; every other contact is left to do, as it was.
    deleted = sandbox.stats()["deleted"]
    assert 3 <= deleted < rows and len(sandbox.contacts()) == rows - deleted
    assert Counter(r["status"] for r in undo_rows(results)) == {"deleted": deleted, "todo": rows - deleted}

    final = run_undo(sandbox, results, "--yes")
    assert final.returncode == 0, final.stderr
    assert sandbox.contacts() == [] and sandbox.stats()["deleted"] == rows
    assert sandbox.stats()["by_method"]["DELETE"] == rows  # each contact deleted once, over both runs
    assert Counter(r["status"] for r in undo_rows(results)) == {"deleted": rows}


def test_undo_of_an_earlier_run(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 5), results).returncode == 0
    first_uuids = {r["uuid"] for r in results_of(results)}
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 8), results).returncode == 0
    first, second = run_ids(results)

    listing = subprocess.run(
        [sys.executable, "-m", "importer", "runs", str(results)], capture_output=True, text=True, timeout=60
    )
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert first[:8] in lines[1] and "5 created" in lines[1] and "delete 5, restore 0" in lines[1]
    assert second[:8] in lines[2] and "3 created, 5 skipped" in lines[2] and "(last)" in lines[2]

    proc = run_undo(sandbox, results, "--yes", "--run", first[:6])
    assert proc.returncode == 0, proc.stderr
    assert {c["uuid"] for c in sandbox.contacts()}.isdisjoint(first_uuids) and len(sandbox.contacts()) == 3
    assert {r["uuid"] for r in undo_rows(results)} == first_uuids
    # Without --run: the last run.
    assert run_undo(sandbox, results, "--yes").returncode == 0
    assert sandbox.contacts() == []
    unknown = run_undo(sandbox, results, "--yes", "--run", "zzz")
    assert unknown.returncode == 2 and "is not a run of this state" in unknown.stderr


def test_undo_refused_for_the_results_of_another_state(sandbox, sandbox_factory, tmp_path: Path) -> None:
    ours, theirs = tmp_path / "a.results.csv", tmp_path / "b.results.csv"
    assert run_import(sandbox, make_csv(tmp_path / "a.csv", 3), ours).returncode == 0
    assert run_import(sandbox, make_csv(tmp_path / "b.csv", 3, start=10), theirs).returncode == 0
    proc = run_undo(sandbox, theirs, "--yes", "--state", str(state_of(ours)))
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "belongs to another import" in proc.stderr
    other_api = sandbox_factory()
    proc = run_undo(other_api, ours, "--yes")
    assert proc.returncode == 2 and "belongs to another import" in proc.stderr and "base_url" in proc.stderr
    missing = run_undo(sandbox, tmp_path / "never.csv", "--yes")
    assert missing.returncode == 2 and "no state file" in missing.stderr
    assert len(sandbox.contacts()) == 6 and sandbox.stats()["deleted"] == 0


def test_without_a_terminal_undo_needs_yes(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 3), results).returncode == 0
    proc = run_undo(sandbox, results)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "importer: error: not at a terminal: give --yes to undo without being asked"
    ]
    assert len(sandbox.contacts()) == 3 and sandbox.stats()["deleted"] == 0


def test_on_a_terminal_undo_shows_the_counts_and_asks(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 3), results).returncode == 0
    for answer, left in (("n", 3), ("y", 0)):
        primary, secondary = pty.openpty()
        os.write(primary, f"{answer}\n".encode())  # typed ahead: the terminal holds it until the prompt reads
        proc = subprocess.run(
            undo_args(sandbox, results),
            stdin=secondary,
            capture_output=True,
            text=True,
            env=env_with(sandbox.token),
            timeout=60,
        )
        os.close(secondary)
        os.close(primary)
        assert proc.returncode == 0, proc.stderr
        assert "delete 3 contacts it created, restore 0 it updated" in proc.stdout and "Undo it?" in proc.stdout
        assert len(sandbox.contacts()) == left


def test_dry_run_lists_and_sends_nothing(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 4), results).returncode == 0
    before = sandbox.stats()
    proc = run_undo(sandbox, results, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "would delete 4 contacts it created, restore 0 it updated" in proc.stdout
    for row in results_of(results):
        assert f"delete {row['uuid']} (row " in proc.stdout
    assert sandbox.stats() == before  # not one request
    assert not results.with_name("r.undo.csv").exists()
    assert read_state(results, "SELECT COUNT(*) FROM undo") == [(0,)]


def test_undo_of_an_update_restores_the_values_from_before(sandbox, tmp_path: Path) -> None:
    old = make_contact(
        sandbox,
        "34600000000",
        name="Made by hand",
        tags=["Lead"],
        custom_fields={"Status": "Trial"},
        assigned_user="ana@example.com",
        note="call after 5",
    )
    plain = make_contact(sandbox, "34600000001", name="Plain")
    results = tmp_path / "r.csv"
    proc = run_import(sandbox, make_csv(tmp_path / "c.csv", 3), results, "--on-existing", "update", "--tags", "replace")
    assert proc.returncode == 0, proc.stderr
    contacts = {c["uuid"]: c for c in sandbox.contacts()}
    assert contacts[old["uuid"]]["name"] == "Persona 0" and contacts[old["uuid"]]["tags"] == ["VIP"]
    assert contacts[old["uuid"]]["customFields"] == {"Status": "Active"}

    undo = run_undo(sandbox, results, "--yes")
    assert undo.returncode == 0, undo.stderr
    after = {c["uuid"]: c for c in sandbox.contacts()}
    assert set(after) == {old["uuid"], plain["uuid"]}  # the created one is deleted
    restored = after[old["uuid"]]
    for key in ("name", "tags", "customFields", "assignedUser", "note"):
        assert restored[key] == old[key], key
    assert after[plain["uuid"]]["name"] == "Plain" and after[plain["uuid"]]["assignedUser"] is None
    actions = {r["uuid"]: (r["row"], r["action"], r["status"]) for r in undo_rows(results)}
    assert actions[old["uuid"]] == ("2", "restore", "restored")
    assert actions[plain["uuid"]] == ("3", "restore", "restored")
    assert sorted(a[1:] for a in actions.values()) == [
        ("delete", "deleted"),
        ("restore", "restored"),
        ("restore", "restored"),
    ]


@pytest.mark.slow
def test_undo_of_a_killed_import_settles_its_unanswered_creates(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--latency-ms", "100")
    results = tmp_path / "r.csv"
    proc = start_import(sandbox, make_csv(tmp_path / "c.csv", 300), results, "--rate", "100")
    wait_for(lambda: sandbox.stats()["contacts"] >= 30 or proc.poll() is not None, "contacts to arrive")
    proc.kill()  # SIGKILL, with creates in flight: their intents stay in the state, unanswered
    proc.communicate()
    assert read_state(results, "SELECT COUNT(*) FROM contacts WHERE state = 'sending'")[0][0] > 0
    (run,) = run_ids(results)
    listing = subprocess.run(
        [sys.executable, "-m", "importer", "runs", str(results)], capture_output=True, text=True, timeout=60
    )
    assert "(interrupted)" in listing.stdout
    # Not finished, so not the default: it is named.
    nothing = run_undo(sandbox, results, "--yes")
    assert nothing.returncode == 0 and "No finished run to undo." in nothing.stdout
    undo = run_undo(sandbox, results, "--yes", "--run", run)
    assert undo.returncode == 0, undo.stderr
    assert sandbox.contacts() == []
    assert read_state(results, "SELECT COUNT(*) FROM contacts") == [(0,)]


@pytest.mark.slow
def test_sigterm_while_an_undo_looks_up_a_killed_imports_creates(sandbox_factory, tmp_path: Path) -> None:
    # Before deleting anything, the undo of a killed import looks up each create whose answer the import never saw,
    # one at a time, here at 5 requests/s: a signal then stops it as it stops the deletes (no request after it, the
    # shell's exit code), the look-ups done are kept and the next undo does the rest.
    sandbox = sandbox_factory("--latency-ms", "100")
    results = tmp_path / "r.csv"
    args = ("--rate", "100", "--concurrency", "12")  # a worker's intent is written as it takes its row: 12 at most
    proc = start_import(sandbox, make_csv(tmp_path / "c.csv", 300), results, *args)
    wait_for(lambda: sandbox.stats()["contacts"] >= 20 or proc.poll() is not None, "contacts to arrive")
    proc.kill()  # SIGKILL, with creates in flight: their intents stay in the state, unanswered
    proc.communicate()
    unanswered = "SELECT COUNT(*) FROM contacts WHERE state = 'sending'"
    intents = read_state(results, unanswered)[0][0]
    assert intents >= 6
    (run,) = run_ids(results)
    gets = sandbox.stats()["by_method"]["GET"]
    undo = subprocess.Popen(
        undo_args(sandbox, results, "--yes", "--run", run, "--rate", "5", "--settle", "0.3"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env_with(sandbox.token),
    )
    # The pre-flight's two requests, then three look-ups.
    wait_for(lambda: sandbox.stats()["by_method"]["GET"] >= gets + 5 or undo.poll() is not None, "the look-ups")
    arrived = sandbox.stats()["requests"]
    undo.send_signal(signal.SIGTERM)
    out, err = undo.communicate(timeout=60)
    assert undo.returncode == 143, err
    assert "Traceback" not in err and "Stopped by a signal" in out
    assert sandbox.stats()["requests"] <= arrived + 2
    assert 0 < read_state(results, unanswered)[0][0] <= intents - 3  # the look-ups answered are recorded
    assert sandbox.stats()["deleted"] == 0 and read_state(results, "SELECT COUNT(*) FROM undo") == [(0,)]

    created = len(sandbox.contacts())
    final = run_undo(sandbox, results, "--yes", "--run", run, "--settle", "0.3")
    assert final.returncode == 0, final.stderr
    assert sandbox.contacts() == [] and sandbox.stats()["by_method"]["DELETE"] == created  # each deleted once
    assert read_state(results, "SELECT COUNT(*) FROM contacts") == [(0,)]


def test_restoring_a_contact_deleted_meanwhile_is_gone(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    file = make_csv(tmp_path / "c.csv", 2)
    assert run_import(sandbox, file, results).returncode == 0
    file.write_text(file.read_text(encoding="utf-8").replace("Persona", "Person"), encoding="utf-8")
    assert run_import(sandbox, file, results, "--on-existing", "update").returncode == 0  # PATCHes both names
    first, _ = run_ids(results)
    assert run_undo(sandbox, results, "--yes", "--run", first).returncode == 0  # deletes both
    proc = run_undo(sandbox, results, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert [(r["action"], r["status"]) for r in undo_rows(results)] == [("restore", "gone")] * 2


@pytest.mark.slow
def test_undo_right_after_a_killed_import_under_read_lag_finds_its_unanswered_creates(
    sandbox_factory, tmp_path: Path
) -> None:
    # Reads trail writes by 6 s, and answers are lost after the commit: the killed import leaves intents whose
    # contacts exist but do not show yet. A look-up made at once would miss them, forget them and leave them in
    # the account; undo waits --settle after each intent before trusting a "not found".
    sandbox = sandbox_factory("--latency-ms", "20", "--read-lag-ms", "6000", "--drop-after-commit", "0.3")
    results = tmp_path / "r.csv"
    proc = start_import(sandbox, make_csv(tmp_path / "c.csv", 300), results, "--rate", "100", "--settle", "0")
    wait_for(lambda: sandbox.stats()["dropped"] >= 10 or proc.poll() is not None, "answers to be lost")
    proc.kill()  # the rows whose answer was lost are waiting to settle: their intents stay unanswered
    proc.communicate()
    assert read_state(results, "SELECT COUNT(*) FROM contacts WHERE state = 'sending'")[0][0] >= 10
    (run,) = run_ids(results)
    undo = run_undo(sandbox, results, "--yes", "--run", run, "--settle", "6.5")
    assert undo.returncode == 0, undo.stderr
    assert sandbox.contacts() == []  # the sandbox's own view, not lagged
    assert read_state(results, "SELECT COUNT(*) FROM contacts") == [(0,)]
