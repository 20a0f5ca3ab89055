"""`--on-missing keep|tag:NAME|delete` and `--max-missing`, over real HTTP against the sandbox.

Each test runs the real `importer` command (in this process, tests/inproc.py; in a subprocess where it is
killed), night after night on the same results path (so on the same state file), with a sheet that loses or
regains rows. The sandbox serves the sample account plus a tag "Gone"; contacts made outside the job are posted
to the sandbox directly.
"""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from inproc import run_importer
from sandbox_proc import SAMPLE_ACCOUNT, RunningSandbox, start_sandbox
from test_delivery import env_with, results_of, wait_for
from test_undo import make_contact

TAG = ("--on-missing", "tag:Gone")
DELETE = ("--on-missing", "delete")
ALL = ("--max-missing", "100%")


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = SAMPLE_ACCOUNT.read_text(encoding="utf-8").replace('tags = ["Call back"', 'tags = ["Gone", "Call back"')
    assert '"Gone"' in text
    path = tmp_path_factory.mktemp("account") / "account.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def _server(account: Path) -> Iterator[RunningSandbox]:
    running = start_sandbox(account_file=account)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sandbox(_server: RunningSandbox) -> RunningSandbox:
    _server.reset()
    return _server


def write_sheet(path: Path, numbers: Sequence[int], phone: str = "+34 6{:08d}") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Phone", "Tags"])
        for i in numbers:
            writer.writerow([f"Persona {i}", phone.format(i), "VIP" if i % 3 == 0 else ""])
    return path


def args(sandbox, account: Path, file: Path, results: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "importer", "import", str(file), "-a", str(account), "--base-url", sandbox.base_url,
        "-o", str(results), "--no-progress", *extra,
    ]  # fmt: skip


def night(sandbox, account: Path, tmp_path: Path, numbers: Sequence[int], *extra: str, **kw: str):
    """One nightly run of the sheet with these numbers; (process, results rows)."""
    file = write_sheet(tmp_path / "c.csv", numbers, **kw)
    results = tmp_path / "r.csv"
    proc = run_importer(args(sandbox, account, file, results, *extra), env=env_with(sandbox.token))
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, results_of(results) if results.exists() else []


def contacts(sandbox) -> dict[str, dict]:
    return {c["phoneNumber"].lstrip("+"): c for c in sandbox.contacts()}


def phone(i: int) -> str:
    return f"346{i:08d}"


def removals(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["row"] == ""]


def patches(sandbox) -> list[dict]:
    return list(httpx.get(f"{sandbox.root_url}/_sandbox/patches", headers=sandbox.headers).json()["patches"])


def summary(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "r.summary.json").read_text(encoding="utf-8"))


def test_tag_the_missing_then_untag_on_return(sandbox, account: Path, tmp_path: Path) -> None:
    proc, _ = night(sandbox, account, tmp_path, range(20))
    assert proc.returncode == 0, proc.stderr
    # Two rows leave the source: their contacts get the tag, and only they; results rows after the file's rows.
    proc, rows = night(sandbox, account, tmp_path, [i for i in range(20) if i not in (4, 9)], *TAG)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(rows) == 20 and [r["status"] for r in rows[:18]] == ["skipped"] * 18
    gone = removals(rows)
    assert [(r["status"], r["identifier"]) for r in gone] == [("tagged", phone(4)), ("tagged", phone(9))]
    now = contacts(sandbox)
    assert gone[0]["uuid"] == now[phone(4)]["uuid"] and gone[0]["href"].endswith(gone[0]["uuid"])
    assert now[phone(4)]["tags"] == ["Gone"] and now[phone(9)]["tags"] == ["VIP", "Gone"]
    assert [k for k, c in now.items() if "Gone" in c["tags"]] == [phone(4), phone(9)]
    assert "2 tagged" in proc.stdout
    assert summary(tmp_path)["removals"] == {"tagged": 2} and summary(tmp_path)["counts"] == {"skipped": 18}
    # The same night again: nothing tagged twice, no PATCH at all.
    patches = sandbox.stats()["by_method"].get("PATCH", 0)
    proc, rows = night(sandbox, account, tmp_path, [i for i in range(20) if i not in (4, 9)], *TAG)
    assert proc.returncode == 0 and removals(rows) == [] and sandbox.stats()["by_method"].get("PATCH", 0) == patches
    # Row 9 comes back: its tag goes (the VIP tag stays), its row says so.
    proc, rows = night(sandbox, account, tmp_path, [i for i in range(20) if i != 4], *TAG)
    assert proc.returncode == 0, proc.stdout
    assert contacts(sandbox)[phone(9)]["tags"] == ["VIP"] and contacts(sandbox)[phone(4)]["tags"] == ["Gone"]
    back = next(r for r in rows if r["identifier"] == phone(9))
    assert back["status"] == "skipped" and "tag 'Gone' removed" in back["warning"] and removals(rows) == []
    assert summary(tmp_path)["missing"]["returned"] == 1


def test_a_tag_the_contact_already_had_is_left_to_it_by_undo(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(10))
    uuid = contacts(sandbox)[phone(3)]["uuid"]
    httpx.patch(f"{sandbox.base_url}/contacts/{uuid}", json={"tags": ["Gone"]}, headers=sandbox.headers)
    proc, rows = night(sandbox, account, tmp_path, [i for i in range(10) if i not in (3, 5)], *TAG, *ALL)
    assert proc.returncode == 0, proc.stdout
    gone = {r["identifier"]: r for r in removals(rows)}
    assert gone[phone(3)]["status"] == "tagged" and "already had the tag" in gone[phone(3)]["warning"]
    undo = run_undo(sandbox, tmp_path / "r.csv")
    assert undo.returncode == 0, undo.stdout + undo.stderr
    now = contacts(sandbox)
    assert now[phone(3)]["tags"] == ["Gone"] and now[phone(5)]["tags"] == []  # only the tag the job added went
    # Tagged again the next night; then both come back: only the tag the job added is removed.
    night(sandbox, account, tmp_path, [i for i in range(10) if i not in (3, 5)], *TAG, *ALL)
    assert contacts(sandbox)[phone(5)]["tags"] == ["Gone"]
    proc, rows = night(sandbox, account, tmp_path, range(10), *TAG)
    assert proc.returncode == 0, proc.stdout
    now = contacts(sandbox)
    assert now[phone(3)]["tags"] == ["Gone"] and now[phone(5)]["tags"] == []


def run_undo(sandbox, results: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_importer(
        ["undo", str(results), "--base-url", sandbox.base_url, "--no-progress", "--yes", *extra],
        env=env_with(sandbox.token),
    )


def test_delete_then_undo_recreates_with_a_new_uuid(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(20))
    old = contacts(sandbox)[phone(6)]
    httpx.patch(
        f"{sandbox.base_url}/contacts/{old['uuid']}",
        json={"tags": ["VIP", "Call back"], "custom_fields": {"Status": "Trial"}, "note": "agent note"},
        headers=sandbox.headers,
    ).raise_for_status()
    proc, rows = night(sandbox, account, tmp_path, [i for i in range(20) if i != 6], *DELETE)
    assert proc.returncode == 0, proc.stdout
    assert [(r["status"], r["identifier"], r["uuid"]) for r in removals(rows)] == [("deleted", phone(6), old["uuid"])]
    assert phone(6) not in contacts(sandbox) and len(contacts(sandbox)) == 19
    assert sandbox.stats()["deleted"] == 1
    undo = run_undo(sandbox, tmp_path / "r.csv")
    assert undo.returncode == 0, undo.stdout + undo.stderr
    back = contacts(sandbox)[phone(6)]
    assert back["uuid"] != old["uuid"] and f"{old['uuid']} -> {back['uuid']}" in undo.stdout
    assert back["name"] == "Persona 6" and back["tags"] == ["VIP", "Call back"] and back["note"] == "agent note"
    assert back["customFields"] == {"Status": "Trial"}
    again = run_undo(sandbox, tmp_path / "r.csv")  # recorded: a second undo changes nothing
    assert again.returncode == 0 and len(contacts(sandbox)) == 20
    assert "nothing left to undo" in again.stdout
    # The job knows the re-created contact: the next night (row 6 still gone) deletes it again.
    proc, rows = night(sandbox, account, tmp_path, [i for i in range(20) if i != 6], *DELETE)
    assert [(r["status"], r["uuid"]) for r in removals(rows)] == [("deleted", back["uuid"])]


def test_invalid_rows_and_reformatted_phones_are_not_missing(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(20))
    file = tmp_path / "c.csv"
    with file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Phone", "Tags"])
        for i in range(20):
            if i == 1:
                writer.writerow(["", f"+34 6{i:08d}", ""])  # invalid tonight (no name), its number still readable
            elif i == 2:
                writer.writerow([f"Persona {i}", f"600 00 00 0{i}", ""])  # national: unreadable without a region
            elif i == 3:
                writer.writerow([f"Persona {i}", f"6{i:08d}", ""])  # the same, without spaces
            elif i == 4:
                writer.writerow([f"Persona {i}", f"+34 6{i:08d}", "Not a tag"])  # invalid, number readable
            elif i == 5:
                writer.writerow([f"Persona {i}", "", ""])  # no phone at all: this one is missing
            else:
                writer.writerow([f"Persona {i}", f"+34 6{i:08d}", "VIP" if i % 3 == 0 else ""])
    results = tmp_path / "r.csv"
    proc = run_importer(args(sandbox, account, file, results, *TAG, *ALL), env=env_with(sandbox.token))
    rows = results_of(results)
    assert proc.returncode == 1  # the invalid rows
    assert [r["status"] for r in rows[:6]] == ["skipped"] + ["invalid"] * 5
    assert [r["identifier"] for r in removals(rows)] == [phone(5)]
    assert [k for k, c in contacts(sandbox).items() if "Gone" in c["tags"]] == [phone(5)]


def test_a_reformatted_key_is_the_same_contact(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(10), phone="+34 6{:08d}")
    # The export now writes 34600000001 (no +, no spaces): the same identifiers, nobody missing.
    proc, rows = night(sandbox, account, tmp_path, range(10), *TAG, phone="346{:08d}")
    assert proc.returncode == 0, proc.stdout
    assert {r["status"] for r in rows} == {"skipped"} and removals(rows) == []
    # Then national numbers and no --default-region: every phone unreadable and every row invalid, but the digits
    # of each phone cell still name its contact (the end of its number), so nobody is missing.
    proc, rows = night(sandbox, account, tmp_path, range(10), *TAG, *ALL, phone="6{:08d}")
    assert {r["status"] for r in rows} == {"invalid"} and removals(rows) == [], proc.stdout
    assert not any("Gone" in c["tags"] for c in contacts(sandbox).values())
    assert summary(tmp_path)["missing"]["missing"] == 0


def test_a_contact_deleted_in_callbell_fails_once_and_is_forgotten(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(5))
    uuid = contacts(sandbox)[phone(0)]["uuid"]
    httpx.delete(f"{sandbox.base_url}/contacts/{uuid}", headers=sandbox.headers).raise_for_status()
    proc, rows = night(sandbox, account, tmp_path, range(1, 5), *TAG, *ALL)
    assert proc.returncode == 1 and "1 failed" in proc.stdout
    (gone,) = removals(rows)
    assert (gone["status"], gone["uuid"]) == ("failed", uuid) and "not in Callbell any more" in gone["error"]
    assert not (tmp_path / "r.errors.csv").exists()  # nothing in the file to fix
    proc, rows = night(sandbox, account, tmp_path, range(1, 5), *TAG, *ALL)
    assert proc.returncode == 0 and removals(rows) == []


def test_contacts_made_outside_the_job_are_never_touched(sandbox, account: Path, tmp_path: Path) -> None:
    outside = [make_contact(sandbox, phone(100 + i), name=f"Outside {i}") for i in range(5)]
    night(sandbox, account, tmp_path, range(10))
    proc, rows = night(sandbox, account, tmp_path, range(1, 10), *DELETE)
    assert proc.returncode == 0, proc.stdout
    assert [r["identifier"] for r in removals(rows)] == [phone(0)]
    now = contacts(sandbox)
    assert all(now[phone(100 + i)]["uuid"] == o["uuid"] for i, o in enumerate(outside))
    assert sandbox.stats()["deleted"] == 1


def test_a_contact_that_was_there_before_the_job_is_tagged_but_never_deleted(
    sandbox, account: Path, tmp_path: Path
) -> None:
    # Number 0 was in Callbell before the job: its row finds it (skipped). When it leaves the sheet, delete leaves
    # it alone (irreversible, and not the job's to delete) while the job's own contact 1 goes; tag: would tag it.
    before = make_contact(sandbox, phone(0), name="Before the job")
    first, _ = night(sandbox, account, tmp_path, range(10))
    assert first.returncode == 0, first.stdout
    proc, rows = night(sandbox, account, tmp_path, range(2, 10), *DELETE, *ALL)
    assert proc.returncode == 0, proc.stdout
    assert [(r["identifier"], r["status"]) for r in removals(rows)] == [(phone(1), "deleted")]
    assert contacts(sandbox)[phone(0)]["uuid"] == before["uuid"] and phone(1) not in contacts(sandbox)
    proc, rows = night(sandbox, account, tmp_path, range(2, 10), *TAG, *ALL)
    assert [(r["identifier"], r["status"]) for r in removals(rows)] == [(phone(0), "tagged")]


@pytest.mark.parametrize(("limit", "held"), [("3", True), ("4", False), ("10%", True), ("20%", False)])
def test_max_missing_holds_every_removal_back(sandbox, account, tmp_path: Path, limit: str, held: bool) -> None:
    night(sandbox, account, tmp_path, range(20))
    proc, rows = night(sandbox, account, tmp_path, range(4, 20), *TAG, "--max-missing", limit)
    tagged = [k for k, c in contacts(sandbox).items() if "Gone" in c["tags"]]
    if not held:
        assert proc.returncode == 0 and len(tagged) == 4 and len(removals(rows)) == 4
        return
    assert proc.returncode == 1 and tagged == [] and removals(rows) == []
    assert [r["status"] for r in rows] == ["skipped"] * 16  # everything else done
    reason = summary(tmp_path)["missing"]["held_back"]
    assert (
        reason.startswith("4 of the 20 contacts this job knows are missing (20.0%)")
        and f"--max-missing {limit}" in reason
    )
    assert f"held back, {reason}" in proc.stdout
    assert "Held back" in (tmp_path / "r.report.html").read_text(encoding="utf-8")


def test_an_empty_input_removes_nothing(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(5))
    proc, rows = night(sandbox, account, tmp_path, [], *DELETE, *ALL)
    assert proc.returncode == 1 and rows == [] and len(sandbox.contacts()) == 5
    assert "the input has no rows" in proc.stdout


def test_a_dry_run_lists_and_sends_nothing(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(10))
    before = sandbox.stats()["by_method"]
    proc, rows = night(sandbox, account, tmp_path, range(2, 10), *DELETE, "--dry-run", *ALL)
    assert proc.returncode == 0, proc.stdout
    assert [(r["status"], r["identifier"]) for r in removals(rows)] == [
        ("would_delete", phone(0)),
        ("would_delete", phone(1)),
    ]
    assert "2 would_delete" in proc.stdout
    after = sandbox.stats()["by_method"]
    assert {m: after.get(m, 0) - before.get(m, 0) for m in ("PATCH", "DELETE", "POST")} == {
        "PATCH": 0, "DELETE": 0, "POST": 0
    }  # fmt: skip
    assert len(sandbox.contacts()) == 10
    # The real night after it still finds them.
    proc, rows = night(sandbox, account, tmp_path, range(2, 10), *DELETE, *ALL)
    assert [r["status"] for r in removals(rows)] == ["deleted", "deleted"]


def test_an_unknown_tag_is_one_line_before_anything(sandbox, account: Path, tmp_path: Path) -> None:
    night(sandbox, account, tmp_path, range(3))
    proc, _ = night(sandbox, account, tmp_path, range(2), "--on-missing", "tag:Nope")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "'Nope' is not a tag" in proc.stderr
    proc, _ = night(sandbox, account, tmp_path, range(2), "--on-missing", "tag")
    assert proc.returncode == 2 and "--on-missing: 'tag' is not keep, tag:NAME" in proc.stderr


def test_killed_mid_removal_resumes_without_tagging_twice(account: Path, tmp_path: Path) -> None:
    sandbox = start_sandbox("--latency-ms", "20", account_file=account)
    try:
        proc, _ = night(sandbox, account, tmp_path, range(200), "--rate", "500")
        assert proc.returncode == 0
        file = write_sheet(tmp_path / "c.csv", range(60, 200))  # 60 gone (the sandbox keeps the last 100 PATCHes)
        results = tmp_path / "r.csv"
        run = subprocess.Popen(
            args(sandbox, account, file, results, *TAG, *ALL, "--rate", "40", "--concurrency", "2"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_with(sandbox.token),
        )  # fmt: skip

        def patched() -> int:
            return int(sandbox.stats()["by_method"].get("PATCH", 0))

        wait_for(lambda: patched() >= 10 or run.poll() is not None, "tags to be added")
        run.kill()  # SIGKILL: no chance to write anything more
        run.communicate()
        killed_at = patched()
        assert 10 <= killed_at < 60  # really mid-way
        proc = run_importer(args(sandbox, account, file, results, *TAG, *ALL), env=env_with(sandbox.token))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Resumed an interrupted run" in proc.stdout
        tagged = [c for c in sandbox.contacts() if "Gone" in c["tags"]]
        assert len(tagged) == 60 and all(c["tags"].count("Gone") == 1 for c in tagged)
        # One PATCH per contact across both runs (the one cut by the kill, if any, was not applied).
        assert patched() <= 61 and len({p["uuid"] for p in patches(sandbox)}) == len(patches(sandbox)) == 60
        rows = results_of(results)
        assert [r["status"] for r in removals(rows)] == ["tagged"] * 60
        assert summary(tmp_path)["removals"] == {"tagged": 60}
    finally:
        sandbox.stop()


def test_sigterm_mid_removal_stops_cleanly_and_the_next_run_finishes(account: Path, tmp_path: Path) -> None:
    sandbox = start_sandbox("--latency-ms", "20", account_file=account)
    try:
        night(sandbox, account, tmp_path, range(100), "--rate", "500")
        file = write_sheet(tmp_path / "c.csv", range(40, 100))
        results = tmp_path / "r.csv"
        run = subprocess.Popen(
            args(sandbox, account, file, results, *DELETE, *ALL, "--rate", "30", "--concurrency", "2"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_with(sandbox.token),
        )  # fmt: skip
        wait_for(lambda: sandbox.stats()["deleted"] >= 5 or run.poll() is not None, "deletes")
        run.terminate()
        out, err = run.communicate()
        assert run.returncode == 143 and "Traceback" not in err, err
        first = removals(results_of(results))
        done = sandbox.stats()["deleted"]
        assert 5 <= done < 40 and [r["status"] for r in first].count("deleted") == done
        assert {r["status"] for r in first} == {"deleted", "pending"} and len(first) == 40
        assert "not done (stopped)" in out
        proc = run_importer(args(sandbox, account, file, results, *DELETE, *ALL), env=env_with(sandbox.token))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert [r["status"] for r in removals(results_of(results))] == ["deleted"] * 40
        assert sandbox.stats()["deleted"] == 40 and len(sandbox.contacts()) == 60
        # Undone: the 40 come back, each once, with new uuids.
        undo = run_undo(sandbox, results)
        assert undo.returncode == 0, undo.stdout + undo.stderr
        assert len(sandbox.contacts()) == 100 and undo.stdout.count(" -> ") == 40
        assert len({c["phoneNumber"] for c in sandbox.contacts()}) == 100
    finally:
        sandbox.stop()


@pytest.mark.slow
@pytest.mark.parametrize("policy", [TAG, DELETE], ids=["tag", "delete"])
def test_no_request_starts_after_sigterm_during_removals_at_a_low_rate(
    account: Path, tmp_path: Path, policy: tuple[str, str]
) -> None:
    # At 5 requests/s each worker holding a contact waits its turn for up to a second and more, for its look-up
    # and again for its PATCH or DELETE: the stop must end those waits, not let each removal run to its end. A
    # latency of 100 ms puts a request on the wire about half the time.
    sandbox = start_sandbox("--latency-ms", "100", account_file=account)
    try:
        rows, gone = 60, 30
        proc, _ = night(sandbox, account, tmp_path, range(rows))
        assert proc.returncode == 0
        file = write_sheet(tmp_path / "c.csv", range(gone, rows))
        results = tmp_path / "r.csv"
        run = subprocess.Popen(
            args(sandbox, account, file, results, *policy, *ALL, "--rate", "5"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_with(sandbox.token),
        )  # fmt: skip
        method, done_as = ("PATCH", "tagged") if policy == TAG else ("DELETE", "deleted")

        def removed() -> int:
            return int(sandbox.stats()["by_method"].get(method, 0))

        wait_for(lambda: removed() >= 3 or run.poll() is not None, "the first removals")
        arrived = sandbox.stats()["requests"]  # counted as they arrive: those on the wire now are in it
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=60)
        assert run.returncode == 143 and "Traceback" not in err, err
        # Requests start 200 ms apart: between the count and the signal one may start, and one may be on its way
        # to the server. Nothing later.
        assert sandbox.stats()["requests"] <= arrived + 2
        # What reached the server was answered and recorded; every other removal is left to do as it was planned,
        # with no intent (its request never started), so the next run neither skips its look-up nor takes a tag
        # it finds for its own.
        done = removed()
        assert 3 <= done < gone
        assert Counter(r["status"] for r in removals(results_of(results))) == {done_as: done, "pending": gone - done}
        db = sqlite3.connect(tmp_path / "r.state.db")
        try:
            states = dict(db.execute("SELECT state, COUNT(*) FROM removals GROUP BY state").fetchall())
            left = db.execute("SELECT COUNT(*) FROM removals WHERE state = 'todo' AND contact = ''").fetchone()[0]
        finally:
            db.close()
        assert states == {"done": done, "todo": gone - done} and left == gone - done

        proc = run_importer(args(sandbox, account, file, results, *policy, *ALL), env=env_with(sandbox.token))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert [r["status"] for r in removals(results_of(results))] == [done_as] * gone
        assert removed() == gone  # each contact tagged or deleted once, over both runs
        now = sandbox.contacts()
        if policy == TAG:
            tagged = [c for c in now if "Gone" in c["tags"]]
            assert len(tagged) == gone and all(c["tags"].count("Gone") == 1 for c in tagged)
            assert len({p["uuid"] for p in patches(sandbox)}) == gone
        else:
            assert len(now) == rows - gone and sandbox.stats()["deleted"] == gone
    finally:
        sandbox.stop()
