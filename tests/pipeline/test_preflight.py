"""The pre-flight (GET /auth/me) of `import`, `account pull` and `undo` against a wrong or failing --base-url:
each retry said on stderr as it happens, few retries for what asking again cannot fix, the cause in words."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from inproc import run_importer

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
REFUSED = "http://127.0.0.1:1/v1"  # nothing listens on port 1


def importer(*args: str, token: str = "sk-test-token") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CALLBELL_API_TOKEN", "CALLBELL_BASE_URL")}
    env["CALLBELL_API_TOKEN"] = token
    return run_importer(args, env=env)


def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text("Name,Phone\nAna,+34 612 34 56 78\nLuis,+34 612 34 56 79\n", encoding="utf-8")
    return path


def import_args(tmp_path: Path, base_url: str) -> list[str]:
    results = tmp_path / "r.csv"
    return ["import", str(small_csv(tmp_path)), "-a", str(ACCOUNT), "-o", str(results), "--base-url", base_url]


def retries(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("importer: warning: GET /auth/me: ")]


def test_connection_refused_is_said_in_words_after_one_retry(tmp_path: Path) -> None:
    proc = importer(*import_args(tmp_path, REFUSED), "--no-progress")
    assert proc.returncode == 3, proc.stderr
    (retry,) = retries(proc.stderr)  # one retry, said as it happens
    pattern = (
        r"importer: warning: GET /auth/me: connection refused at 127\.0\.0\.1:1 \(attempt 1 of 2\);"
        r" trying again in [\d.]+ s"
    )
    assert re.fullmatch(pattern, retry), retry
    last = proc.stderr.splitlines()[-1]
    assert (
        last == "importer: error: pre-flight GET /auth/me failed: connection refused at 127.0.0.1:1 — is the URL right?"
    )
    assert not (tmp_path / "r.csv").exists() and "Traceback" not in proc.stderr


def test_an_unknown_host_is_said_in_words(tmp_path: Path) -> None:
    proc = importer(*import_args(tmp_path, "https://api.callbell.invalid/v1"), "--no-progress")
    assert proc.returncode == 3, proc.stderr
    # .invalid never resolves (RFC 6761); without a resolver at all the lookup itself fails, and says so.
    assert re.search(
        r"error: pre-flight GET /auth/me failed: (no such host api\.callbell\.invalid — is the URL right\?|"
        r"cannot look up api\.callbell\.invalid \(.+\) — is the network up\?)$",
        proc.stderr,
    ), proc.stderr
    assert len(retries(proc.stderr)) <= 1


def test_https_to_a_plain_http_server_is_a_tls_error_not_retried(sandbox, tmp_path: Path) -> None:
    url = sandbox.base_url.replace("http://", "https://")
    proc = importer(*import_args(tmp_path, url), "--no-progress", "--log-format", "json", token=sandbox.token)
    assert proc.returncode == 3, proc.stderr
    port = url.split(":")[2].split("/")[0]
    assert f'"message": "pre-flight GET /auth/me failed: TLS error talking to 127.0.0.1:{port}: ' in proc.stderr
    assert "— is it a plain http server?" in proc.stderr
    assert '"level": "warning"' not in proc.stderr  # no retry: the same handshake would fail the same way
    assert sandbox.stats()["requests"] == 0


@pytest.mark.slow
def test_server_errors_are_retried_a_little_and_each_retry_is_said(sandbox_factory, tmp_path: Path) -> None:
    failing = sandbox_factory("--fail-rate", "1.0")
    proc = importer(*import_args(tmp_path, failing.base_url), "--log-format", "json", token=failing.token)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 5, proc.stderr
    assert all('"level": "warning", "message": "GET /auth/me: HTTP 5' in line for line in lines[:4])
    assert "(attempt 1 of 5); trying again in" in lines[0] and "(attempt 4 of 5)" in lines[3]
    assert "pre-flight GET /auth/me failed: gave up after 5 attempts: HTTP 5" in lines[4]
    assert failing.stats()["requests"] == 5


def test_account_pull_says_the_same(tmp_path: Path) -> None:
    out = tmp_path / "account.toml"
    proc = importer("account", "pull", "-o", str(out), "--base-url", REFUSED, "--no-progress")
    assert proc.returncode == 3, proc.stderr
    assert len(retries(proc.stderr)) == 1
    assert proc.stderr.splitlines()[-1] == (
        "importer: error: GET /auth/me failed: connection refused at 127.0.0.1:1 — is the URL right?"
    )
    assert not out.exists()


def test_undo_says_the_same_when_the_api_is_gone(sandbox_factory, tmp_path: Path) -> None:
    running = sandbox_factory()
    results = tmp_path / "r.csv"
    args = ["import", str(small_csv(tmp_path)), "-a", str(ACCOUNT), "-o", str(results), "--no-progress"]
    done = importer(*args, "--base-url", running.base_url, token=running.token)
    assert done.returncode == 0, done.stderr
    running.stop()  # the API the run wrote to is no longer there
    address = running.base_url.removeprefix("http://").removesuffix("/v1")
    proc = importer("undo", str(results), "--yes", "--base-url", running.base_url, token=running.token)
    assert proc.returncode == 3, proc.stderr
    assert len(retries(proc.stderr)) == 1
    assert proc.stderr.splitlines()[-1] == (
        f"importer: error: pre-flight GET /auth/me failed: connection refused at {address} — is the URL right?"
    )
