"""End to end: the `importer` command against a real sandbox over HTTP."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from inproc import run_importer

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
SAMPLE_CSV = ROOT / "sample_data" / "contacts.csv"
SAMPLE_XLSX = ROOT / "sample_data" / "contacts.xlsx"
EXPECTED = json.loads((ROOT / "sample_data" / "expected.json").read_text(encoding="utf-8"))


def run_cli(*args: str, token: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CALLBELL_API_TOKEN", "CALLBELL_BASE_URL")}
    if token is not None:
        env["CALLBELL_API_TOKEN"] = token
    return run_importer(args, env=env, cwd=cwd)


def read_results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def import_into(sandbox, file: Path, results: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "import", str(file), "--account-file", str(ACCOUNT), "--base-url", sandbox.base_url,
        "--results", str(results), "--no-progress", *extra, token=sandbox.token,
    )  # fmt: skip


def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(
        "Name,Phone,Tags,Status\n"
        "Ana,+34 612 34 56 78,vip,active\n"
        "Luis,+34 612 34 56 79,Gold,\n"
        "Marta,0034612345678,,\n"
        "Zoë,+44 7911 123456,,Trial\n",
        encoding="utf-8",
    )
    return path


def test_small_import_creates_valid_rows_and_reports_the_rest(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "out.csv"
    proc = import_into(sandbox, small_csv(tmp_path), results)
    assert proc.returncode == 1, proc.stderr
    rows = {int(r["row"]): r for r in read_results(results)}
    assert [rows[n]["status"] for n in (2, 3, 4, 5)] == ["created", "invalid", "duplicate", "created"]
    assert "Tags: unknown tag 'Gold'" in rows[3]["error"]
    assert rows[4]["error"] == "same phone as row 2"
    contacts = {c["uuid"]: c for c in sandbox.contacts()}
    assert set(contacts) == {rows[2]["uuid"], rows[5]["uuid"]}
    assert contacts[rows[2]["uuid"]]["tags"] == ["VIP"]
    assert contacts[rows[2]["uuid"]]["customFields"] == {"Status": "Active"}
    errors = read_results(tmp_path / "out.errors.csv")
    assert [e["Name"] for e in errors] == ["Luis"]
    assert "Traceback" not in proc.stderr


def test_sample_data_import_matches_expectations(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "contacts.results.csv"
    proc = import_into(sandbox, SAMPLE_CSV, results)
    assert proc.returncode == 1, proc.stderr
    rows = read_results(results)
    assert len(rows) == EXPECTED["rows"]
    broken = {b["row"]: b for b in EXPECTED["broken"]}
    for row in rows:
        number = int(row["row"])
        if number in broken:
            assert row["status"] in ("invalid", "duplicate"), row
            assert row["error"], row
            assert row["uuid"] == ""
        else:
            assert row["status"] == "created", row
            assert len(row["uuid"]) == 32
    created = {r["uuid"] for r in rows if r["status"] == "created"}
    assert created == {c["uuid"] for c in sandbox.contacts()}
    assert len(created) == EXPECTED["valid"]


def test_xlsx_sample_gives_the_same_identifiers_as_the_csv(tmp_path: Path) -> None:
    csv_run = run_cli("validate", str(SAMPLE_CSV), "-a", str(ACCOUNT), "-o", str(tmp_path / "c.csv"))
    xlsx_run = run_cli("validate", str(SAMPLE_XLSX), "-a", str(ACCOUNT), "-o", str(tmp_path / "x.csv"))
    assert csv_run.returncode == xlsx_run.returncode == 1, xlsx_run.stderr
    by_csv = [(r["row"], r["status"], r["identifier"]) for r in read_results(tmp_path / "c.csv")]
    by_xlsx = [(r["row"], r["status"], r["identifier"]) for r in read_results(tmp_path / "x.csv")]
    assert by_xlsx == by_csv


def test_rerun_creates_nothing_twice(sandbox, tmp_path: Path) -> None:
    file = small_csv(tmp_path)
    import_into(sandbox, file, tmp_path / "first.csv")
    second = import_into(sandbox, file, tmp_path / "second.csv")
    assert second.returncode == 1, second.stderr
    first_rows = {r["row"]: r for r in read_results(tmp_path / "first.csv")}
    for row in read_results(tmp_path / "second.csv"):
        if first_rows[row["row"]]["status"] == "created":
            assert row["status"] == "skipped"
            assert row["uuid"] == first_rows[row["row"]]["uuid"]
    assert len(sandbox.contacts()) == 2


def test_offline_dry_run_sends_nothing_and_writes_the_same_results(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "dry.csv"
    proc = run_cli("import", str(small_csv(tmp_path)), "-a", str(ACCOUNT), "-o", str(results), "--dry-run")
    assert proc.returncode == 1, proc.stderr
    assert [r["status"] for r in read_results(results)] == ["valid", "invalid", "duplicate", "valid"]
    assert sandbox.stats()["requests"] == 0


def test_dry_run_with_a_token_reports_rows_already_in_the_account(sandbox, tmp_path: Path) -> None:
    file = small_csv(tmp_path)
    existing = httpx.post(
        f"{sandbox.base_url}/contacts",
        json={"identifier": "447911123456", "source": "whatsapp", "name": "Zoë"},
        headers=sandbox.headers,
    ).json()["contact"][0]
    results = tmp_path / "dry.csv"
    proc = import_into(sandbox, file, results, "--dry-run")
    assert proc.returncode == 1, proc.stderr
    rows = read_results(results)
    assert [r["status"] for r in rows] == ["valid", "invalid", "duplicate", "valid"]
    assert rows[3]["uuid"] == existing["uuid"]
    assert "already in the account" in rows[3]["error"]
    assert [c["uuid"] for c in sandbox.contacts()] == [existing["uuid"]]  # nothing written


@pytest.mark.slow
def test_unreliable_server_still_creates_every_row_exactly_once(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory(
        "--fail-rate", "0.2", "--drop-after-commit", "0.2", "--on-duplicate", "create", "--seed", "7"
    )
    results = tmp_path / "r.csv"
    proc = import_into(sandbox, SAMPLE_CSV, results, "--max-retries", "10", "--settle", "0.3")  # no read lag
    assert proc.returncode == 1, proc.stderr
    rows = read_results(results)
    created = [r for r in rows if r["status"] == "created"]
    assert len(created) == EXPECTED["valid"]
    contacts = sandbox.contacts()
    per_phone = Counter(c["phoneNumber"] for c in contacts)
    assert max(per_phone.values()) == 1, "a contact was created twice"
    assert {r["uuid"] for r in created} == {c["uuid"] for c in contacts}
    stats = sandbox.stats()
    assert stats["faults"] > 0 and stats["dropped"] > 0  # the knobs really fired


def test_refused_token_exits_3_and_sends_nothing(sandbox, tmp_path: Path) -> None:
    proc = run_cli(
        "import", str(small_csv(tmp_path)), "-a", str(ACCOUNT), "--base-url", sandbox.base_url, token="wrong"
    )
    assert proc.returncode == 3
    assert "refused the token" in proc.stderr and "wrong" not in proc.stderr + proc.stdout
    assert sandbox.contacts() == []


def test_unreachable_server_exits_3(tmp_path: Path) -> None:
    proc = run_cli(
        "import", str(small_csv(tmp_path)), "-a", str(ACCOUNT), "--base-url", "http://127.0.0.1:9/v1",
        "--max-retries", "1", token="t",
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    *retries, last = proc.stderr.splitlines()  # each retry of the pre-flight said as it happens, then one error
    refused = "importer: warning: GET /auth/me: connection refused at 127.0.0.1:9"
    assert all(line.startswith(refused) for line in retries)
    assert (
        last == "importer: error: pre-flight GET /auth/me failed: connection refused at 127.0.0.1:9 — is the URL right?"
    )
    assert "Traceback" not in proc.stderr


def test_no_token_exits_3(tmp_path: Path) -> None:
    proc = run_cli("import", str(small_csv(tmp_path)), "-a", str(ACCOUNT))
    assert proc.returncode == 3
    assert "CALLBELL_API_TOKEN" in proc.stderr


def test_plain_http_to_a_remote_host_is_refused(tmp_path: Path) -> None:
    proc = run_cli(
        "import", str(small_csv(tmp_path)), "-a", str(ACCOUNT), "--base-url", "http://api.example.com/v1", token="t"
    )
    assert proc.returncode == 2
    assert "plain http" in proc.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Name,Email\nAna,a@b.co\n", "no phone column (columns found: 'Name', 'Email')"),
        ("", "the file is empty"),
    ],
)
def test_bad_files_exit_2_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    proc = run_cli("validate", str(path), "-a", str(ACCOUNT))
    assert proc.returncode == 2
    assert message in proc.stderr and str(path) in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_bad_account_file_exits_3(tmp_path: Path) -> None:
    account = tmp_path / "account.toml"
    account.write_text('[custom_fields."X"]\ntype = "colour"\n', encoding="utf-8")
    proc = run_cli("validate", str(small_csv(tmp_path)), "-a", str(account))
    assert proc.returncode == 3
    assert "type 'colour' is not one of" in proc.stderr


def test_the_token_appears_nowhere(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    proc = import_into(sandbox, small_csv(tmp_path), results)
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())  # results, state, summary
    assert sandbox.token not in proc.stdout + proc.stderr
    assert sandbox.token.encode() not in written


def test_make_demo_script_runs_end_to_end(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = read_results(tmp_path / "contacts.results.csv")
    assert sum(r["status"] == "created" for r in rows) == EXPECTED["valid"]
    assert f"The sandbox held {EXPECTED['valid']} contacts" in proc.stdout
