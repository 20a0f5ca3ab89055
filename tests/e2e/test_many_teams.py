"""End to end: an account with more teams than one page of GET /teams, and an account file that lists none.

`importer account pull` always read every page; the import's pre-flight read only the first, and refused a row
for a team on the second page as an unknown team. Both now walk the account the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TEAMS = 55  # more than one page of the sandbox's 50


def many_teams_account(path: Path, teams: int = TEAMS) -> Path:
    """A sandbox account with `teams` teams named "Team 1".., each with one member, and one WhatsApp channel."""
    lines = ["tags = []", "users = []"]
    for n in range(1, teams + 1):
        lines += ["", "[[teams]]", f'uuid = "{n:032x}"', f'name = "Team {n}"', f'members = ["agent{n}@example.com"]']
    lines += ["", "[[channels]]", f'uuid = "{"c" * 32}"', 'title = "Main WhatsApp"', 'type = "whatsapp"', "main = true"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_finds_a_team_past_the_first_page(sandbox_factory, tmp_path: Path) -> None:
    running = sandbox_factory(account_file=many_teams_account(tmp_path / "sandbox-account.toml"))
    bare = tmp_path / "account.toml"
    bare.write_text("tags = []\n", encoding="utf-8")  # lists no team: they are learned from the API
    sheet = tmp_path / "contacts.csv"
    sheet.write_text("Name,Phone,Team\nAna,+34600000001,Team 55\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CALLBELL_API_TOKEN", "CALLBELL_BASE_URL")}
    env["CALLBELL_API_TOKEN"] = running.token
    command = [
        sys.executable, "-m", "importer", "import", str(sheet), "--account-file", str(bare),
        "--base-url", running.base_url, "--results", str(tmp_path / "results.csv"), "--no-progress",
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    [contact] = running.contacts()
    assert contact["team"]["name"] == "Team 55"
    assert "1 created" in proc.stdout


def test_account_pull_caps_the_list_of_55_new_teams(sandbox_factory, tmp_path: Path) -> None:
    running = sandbox_factory(account_file=many_teams_account(tmp_path / "sandbox-account.toml"))
    env = {k: v for k, v in os.environ.items() if k not in ("CALLBELL_API_TOKEN", "CALLBELL_BASE_URL")}
    env["CALLBELL_API_TOKEN"] = running.token
    output = tmp_path / "account.toml"
    command = [sys.executable, "-m", "importer", "account", "pull", "-o", str(output), "--base-url", running.base_url]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "+ 55 teams: Team 1, Team 2, Team 3, Team 4, Team 5, … and 50 more" in proc.stdout, proc.stdout
    assert "Team 6" not in proc.stdout and "Team 55" not in proc.stdout
