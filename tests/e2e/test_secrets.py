"""The API token never appears in anything the importer prints, logs or writes — whatever happens to the run; nor
do an input URL's query string (a presigned URL's signature) and a database URL's password, wherever the run names
its input (the terminal, the JSON log, errors, the summary, the HTML report, the results)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from http_files import file_server
from pg_server import PASSWORD, postgres_url  # noqa: F401  (the fixture)
from test_delivery import ACCOUNT, make_csv, wait_for

TOKEN = "sbx_SECRET-7f3a9c1e5b2d4f6a8c0e1a3b5d7f9b1d"


def command(sandbox_url: str, file: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "importer", "import", str(file), "-a", str(ACCOUNT), "--base-url", sandbox_url,
        "-o", str(out / "r.csv"), "--no-progress", "--settle", "0.2", *extra,  # no read lag: quick look-ups
    ]  # fmt: skip


def everything_written(folder: Path, but: Path) -> bytes:
    """Every file the runs left: results, errors, summaries, state databases, lock files."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p != but)


@pytest.mark.slow
def test_the_token_leaks_nowhere(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--latency-ms", "5", "--fail-rate", "0.05", token=TOKEN)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CALLBELL_")}, "CALLBELL_API_TOKEN": TOKEN}
    printed = b""

    def run(folder: Path, *extra: str, token_env: dict[str, str] = env) -> subprocess.CompletedProcess[bytes]:
        folder.mkdir()
        file = make_csv(folder / "c.csv", 40)
        proc = subprocess.run(command(sandbox.base_url, file, folder, *extra), capture_output=True, env=token_env)
        nonlocal printed
        printed += proc.stdout + proc.stderr
        return proc

    assert run(tmp_path / "ok").returncode == 0  # succeeds
    assert run(tmp_path / "json", "--log-format", "json").returncode == 0
    bad = tmp_path / "bad"  # fails: some rows invalid
    bad.mkdir()
    (bad / "c.csv").write_text("Name,Phone\nAna,12\n,+34600000999\n", encoding="utf-8")
    proc = subprocess.run(command(sandbox.base_url, bad / "c.csv", bad), capture_output=True, env=env)
    printed += proc.stdout + proc.stderr
    assert proc.returncode == 1
    wrong = {**env, "CALLBELL_API_TOKEN": TOKEN[::-1]}  # a refused token is not echoed either
    assert run(tmp_path / "refused", token_env=wrong).returncode == 3
    token_file = tmp_path / "token.txt"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    no_env = {k: v for k, v in env.items() if k != "CALLBELL_API_TOKEN"}
    assert run(tmp_path / "from-file", "--token-file", str(token_file), token_env=no_env).returncode == 0
    assert run(tmp_path / "unreachable", "--max-retries", "0", "--base-url", "http://127.0.0.1:9/v1").returncode == 3

    for how in (signal.SIGTERM, signal.SIGKILL):  # interrupted, and crashed
        folder = tmp_path / f"signal-{how.name}"
        folder.mkdir()
        file = make_csv(folder / "c.csv", 300, start=1000 * how.value)
        proc = subprocess.Popen(
            command(sandbox.base_url, file, folder, "--rate", "100"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        before = sandbox.stats()["contacts"]
        wait_for(lambda before=before: sandbox.stats()["contacts"] >= before + 10, "the run to be sending")
        proc.send_signal(how)
        out, err = proc.communicate(timeout=60)
        printed += out + err

    written = everything_written(tmp_path, but=token_file)
    assert len(written) > 10_000  # the runs really wrote their files
    for secret in (TOKEN.encode(), TOKEN[::-1].encode()):
        assert secret not in printed
        assert secret not in written


SIGNATURE = "SIG-7c1d-SECRET-0b9e"


def test_input_secrets_leak_nowhere(sandbox, postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLBELL_", "IMPORTER_"))}
    env["CALLBELL_API_TOKEN"] = sandbox.token
    printed = ""

    def run(folder: str, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        (tmp_path / folder).mkdir()
        proc = subprocess.run(
            [sys.executable, "-m", "importer", "import", *args, "-a", str(ACCOUNT), "--base-url", sandbox.base_url,
             "--no-progress"],
            capture_output=True, text=True, env={**env, **(extra_env or {})}, cwd=tmp_path / folder, timeout=120,
        )  # fmt: skip
        nonlocal printed
        printed += proc.stdout + proc.stderr
        return proc

    good = b"Name,Phone\nAna,+34 699 001 101\nLuis,+34 699 001 102\n"
    no_phone = b"Name,Email\nAna,ana@example.com\n"
    broken = b'Name,Phone\nAna,"+34 699 001 103\nLuis,+34 699 001 104\n'
    with file_server() as server:
        url = server.serve("/contacts.csv", good)
        server.serve("/people.csv", no_phone)
        server.serve("/broken.csv", broken)
        assert run("url", f"{url}?sig={SIGNATURE}").returncode == 0
        assert run("url-json", f"{url}?sig={SIGNATURE}", "--log-format", "json").returncode == 0
        assert run("url-no-phone", server.url(f"/people.csv?sig={SIGNATURE}")).returncode == 2
        assert run("url-broken", server.url(f"/broken.csv?X-Amz-Signature={SIGNATURE}")).returncode == 2
    redacted_db = postgres_url.replace(quote(PASSWORD, safe=""), "***")
    assert redacted_db != postgres_url
    rows = "SELECT 'Marta' AS \"Name\", '+34 699 001 105' AS \"Phone\""
    assert run("db", "--db", postgres_url, "--query", rows, "--log-format", "json").returncode == 0
    from_env = {"IMPORTER_DB_URL": postgres_url}
    assert run("db-env", "--query", rows, extra_env=from_env).returncode == 0
    assert run("db-no-phone", "--query", "SELECT 'Marta' AS \"Name\"", extra_env=from_env).returncode == 2

    # The input is named, without its secrets, wherever the run names it.
    summary = json.loads((tmp_path / "url" / "contacts.results.summary.json").read_text(encoding="utf-8"))
    assert summary["file"] == url and summary["snapshot"] == "contacts.results.input.csv"
    summary = json.loads((tmp_path / "db" / "query.results.summary.json").read_text(encoding="utf-8"))
    assert summary["file"] == f"{redacted_db} query"
    assert f"<h1>{redacted_db} query</h1>" in (tmp_path / "db" / "query.results.report.html").read_text("utf-8")
    assert f"error: {url.replace('contacts', 'people')}: no phone column" in printed
    assert f"error: {url.replace('contacts', 'broken')} (copy: broken.results.input.csv): row 2:" in printed
    assert f"error: {redacted_db} query: no phone column" in printed
    assert '"message": "summary"' in printed  # the JSON log's summary, with "file", was printed too

    written = everything_written(tmp_path, but=tmp_path / "none").decode("utf-8", "replace")
    assert "Marta,+34 699 001 105" in written and "Luis,+34 699 001 102" in written  # the runs wrote their files
    for secret in (SIGNATURE, PASSWORD, quote(PASSWORD, safe="")):
        assert secret not in printed
        assert secret not in written
