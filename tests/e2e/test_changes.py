"""Change detection and merging for `--on-existing update`, over real HTTP against the sandbox.

Each test runs the real `importer` command in a subprocess; what was sent is read from the sandbox's
statistics (requests per method) and its record of the last PATCH bodies (GET /_sandbox/patches).
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import httpx
from test_delivery import results_of, run_import
from test_undo import make_contact, run_undo

UPDATE = ("--on-existing", "update")


def write_rows(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """Rows as (name, national number, tags, status); numbers are Spanish mobiles 6xxxxxxxx."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Phone", "Tags", "Status"])
        for name, number, tags, status in rows:
            writer.writerow([name, f"+34 {number}", tags, status])
    return path


def people(count: int) -> list[list[str]]:
    return [[f"Persona {i}", f"6{i:08d}", "VIP" if i % 3 == 0 else "", "Active"] for i in range(count)]


def contacts(sandbox) -> dict[str, dict]:
    """The sandbox's contacts by phone digits."""
    answer = httpx.get(f"{sandbox.base_url.removesuffix('/v1')}/_sandbox/contacts", headers=sandbox.headers)
    return {c["phoneNumber"].lstrip("+"): c for c in answer.json()["contacts"]}


def patches(sandbox) -> list[dict]:
    answer = httpx.get(f"{sandbox.base_url.removesuffix('/v1')}/_sandbox/patches", headers=sandbox.headers)
    return list(answer.json()["patches"])


def patch(sandbox, uuid: str, **fields: object) -> None:
    """An agent's edit in Callbell."""
    httpx.patch(f"{sandbox.base_url}/contacts/{uuid}", json=fields, headers=sandbox.headers).raise_for_status()


def by_method(sandbox) -> dict[str, int]:
    return dict(sandbox.stats()["by_method"])


def delta(after: dict[str, int], before: dict[str, int], method: str) -> int:
    return after.get(method, 0) - before.get(method, 0)


def imported(sandbox, tmp_path: Path, rows: list[list[str]], *extra: str) -> list[dict[str, str]]:
    results = tmp_path / "r.csv"
    proc = run_import(sandbox, write_rows(tmp_path / "c.csv", rows), results, *extra)
    assert proc.returncode == 0, proc.stderr
    return results_of(results)


def test_an_unchanged_file_sends_no_patch_and_no_per_row_get(sandbox, tmp_path: Path) -> None:
    rows = people(40)
    assert {r["status"] for r in imported(sandbox, tmp_path, rows)} == {"created"}
    before = by_method(sandbox)  # the first run: pre-flight, account discovery and the listing, all new rows
    outcome = imported(sandbox, tmp_path, rows, *UPDATE)
    after = by_method(sandbox)
    assert [r["status"] for r in outcome] == ["unchanged"] * 40
    assert all(r["uuid"] and r["href"].endswith(r["uuid"]) for r in outcome)
    assert delta(after, before, "PATCH") == 0 and delta(after, before, "POST") == 0
    # Pre-flight and account discovery only: the rows were settled from the state, nothing per row.
    assert delta(after, before, "GET") < before["GET"]  # not even the listing: nothing is left to look at


def test_a_changed_name_sends_only_the_name(sandbox, tmp_path: Path) -> None:
    rows = people(40)
    imported(sandbox, tmp_path, rows)
    rows[7][0] = "Persona Siete"
    outcome = imported(sandbox, tmp_path, rows, *UPDATE)
    assert [r["status"] for r in outcome].count("unchanged") == 39 and outcome[7]["status"] == "updated"
    uuid = contacts(sandbox)["34600000007"]["uuid"]
    assert patches(sandbox) == [{"uuid": uuid, "body": {"name": "Persona Siete"}}]
    # The next night, with the same file: nothing left to send.
    assert {r["status"] for r in imported(sandbox, tmp_path, rows, *UPDATE)} == {"unchanged"}
    assert len(patches(sandbox)) == 1


def test_agent_added_tags_survive_a_nightly_update(sandbox, tmp_path: Path) -> None:
    rows = people(3)
    imported(sandbox, tmp_path, rows)
    uuid = contacts(sandbox)["34600000000"]["uuid"]
    patch(sandbox, uuid, tags=["VIP", "Call back"])
    # The same file: the agent's tag stays, nothing is sent.
    assert imported(sandbox, tmp_path, rows, *UPDATE)[0]["status"] == "unchanged"
    rows[0][2] = "VIP, Lead"
    assert imported(sandbox, tmp_path, rows, *UPDATE)[0]["status"] == "updated"
    assert contacts(sandbox)["34600000000"]["tags"] == ["VIP", "Call back", "Lead"]
    assert patches(sandbox)[-1] == {"uuid": uuid, "body": {"tags": ["VIP", "Call back", "Lead"]}}


def test_tags_replace_sets_exactly_the_rows_tags(sandbox, tmp_path: Path) -> None:
    rows = people(3)
    imported(sandbox, tmp_path, rows)
    uuid = contacts(sandbox)["34600000000"]["uuid"]
    patch(sandbox, uuid, tags=["VIP", "Call back"])
    rows[0][2] = "Lead, VIP"
    outcome = imported(sandbox, tmp_path, rows, *UPDATE, "--tags", "replace")
    assert outcome[0]["status"] == "updated"
    assert contacts(sandbox)["34600000000"]["tags"] == ["Lead", "VIP"]


def test_a_contact_edited_in_callbell_but_unchanged_in_the_file_is_not_overwritten(sandbox, tmp_path: Path) -> None:
    rows = people(3)
    imported(sandbox, tmp_path, rows)
    uuid = contacts(sandbox)["34600000001"]["uuid"]
    patch(sandbox, uuid, name="Named by an agent", custom_fields={"Status": "Churned"})
    rows[1][2] = "Lead"  # the file changes only the tags
    outcome = imported(sandbox, tmp_path, rows, *UPDATE)
    assert [r["status"] for r in outcome] == ["unchanged", "updated", "unchanged"]
    contact = contacts(sandbox)["34600000001"]
    assert contact["name"] == "Named by an agent" and contact["customFields"] == {"Status": "Churned"}
    assert contact["tags"] == ["Lead"]
    assert patches(sandbox)[-1]["body"] == {"tags": ["Lead"]}


def test_pre_existing_contacts_get_only_their_differences_and_undo_restores_them(sandbox, tmp_path: Path) -> None:
    differs = make_contact(sandbox, "34600000000", name="Persona 0", tags=["Lead"], custom_fields={"Status": "Trial"})
    same = make_contact(sandbox, "34600000001", name="Persona 1", custom_fields={"Status": "Active"})
    results = tmp_path / "r.csv"
    file = write_rows(tmp_path / "c.csv", people(3))
    proc = run_import(sandbox, file, results, *UPDATE)
    assert proc.returncode == 0, proc.stderr
    outcome = results_of(results)
    assert [r["status"] for r in outcome] == ["updated", "unchanged", "created"]
    assert outcome[1]["uuid"] == same["uuid"] and outcome[1]["href"]
    assert patches(sandbox) == [
        {"uuid": differs["uuid"], "body": {"tags": ["Lead", "VIP"], "custom_fields": {"Status": "Active"}}}
    ]
    undo = run_undo(sandbox, results, "--yes")
    assert undo.returncode == 0, undo.stderr
    now = contacts(sandbox)
    assert now["34600000000"]["tags"] == ["Lead"] and now["34600000000"]["customFields"] == {"Status": "Trial"}
    assert "34600000002" not in now and now["34600000001"]["name"] == "Persona 1"
    # The next run compares the file with Callbell again: it sends the same differences, and recreates row 3.
    again = run_import(sandbox, file, results, *UPDATE)
    assert again.returncode == 0, again.stderr
    assert [r["status"] for r in results_of(results)] == ["updated", "unchanged", "created"]
    assert patches(sandbox)[-1] == patches(sandbox)[0]


def test_pre_existing_contacts_when_the_account_is_paged(sandbox, tmp_path: Path) -> None:
    # 40 rows: paging the account is cheaper than a look-up per row, so the listing's values are compared
    # (and recorded for undo) without a GET per contact. Row 5's tags cell is empty: its tags stay.
    first = run_import(sandbox, write_rows(tmp_path / "other.csv", []), tmp_path / "other.csv.results.csv")
    assert first.returncode == 0, first.stderr
    fixed = by_method(sandbox)["GET"]  # what any run asks before its rows (no rows: no listing)
    edited = make_contact(sandbox, "34600000005", name="Old name", tags=["Customer"], custom_fields={"Status": "Trial"})
    before = by_method(sandbox)
    outcome = imported(sandbox, tmp_path, people(40), *UPDATE, "--tags", "replace")
    after = by_method(sandbox)
    assert outcome[5]["status"] == "updated" and outcome[5]["uuid"] == edited["uuid"]
    body = {"name": "Persona 5", "custom_fields": {"Status": "Active"}}
    assert patches(sandbox) == [{"uuid": edited["uuid"], "body": body}]
    assert contacts(sandbox)["34600000005"]["tags"] == ["Customer"]
    assert delta(after, before, "POST") == 39 and delta(after, before, "GET") <= fixed + 1 + 8  # page 1, then a window


def test_a_state_file_from_before_change_detection_still_works(sandbox, tmp_path: Path) -> None:
    rows = people(40)
    imported(sandbox, tmp_path, rows)
    db = sqlite3.connect(tmp_path / "r.state.db")
    db.executescript(
        "DROP TABLE synced; DROP TABLE account_index;"
        "CREATE TABLE account_index (digits TEXT PRIMARY KEY, uuid TEXT NOT NULL, href TEXT NOT NULL) WITHOUT ROWID;"
    )
    db.close()
    rows[2][0] = "Persona Dos"
    outcome = imported(sandbox, tmp_path, rows, *UPDATE)
    # No record yet: every contact is compared with Callbell, and only the renamed one differs.
    assert [r["status"] for r in outcome].count("unchanged") == 39 and outcome[2]["status"] == "updated"
    assert [p["body"] for p in patches(sandbox)] == [{"name": "Persona Dos"}]
