"""`--duplicates first|last|merge` over real HTTP against the sandbox: the real `importer` command in a subprocess,
what Callbell holds read back from the sandbox's API."""

from __future__ import annotations

import csv
import json
import signal
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from test_changes import by_method, delta
from test_delivery import results_of, run_import, start_import, wait_for

MERGE = ("--duplicates", "merge")
UPDATE = ("--on-existing", "update")
TAGS = ("VIP", "Lead", "Customer")


def write_rows(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """Rows as (name, national number, tags, orders)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Phone", "Tags", "Orders"])
        for name, number, tags, orders in rows:
            writer.writerow([name, f"+34 {number}", tags, orders])
    return path


def purchases(people: int) -> list[list[str]]:
    """Each person three times, once per purchase, each row with another tag (one row writes the tag in lower case);
    the rows of one person are spread over the file, as in an export sorted by date."""
    rows = []
    for visit, tag in enumerate(TAGS):
        for i in range(people):
            rows.append([f"Persona {i}", f"6{i:08d}", tag.lower() if visit == 1 else tag, str(visit + 1)])
    return rows


def by_phone(sandbox) -> dict[str, dict]:
    return {c["phoneNumber"].lstrip("+"): c for c in sandbox.contacts()}


def summary_of(results: Path) -> dict:
    return dict(json.loads(results.with_name(f"{results.stem}.summary.json").read_text(encoding="utf-8")))


def test_merge_makes_one_contact_per_person_with_every_tag(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    proc = run_import(sandbox, write_rows(tmp_path / "c.csv", purchases(10)), results, *MERGE)
    assert proc.returncode == 0, proc.stderr  # merged rows are not failures
    contacts = by_phone(sandbox)
    assert len(contacts) == 10 and len(sandbox.contacts()) == 10
    for i in range(10):
        contact = contacts[f"346{i:08d}"]
        assert contact["tags"] == ["VIP", "Lead", "Customer"]  # in the order met, as the account spells them
        assert contact["name"] == f"Persona {i}" and contact["customFields"]["Orders"] in ("1", 1)  # the first row's
    outcome = results_of(results)
    assert Counter(r["status"] for r in outcome) == {"created": 10, "merged": 20}
    for n, row in enumerate(outcome):
        sent = outcome[n % 10]  # a person's first row: row n % 10 + 2 of the sheet
        assert row["uuid"] == contacts[row["identifier"]]["uuid"] == sent["uuid"]
        if row["status"] == "merged":
            assert row["warning"] == f"merged into row {sent['row']}" and row["href"] == sent["href"]
    assert outcome[0]["warning"] == (
        "merged with rows 12, 22 (same phone); Orders: kept '1', dropped '2' of row 12; "
        "Orders: kept '1', dropped '3' of row 22"
    )
    summary = summary_of(results)
    assert summary["counts"] == {"created": 10, "merged": 20} and summary["exit_code"] == 0
    assert [(p["column"], p["kind"], p["rows"]) for p in summary["problems"]] == [("Orders", "merge_conflict", 10)]
    assert "10 created, 20 merged" in proc.stdout
    page = results.with_name("r.report.html").read_text(encoding="utf-8")
    assert "Merged" in page and "All 30 rows went through." in page


def test_a_dry_run_shows_the_merge_and_sends_nothing(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    proc = run_import(sandbox, write_rows(tmp_path / "c.csv", purchases(3)), results, *MERGE, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert sandbox.contacts() == [] and by_method(sandbox).get("POST", 0) == 0
    outcome = results_of(results)
    assert Counter(r["status"] for r in outcome) == {"valid": 3, "merged": 6}
    assert outcome[0]["warning"].startswith("merged with rows 5, 8 (same phone); Orders: kept '1', dropped '2'")
    assert outcome[3]["warning"] == "merged into row 2"


def test_last_sends_the_last_rows_fields(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    proc = run_import(sandbox, write_rows(tmp_path / "c.csv", purchases(3)), results, "--duplicates", "last")
    assert proc.returncode == 1  # duplicate rows still ask for a look, as with `first`
    contacts = by_phone(sandbox)
    assert len(sandbox.contacts()) == 3
    last = contacts["34600000001"]
    assert last["tags"] == ["Customer"] and last["customFields"]["Orders"] in ("3", 3)
    outcome = results_of(results)
    assert [r["status"] for r in outcome] == ["duplicate"] * 6 + ["created"] * 3
    assert outcome[0]["error"] == "same phone as row 8" and outcome[3]["error"] == "same phone as row 8"
    assert summary_of(results)["problems"][0]["message"] == "same phone as a later row"


def test_merge_updates_a_contact_already_in_the_account(sandbox, tmp_path: Path) -> None:
    # The contacts exist with one tag (from an earlier import by another state file).
    first = run_import(sandbox, write_rows(tmp_path / "a.csv", purchases(3)[:3]), tmp_path / "a.results.csv")
    assert first.returncode == 0, first.stderr
    rows = purchases(3)
    rows[3][0] = "Persona Uno"  # a second row names person 0 otherwise: the first row's name is kept
    results = tmp_path / "r.csv"
    proc = run_import(sandbox, write_rows(tmp_path / "c.csv", rows), results, *MERGE, *UPDATE)
    assert proc.returncode == 0, proc.stderr
    contacts = by_phone(sandbox)
    assert len(sandbox.contacts()) == 3
    assert all(c["tags"] == ["VIP", "Lead", "Customer"] for c in contacts.values())
    assert contacts["34600000000"]["name"] == "Persona 0"
    outcome = results_of(results)
    assert Counter(r["status"] for r in outcome) == {"updated": 3, "merged": 6}
    assert {r["uuid"] for r in outcome} == {c["uuid"] for c in contacts.values()}
    assert "Name: kept 'Persona 0', dropped 'Persona Uno' of row 5" in outcome[0]["warning"]


def test_the_same_file_merged_again_sends_nothing(sandbox, tmp_path: Path) -> None:
    file, results = write_rows(tmp_path / "c.csv", purchases(5)), tmp_path / "r.csv"
    assert run_import(sandbox, file, results, *MERGE, *UPDATE).returncode == 0
    before = by_method(sandbox)
    again = run_import(sandbox, file, results, *MERGE, *UPDATE)
    after = by_method(sandbox)
    assert again.returncode == 0, again.stderr
    assert Counter(r["status"] for r in results_of(results)) == {"unchanged": 5, "merged": 10}
    assert delta(after, before, "POST") == 0 and delta(after, before, "PATCH") == 0  # the merged fields are recorded
    # A new purchase with a new tag: the next night sends just that.
    rows = [*purchases(5), ["Persona 2", "600000002", "Newsletter", "4"]]
    assert run_import(sandbox, write_rows(file, rows), results, *MERGE, *UPDATE).returncode == 0
    assert Counter(r["status"] for r in results_of(results)) == {"unchanged": 4, "updated": 1, "merged": 11}
    assert by_phone(sandbox)["34600000002"]["tags"] == ["VIP", "Lead", "Customer", "Newsletter"]
    assert delta(by_method(sandbox), after, "PATCH") == 1


@pytest.mark.slow
def test_a_merge_stopped_mid_run_resumes_exactly_once(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--latency-ms", "5")
    people = 200
    file, results = write_rows(tmp_path / "c.csv", purchases(people)), tmp_path / "r.csv"
    proc = start_import(sandbox, file, results, *MERGE, "--rate", "100")
    wait_for(lambda: sandbox.stats()["contacts"] >= 20, "contacts to arrive")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    first = Counter(r["status"] for r in results_of(results))
    assert first["pending"] > 0 and first["merged"] == 2 * people
    final = run_import(sandbox, file, results, *MERGE)
    assert final.returncode == 0, final.stderr
    assert "Resumed an interrupted run" in final.stdout
    contacts = sandbox.contacts()
    assert len(contacts) == people and len({c["phoneNumber"] for c in contacts}) == people
    assert all(c["tags"] == ["VIP", "Lead", "Customer"] for c in contacts)
    outcome = results_of(results)
    assert Counter(r["status"] for r in outcome) == {"created": people, "merged": 2 * people}
    assert {r["uuid"] for r in outcome} == {c["uuid"] for c in contacts}
