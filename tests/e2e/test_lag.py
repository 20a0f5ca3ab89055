"""Exactly once when reads trail writes: the sandbox's --read-lag-ms makes look-ups and listings see a contact
only some time after its creation, answers are lost after the commit, and a second POST for a number silently
makes a second contact. The importer waits --settle before the look-up that decides a re-send, and its
reconcile pass deletes any extra contact a re-send made all the same.

Each test runs the real `importer` command against a real sandbox process; moments to kill a run are chosen
by watching what the sandbox holds, never by sleeping.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from test_delivery import assert_exactly_once, make_csv, start_import, wait_for
from test_delivery import run_import as run_delivery_import

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
LAGGING = ("--read-lag-ms", "2000", "--drop-after-commit", "0.05", "--on-duplicate", "create")


def run_import(sandbox, file: Path, results: Path, *extra: str) -> str:
    """The import, which must end with exit 0; returns what it printed."""
    proc = run_delivery_import(sandbox, file, results, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_sandbox_shows_a_contact_to_reads_only_after_the_lag(sandbox_factory) -> None:
    sandbox = sandbox_factory("--read-lag-ms", "3000")
    assert "read-lag=3000ms" in sandbox.knobs
    with httpx.Client(base_url=sandbox.base_url + "/", headers=sandbox.headers, timeout=10) as api:
        body = {"identifier": "34600000001", "source": "whatsapp", "name": "Ana"}
        uuid = api.post("contacts", json=body).json()["contact"][0]["uuid"]
        # Reads do not see it yet: look-up by phone, GET by uuid, listing.
        assert api.get("contacts/phone/34600000001").status_code == 404
        assert api.get(f"contacts/{uuid}").status_code == 404
        assert api.get("contacts").json() == {"contacts": []}
        # Writes act on the primary at once: the duplicate check, a PATCH.
        second = api.post("contacts", json=body)
        assert second.status_code == 422 and uuid in second.text
        assert api.patch(f"contacts/{uuid}", json={"name": "Ana B"}).status_code == 200
        wait_for(lambda: api.get("contacts/phone/34600000001").status_code == 200, "the contact to show")
        assert api.get(f"contacts/{uuid}").json()["contact"][0]["name"] == "Ana B"
        assert [c["uuid"] for c in api.get("contacts").json()["contacts"]] == [uuid]


def test_a_negative_read_lag_is_refused() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "importer",
            "sandbox",
            "--port",
            "0",
            "--account-file",
            str(ACCOUNT),
            "--read-lag-ms",
            "-1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr.strip() == "error: --read-lag-ms must be >= 0"


@pytest.mark.slow
def test_reads_lagging_two_seconds_with_lost_answers_still_give_exactly_once(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory(*LAGGING, "--seed", "11")
    rows = 300
    file = make_csv(tmp_path / "c.csv", rows)
    run_import(sandbox, file, tmp_path / "r.csv", "--rate", "200", "--settle", "2.5")
    assert_exactly_once(sandbox, tmp_path / "r.csv", rows)
    stats = sandbox.stats()
    assert stats["dropped"] > 0  # answers were lost, so look-ups under lag decided re-sends
    assert stats["deleted"] == 0  # settle > lag: no re-send made an extra, nothing to clean up


@pytest.mark.slow
def test_sigkill_mid_run_under_lag_then_resume(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory(*LAGGING, "--seed", "12")
    rows = 300
    file = make_csv(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    killed_at = []
    for target in (60, 150):
        proc = start_import(sandbox, file, results, "--rate", "100", "--settle", "2.5")
        wait_for(
            lambda target=target, proc=proc: sandbox.stats()["contacts"] >= target or proc.poll() is not None,
            "contacts to arrive",
        )
        proc.kill()  # SIGKILL: intents and doubts written so far are all the next run has
        proc.communicate()
        killed_at.append(sandbox.stats()["contacts"])
    assert killed_at[-1] < rows  # the kills came mid-run
    assert "Resumed an interrupted run" in run_import(sandbox, file, results, "--rate", "200", "--settle", "2.5")
    assert_exactly_once(sandbox, results, rows)


@pytest.mark.slow
def test_an_extra_made_under_a_longer_lag_is_deleted_and_reported(sandbox_factory, tmp_path: Path) -> None:
    # Settle shorter than the lag: the look-up after a lost answer misses the contact and the re-send makes a
    # second one; the reconcile pass deletes it, keeps the first, and says so in the row's warning.
    sandbox = sandbox_factory(
        "--read-lag-ms", "1500", "--drop-after-commit", "0.3", "--on-duplicate", "create", "--seed", "13"
    )
    rows = 40
    file = make_csv(tmp_path / "c.csv", rows)
    said = run_import(sandbox, file, tmp_path / "r.csv", "--rate", "100", "--settle", "0.2")
    outcome = assert_exactly_once(sandbox, tmp_path / "r.csv", rows)
    reported = [r for r in outcome if "created after a lost answer deleted" in r["warning"]]
    deleted = sandbox.stats()["deleted"]
    assert deleted > 0
    assert f"Reconciled: {deleted} duplicate contact" in said
    assert json.loads((tmp_path / "r.summary.json").read_text())["duplicates_removed"] == deleted
    assert sum(int(r["warning"].split(" duplicate")[0]) for r in reported) == deleted
    for row in reported:
        assert f"kept the first, {row['uuid']}" in row["warning"]


def test_a_re_send_refused_as_existing_under_lag_ends_created(sandbox_factory, tmp_path: Path) -> None:
    # A server that refuses a second POST for a number (422): the re-send after a lost answer is refused, and
    # the look-up, lagging, cannot explain why. The reconcile pass finds the contact and the row is created.
    sandbox = sandbox_factory("--read-lag-ms", "1500", "--drop-after-commit", "0.3", "--seed", "14")
    rows = 40
    file = make_csv(tmp_path / "c.csv", rows)
    run_import(sandbox, file, tmp_path / "r.csv", "--rate", "100", "--settle", "0.2")
    assert_exactly_once(sandbox, tmp_path / "r.csv", rows)
    assert sandbox.stats()["by_status"].get("422", 0) > 0  # re-sends were refused
