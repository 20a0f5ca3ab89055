"""`importer account pull`: the account file written from a real sandbox, merged, and used by an import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner
from inproc import run_importer
from sandbox_proc import SAMPLE_ACCOUNT

from importer.account.file import merge_account_text, write_account_file
from importer.account.model import load_account
from importer.account.pull import AccountScan, SeenField, pull_account
from importer.callbell.client import ClientConfig
from importer.commands.cli import cli

SAMPLE = load_account(SAMPLE_ACCOUNT)

# What the seeded contacts carry: every tag but "Cliente potencial" and "Newsletter", every custom field but
# "Birthday", and john@example.com (a user in no team) as an assigned user.
SEED = [
    {"name": "Ana", "tags": ["VIP", "Lead"], "custom_fields": {"Status": "Active", "Billing Address": "Main St 1"}},
    {"name": "Bea", "tags": ["VIP"], "custom_fields": {"Features": ["Beta"], "Orders": "3"},
     "assigned_user": "john@example.com"},
    {"name": "Cai", "tags": ["Call back", "Interested"], "custom_fields": {"Invoice Email": "c@example.com"}},
    {"name": "Dan", "tags": ["Customer"], "assigned_user": "ana@example.com"},
    {"name": "Eva"},
]  # fmt: skip
CARRIED_TAGS = {"VIP", "Lead", "Call back", "Interested", "Customer"}
SEEN_FIELDS = {"Status", "Billing Address", "Features", "Orders", "Invoice Email"}


def seed(sandbox, contacts: list[dict] = SEED) -> None:
    for n, contact in enumerate(contacts):
        body = {"identifier": f"3460000{n:04d}", "source": "whatsapp", **contact}
        response = httpx.post(f"{sandbox.base_url}/contacts", json=body, headers=sandbox.headers, timeout=10)
        assert response.status_code == 200, response.text


def config(sandbox, token: str | None = None) -> ClientConfig:
    return ClientConfig(token=token or sandbox.token, base_url=sandbox.base_url)


def run_pull(sandbox, output: Path, *extra: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CALLBELL_API_TOKEN", "CALLBELL_BASE_URL")}
    env["CALLBELL_API_TOKEN"] = token or sandbox.token
    command = [sys.executable, "-m", "importer", "account", "pull", "-o", str(output), "--base-url", sandbox.base_url]
    return run_importer([*command, *extra], env=env)


def test_pull_round_trips_what_the_sandbox_account_shows(sandbox, tmp_path: Path) -> None:
    seed(sandbox)
    scan = pull_account(config(sandbox))
    assert (scan.contacts, scan.pages, scan.complete) == (len(SEED), 1, True)
    out = tmp_path / "account.toml"
    changes = write_account_file(out, scan)
    pulled = load_account(out)

    assert set(pulled.tags) == CARRIED_TAGS  # tags no contact carries cannot be seen
    assert set(pulled.custom_fields) == SEEN_FIELDS
    for name in SEEN_FIELDS:
        assert pulled.custom_fields[name].type == SAMPLE.custom_fields[name].type
        assert set(pulled.custom_fields[name].options) == set(SAMPLE.custom_fields[name].options)
    assert pulled.teams == SAMPLE.teams  # uuid, name, members, default
    assert pulled.channels == SAMPLE.channels
    team_members = {m for t in SAMPLE.teams for m in t.members}
    assert set(pulled.users) == team_members | {"john@example.com"}
    assert set(pulled.all_users) <= set(SAMPLE.all_users)

    text = out.read_text(encoding="utf-8")
    assert '"VIP", # on 2 of 5 contacts read' in text
    assert '"john@example.com", # assigned to 1 contact read' in text
    assert "Settings -> Tags" in text and "Settings -> Custom fields" in text and "Settings -> Users" in text
    assert "the list may be incomplete" in text
    assert "read every contact: 5 on 1 page" in text
    assert set(changes.tags) == CARRIED_TAGS and changes.changed


def test_cli_writes_then_a_second_run_changes_nothing_and_never_shows_the_token(sandbox, tmp_path: Path) -> None:
    seed(sandbox)
    out = tmp_path / "account.toml"
    first = run_pull(sandbox, out, "--no-progress")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{out}: new account file; + 5 tags: VIP, ")
    assert "+ custom field 'Status' (dropdown)" in first.stdout
    assert "+ 2 teams: Support, Ventas" in first.stdout and "+ 2 channels" in first.stdout
    written = out.read_bytes()

    second = run_pull(sandbox, out, "--progress")
    assert second.returncode == 0, second.stderr
    assert "contact pages" in second.stderr  # the bar, forced on without a terminal
    assert f"{out}: no change" in second.stdout
    assert out.read_bytes() == written
    for proc in (first, second):
        assert sandbox.token not in proc.stdout + proc.stderr
    assert sandbox.token.encode() not in written
    assert [p.name for p in tmp_path.iterdir()] == ["account.toml"]  # no temporary file left behind


HAND_WRITTEN = """\
# Our account, kept by hand.
tags = ["vip", "Newsletter"]  # from Settings -> Tags
users = ["boss@example.com"]

[custom_fields."Status"]  # what the plan is in
type = "dropdown"
options = ["Active"]

[custom_fields."Billing Address"]
type = "email"   # we know better than the API

[custom_fields."Birthday"]
type = "date"

[[teams]]
uuid = "ad42a09715814e6483b1c5debd6a2dbc"
name = "Soporte"
members = ["ana@example.com"]
"""


def test_merge_keeps_hand_written_entries_and_comments(sandbox, tmp_path: Path) -> None:
    seed(sandbox)
    out = tmp_path / "account.toml"
    out.write_text(HAND_WRITTEN, encoding="utf-8")
    runner = CliRunner()
    env = {"CALLBELL_API_TOKEN": sandbox.token, "CALLBELL_BASE_URL": sandbox.base_url}
    result = runner.invoke(cli, ["account", "pull", "-o", str(out), "--no-progress"], env=env)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for line in HAND_WRITTEN.splitlines():  # every line is still there but the lists that grew
        if not line.startswith(("tags =", "users =", "options =", "members =")):
            assert line in text.splitlines()
    assert "]  # from Settings -> Tags" in text
    merged = load_account(out)
    # "vip" already covers the API's "VIP" (tags compare case-insensitively); nothing hand-written is dropped.
    assert set(merged.tags) == {"vip", "Newsletter"} | (CARRIED_TAGS - {"VIP"})
    assert "boss@example.com" in merged.users and "john@example.com" in merged.users
    assert merged.custom_fields["Billing Address"].type == "email"  # the file's type wins...
    assert "kept the file's type 'email' (the API reports 'text')" in result.output  # ...and says so
    assert merged.custom_fields["Status"].options == ("Active", "Churned", "Trial")  # options unioned
    assert merged.custom_fields["Birthday"].type == "date"  # no contact has a value: kept
    support = next(t for t in merged.teams if t.uuid == "ad42a09715814e6483b1c5debd6a2dbc")
    assert support.name == "Soporte" and support.members == ("ana@example.com", "luis@example.com")
    assert {t.name for t in merged.teams} == {"Soporte", "Ventas"}
    assert "+ 2 options for 'Status': Churned, Trial" in result.output
    assert "+ 1 member of 'Soporte': luis@example.com" in result.output
    assert "kept the file's name 'Soporte' (the API calls it 'Support')" in result.output

    again = runner.invoke(cli, ["account", "pull", "-o", str(out), "--no-progress"], env=env)
    assert again.exit_code == 0 and "no change" in again.output
    assert out.read_text(encoding="utf-8") == text


def test_max_pages_reads_part_of_the_account_and_says_so(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--page-size", "2")  # members are paged by the same size: Support needs 2 pages
    seed(sandbox)
    scan = pull_account(config(sandbox), max_pages=1)
    assert (scan.contacts, scan.pages, scan.complete) == (2, 1, False)
    assert set(scan.tags) == {"VIP", "Lead"}
    assert [t.members for t in scan.teams] == [t.members for t in SAMPLE.teams]
    out = tmp_path / "account.toml"
    write_account_file(out, scan)
    text = out.read_text(encoding="utf-8")
    assert "PARTIAL scan, stopped by --max-pages after 2 contacts on 1 page" in text
    assert "(partial scan)" in text
    load_account(out)

    full = pull_account(config(sandbox))
    assert (full.contacts, full.pages, full.complete) == (5, 3, True)
    exact = pull_account(config(sandbox), max_pages=3)  # the last page reached: the scan is whole after all
    assert exact.complete and exact.contacts == 5


def test_an_empty_account_gives_a_skeleton_that_loads(sandbox_factory, tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    sandbox = sandbox_factory(account_file=empty)
    out = tmp_path / "account.toml"
    proc = run_pull(sandbox, out)
    assert proc.returncode == 0, proc.stderr
    account = load_account(out)
    assert account.tags == account.users == () and not account.custom_fields and not account.teams
    text = out.read_text(encoding="utf-8")
    assert "add them from Settings -> Tags" in text and 'options = ["Basic", "Pro"]' in text
    assert f"{out}: new account file; tags unchanged; users unchanged; custom fields unchanged" in proc.stdout


def test_bad_output_is_one_line_and_writes_nothing(sandbox, tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("x", encoding="utf-8")
    for target in (tmp_path / "missing" / "account.toml", not_a_dir / "account.toml", tmp_path):
        proc = run_pull(sandbox, target)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"importer: error: {target}")
        assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]

    for bad in ("tags = [\n", 'tags = ["VIP"]\nlabels = []\n'):  # not TOML; TOML but not an account file
        existing = tmp_path / "existing.toml"
        existing.write_text(bad, encoding="utf-8")
        proc = run_pull(sandbox, existing)
        assert proc.returncode == 3, proc.stderr
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"importer: error: {existing}: ")
        assert existing.read_text(encoding="utf-8") == bad
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.toml", "file.txt"]


def test_the_output_is_checked_before_the_api_is_asked(tmp_path: Path) -> None:
    down = ["--base-url", "http://127.0.0.1:1/v1", "--no-progress"]  # nothing listens: asking it would fail
    env = {"CALLBELL_API_TOKEN": "sk-test", "CALLBELL_BASE_URL": ""}
    missing = tmp_path / "missing" / "account.toml"
    result = CliRunner().invoke(cli, ["account", "pull", "-o", str(missing), *down], env=env)
    assert result.exit_code == 2, result.output
    assert (
        result.output
        == f"importer: error: {missing}: cannot write the account file: {missing.parent} is not an existing directory\n"
    )

    broken = tmp_path / "account.toml"
    broken.write_text("tags = [\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["account", "pull", "-o", str(broken), *down], env=env)
    assert result.exit_code == 3 and result.output.startswith(f"importer: error: {broken}: "), result.output
    assert "127.0.0.1" not in result.output and broken.read_text(encoding="utf-8") == "tags = [\n"


def test_a_refused_or_missing_token_is_exit_3_and_never_shown(sandbox, tmp_path: Path) -> None:
    out = tmp_path / "account.toml"
    wrong = "sk-wrong-token-123"
    proc = run_pull(sandbox, out, token=wrong)
    assert proc.returncode == 3
    assert (
        proc.stderr
        == "importer: error: the API refused the token (HTTP 401): check CALLBELL_API_TOKEN or --token-file\n"
    )
    assert wrong not in proc.stdout + proc.stderr and not out.exists()

    result = CliRunner().invoke(
        cli, ["account", "pull", "-o", str(out), "--base-url", sandbox.base_url], env={"CALLBELL_API_TOKEN": ""}
    )
    assert result.exit_code == 3 and "no API token: set CALLBELL_API_TOKEN or give --token-file" in result.output

    result = CliRunner().invoke(
        cli,
        ["account", "pull", "-o", str(out), "--base-url", "http://example.com/v1"],
        env={"CALLBELL_API_TOKEN": wrong},
    )
    assert result.exit_code == 2 and "refusing to send the API token over plain http to example.com" in result.output
    assert wrong not in result.output

    token_file = tmp_path / "token"
    token_file.write_text(sandbox.token + "\n", encoding="utf-8")
    link = tmp_path / "link.toml"
    link.symlink_to(out)  # a dangling link: the file is written where it points, the link stays
    proc = run_pull(sandbox, link, "--token-file", str(token_file), token="ignored")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and sandbox.token not in out.read_text(encoding="utf-8")


def test_an_import_dry_run_works_with_the_pulled_file(sandbox, tmp_path: Path) -> None:
    seed(sandbox)
    account = tmp_path / "account.toml"
    assert run_pull(sandbox, account).returncode == 0
    contacts = tmp_path / "new.csv"
    contacts.write_text(
        "Name,Phone,Tags,Status,Features,Assigned user\n"
        "Fay,+34 611 00 00 01,vip,churned,Beta,john@example.com\n"
        "Gus,+34 611 00 00 02,Newsletter,,,\n",  # a tag no contact carries: not in the pulled file
        encoding="utf-8",
    )
    results = tmp_path / "out.csv"
    env = {k: v for k, v in os.environ.items() if k != "CALLBELL_BASE_URL"} | {"CALLBELL_API_TOKEN": sandbox.token}
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "import", str(contacts), "-a", str(account), "--dry-run",
         "--base-url", sandbox.base_url, "--results", str(results), "--no-progress"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    lines = results.read_text(encoding="utf-8-sig").splitlines()
    assert ",valid," in lines[1] and ",invalid," in lines[2] and "unknown tag 'Newsletter'" in lines[2]


def test_import_without_an_account_file_names_the_pull_command(tmp_path: Path) -> None:
    contacts = tmp_path / "c.csv"
    contacts.write_text("Name,Phone\nAna,+34611000001\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(contacts)], env={"CALLBELL_API_TOKEN": ""})
    assert result.exit_code == 2
    assert "no --account-file: write one with `importer account pull -o account.toml`" in result.output
    missing = tmp_path / "account.toml"
    result = runner.invoke(cli, ["validate", str(contacts), "-a", str(missing)], env={"CALLBELL_API_TOKEN": ""})
    assert result.exit_code == 3
    assert f"no such account file: write one with `importer account pull -o {missing}`" in result.output


def test_merge_copes_with_answers_the_docs_leave_open() -> None:
    """Field types the importer does not know, none at all, choice fields without options, odd uuids."""
    scan = AccountScan(source="https://user:secret@api.example.com/v1", pages=1)
    scan.add_contact({"tags": [{"name": "Gold"}, " Silver ", 7], "assignedUser": {"email": "x@example.com"}})
    scan.add_contact({"customFields": {"Plan": "Pro"}, "customFieldsMetadata": {"Plan": {"type": "phone"}}})
    scan.add_contact({"customFields": {"Size": "L"}})  # no metadata: type unknown
    scan.fields["Empty"] = SeenField(name="Empty", type="dropdown")
    text, changes = merge_account_text(None, scan)
    assert "secret" not in text and "https://api.example.com/v1" in text
    assert changes.tags == ["Gold", "Silver"] and changes.users == ["x@example.com"]
    assert ("Plan", "text") in changes.fields and ("Size", "text") in changes.fields
    assert "unknown to the importer: text assumed" in text and "did not report its type" in text
    assert any("'Empty' is a dropdown but no option was seen" in w for w in changes.warnings)
    again, no_changes = merge_account_text(text, scan)
    assert again == text and not no_changes.changed


def test_merge_into_a_file_with_tables_only_puts_the_lists_at_the_top() -> None:
    scan = AccountScan(source="https://api.callbell.eu/v1")
    scan.add_contact({"tags": ["VIP"], "assignedUser": "ana@example.com"})
    existing = '[[channels]]\nuuid = "7c996996fea947f4a1d5a11e7fac84db"\ntitle = "WA"\ntype = "whatsapp"\n'
    text, changes = merge_account_text(existing, scan)
    assert text.startswith("tags = [\n") and text.endswith(existing)
    assert changes.tags == ["VIP"] and changes.users == ["ana@example.com"] and not changes.channels
