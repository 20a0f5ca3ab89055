"""A job in one file, through the real command against the sandbox: the config's [options] set any option
(here --on-existing, --results, --log-format), its paths are relative to its own folder, and a flag on the
command line wins over it."""

from __future__ import annotations

import json
from pathlib import Path

from test_import import ACCOUNT, read_results, run_cli


def test_the_files_options_apply_and_a_flag_wins_over_them(sandbox, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    data = tmp_path / "contacts.csv"  # FILE stays the command line's, relative to the working directory
    data.write_text("Name,Phone\nAna,+34 612 34 56 78\nLuis,+34 612 34 56 79\n", encoding="utf-8")
    config = jobs / "nightly.toml"
    config.write_text(
        "[options]\n"
        f"account_file = {json.dumps(str(ACCOUNT))}\n"
        'results = "out/contacts.results.csv"\n'  # relative to jobs/, not to the working directory
        'on_existing = "update"\n'
        'log_format = "json"\n'
        "progress = false\n",
        encoding="utf-8",
    )
    results = jobs / "out" / "contacts.results.csv"
    (jobs / "out").mkdir()

    def run(*flags: str) -> dict[int, dict[str, str]]:
        proc = run_cli(
            "import", "contacts.csv", "--config", "jobs/nightly.toml", "--base-url", sandbox.base_url, *flags,
            token=sandbox.token, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        lines = [json.loads(line) for line in proc.stderr.splitlines()]  # the file's log_format: JSON lines
        assert lines and lines[-1]["message"] == "summary"
        return {int(r["row"]): r for r in read_results(results)}

    first = run()
    assert [first[n]["status"] for n in (2, 3)] == ["created", "created"]
    assert not (tmp_path / "out").exists()  # the results went beside the config, not the working directory

    data.write_text("Name,Phone\nAna Maria,+34 612 34 56 78\nLuis,+34 612 34 56 79\n", encoding="utf-8")
    flagged = run("--on-existing", "skip")  # the flag wins over the file's on_existing = "update"
    assert [flagged[n]["status"] for n in (2, 3)] == ["skipped", "skipped"]
    assert {c["name"] for c in sandbox.contacts()} == {"Ana", "Luis"}

    from_file = run()  # the file's on_existing = "update" applies
    assert [from_file[n]["status"] for n in (2, 3)] == ["updated", "unchanged"]
    assert {c["name"] for c in sandbox.contacts()} == {"Ana Maria", "Luis"}


def test_a_bad_value_in_the_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "nightly.toml"
    config.write_text('[options]\non_existing = "overwrite"\n', encoding="utf-8")
    proc = run_cli("import", "contacts.csv", "--config", str(config), "-a", str(ACCOUNT), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"importer: error: {config}: [options] on_existing: 'overwrite' is not one of skip, update, fail"
    )
