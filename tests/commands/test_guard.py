"""One crash guard for every command: a bug is one line on stderr, exit code 4, no traceback, no token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from importer.commands.cli import cli
from importer.errors import ExitCode

TOKEN = "secret-token-1234567890"

# command line -> the function it calls that the test makes crash (with the token in its message)
COMMANDS = {
    "import": (["import", "{dir}/c.csv", "--no-progress"], "importer.commands.cli.import_file"),
    "validate": (["validate", "{dir}/c.csv", "--no-progress"], "importer.commands.cli.validate_file"),
    "mapping": (["mapping", "{dir}/c.csv"], "importer.commands.mapping.render_mapping"),
    "account pull": (["account", "pull", "-o", "{dir}/account.toml"], "importer.commands.account.pull_account"),
    "runs": (["runs", "{dir}/results.csv"], "importer.commands.undo.list_runs"),
    "undo": (["undo", "{dir}/results.csv", "--yes"], "importer.commands.undo.run_undo"),
    "sandbox": (
        ["sandbox", "--account-file", "sample_data/account.toml", "--port", "0"],
        "importer.sandbox.server.serve",
    ),
}


def crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError(f"boom with Bearer {TOKEN}")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_crash_is_one_line_and_exit_4(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args, target = COMMANDS[command]
    monkeypatch.setattr(target, crash)
    monkeypatch.delenv("IMPORTER_DEBUG", raising=False)
    (tmp_path / "c.csv").write_text("Name,Phone\nAna,+34600000001\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, [a.format(dir=tmp_path) for a in args], env={"CALLBELL_API_TOKEN": TOKEN}, catch_exceptions=False
    )
    assert result.exit_code == ExitCode.INTERNAL_ERROR == 4, result.output
    lines = result.stderr.splitlines()
    assert lines == [
        "importer: error: internal error (RuntimeError: boom with Bearer ***); please report it, "
        "with IMPORTER_DEBUG=1 for details"
    ]
    assert "Traceback" not in result.output and TOKEN not in result.output


def test_the_import_says_it_as_json_with_log_format_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importer.commands.cli.import_file", crash)
    (tmp_path / "c.csv").write_text("Name,Phone\n", encoding="utf-8")
    args = ["import", str(tmp_path / "c.csv"), "--no-progress", "--log-format", "json"]
    result = CliRunner().invoke(cli, args, env={"CALLBELL_API_TOKEN": TOKEN}, catch_exceptions=False)
    assert result.exit_code == 4
    [line] = result.stderr.splitlines()
    record = json.loads(line)
    assert record["level"] == "error" and record["exit_code"] == 4 and TOKEN not in line


def test_importer_debug_lets_the_exception_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importer.commands.undo.list_runs", crash)
    monkeypatch.setenv("IMPORTER_DEBUG", "1")
    with pytest.raises(RuntimeError):
        CliRunner().invoke(cli, ["runs", str(tmp_path / "results.csv")], catch_exceptions=False)
