"""The API token never appears in anything the importer prints, logs or writes — whatever happens to the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
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
