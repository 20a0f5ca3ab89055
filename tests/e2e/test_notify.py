"""End to end: `importer import` telling someone (--notify, --notify-on, --ping, --metrics-file) against the sandbox
and a local receiver standing in for the chat webhook and healthchecks.io: on every ending of a run (rows ok, rows
failed, a missing file, a refused token, a signal), with failures of the notifications as warnings that never
change the exit code, and the URLs' secrets nowhere in what the run writes or prints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from inproc import run_importer
from prometheus_client.parser import text_string_to_metric_families
from receiver import Receiver, refused_url
from test_import import ACCOUNT, small_csv
from unwritable import read_only, without_override

HOOK_SECRET = "/services/T01/B02/hook-s3cr3t?sig=q-s3cr3t"
PING_SECRET = "/ping-s3cr3t/nightly"


def good_csv(tmp_path: Path) -> Path:
    path = tmp_path / "good.csv"
    # Phones that small_csv does not have: its rows are created, not skipped, after this file's.
    path.write_text("Name,Phone\nEva,+34 622 00 00 01\nPau,+34 622 00 00 02\n", encoding="utf-8")
    return path


def env(token: str | None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLBELL_")}
    return clean | ({"CALLBELL_API_TOKEN": token} if token else {})


def importer(sandbox, file: Path, results: Path, *extra: str, token: str | None = None, **popen) -> subprocess.Popen:
    args = ["import", str(file), "-a", str(ACCOUNT), "--base-url", sandbox.base_url, "-o", str(results)]
    return subprocess.Popen(
        [sys.executable, "-m", "importer", *args, "--no-progress", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(token or sandbox.token), **popen,
    )  # fmt: skip


def run(sandbox, file: Path, results: Path, *extra: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """A run to its end, in this process (tests/inproc.py); `importer` starts one to signal."""
    args = ["import", str(file), "-a", str(ACCOUNT), "--base-url", sandbox.base_url, "-o", str(results)]
    return run_importer([*args, "--no-progress", *extra], env=env(token or sandbox.token))


def metrics(path: Path) -> dict[tuple[str, str | None], float]:
    """(name, status label) -> value; every sample is labelled with the input."""
    found = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        for sample in family.samples:
            assert sample.labels["input"].endswith(".csv") or sample.labels["input"].startswith("/")
            found[(sample.name, sample.labels.get("status"))] = sample.value
    return found


def pings(check: Receiver) -> list[str]:
    """The ping paths without the run id, after checking that every ping of the run carried the same one."""
    ids = {path.partition("rid=")[2] for path in check.paths()}
    assert len(ids) == 1 and len(ids.pop()) == 36, check.paths()
    return [path.partition("?")[0].removeprefix(PING_SECRET) for path in check.paths()]


def test_a_good_night_pings_and_writes_metrics_and_posts_nothing(sandbox, tmp_path: Path) -> None:
    prom = tmp_path / "importer.prom"
    with Receiver() as hook, Receiver() as check:
        proc = run(
            sandbox, good_csv(tmp_path), tmp_path / "good.results.csv", "--notify", hook.url + HOOK_SECRET,
            "--ping", check.url + PING_SECRET, "--metrics-file", str(prom),
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert hook.requests == []  # --notify-on problems (the default): a good night is quiet
    assert pings(check) == ["/start", "/0"]
    assert check.requests[1].text.startswith("importer: good.csv — 2 rows: 2 created (exit 0); report: ")
    found = metrics(prom)
    assert found[("importer_rows", "created")] == 2 and found[("importer_exit_code", None)] == 0
    assert found[("importer_requests", None)] >= 2 and found[("importer_rate_limited_requests", None)] == 0
    last_run = found[("importer_last_run_timestamp_seconds", None)]
    assert found[("importer_last_success_timestamp_seconds", None)] == last_run > 1.7e9
    assert "warning" not in proc.stderr


def test_rows_that_failed_post_the_problems_and_keep_the_last_success(sandbox, tmp_path: Path) -> None:
    prom = tmp_path / "importer.prom"
    assert run(sandbox, good_csv(tmp_path), tmp_path / "good.results.csv", "--metrics-file", str(prom)).returncode == 0
    success = metrics(prom)[("importer_last_success_timestamp_seconds", None)]
    results = tmp_path / "small.results.csv"
    with Receiver() as hook, Receiver() as check:
        proc = run(
            sandbox, small_csv(tmp_path), results, "--notify", hook.url + HOOK_SECRET, "--ping",
            check.url + PING_SECRET, "--metrics-file", str(prom),
        )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    (post,) = hook.requests
    assert post.method == "POST" and post.path == HOOK_SECRET and post.headers["Content-Type"] == "application/json"
    body = post.json
    report = tmp_path / "small.results.report.html"
    assert body["text"] == f"importer: small.csv — 1 invalid, 1 duplicate of 4 rows (exit 1); report: {report}"
    assert body["status"] == "rows_failed" and body["exit_code"] == 1
    assert body["counts"] == {"created": 2, "duplicate": 1, "invalid": 1}
    assert body["results"] == str(results) and body["report"] == str(report) and body["duration_s"] > 0
    assert pings(check) == ["/start", "/1"]
    found = metrics(prom)
    assert found[("importer_exit_code", None)] == 1 and found[("importer_rows", "invalid")] == 1
    assert found[("importer_last_success_timestamp_seconds", None)] == success  # kept from the good night
    assert found[("importer_last_run_timestamp_seconds", None)] > success


def test_notify_on_always_posts_a_good_night_too(sandbox, tmp_path: Path) -> None:
    with Receiver() as hook:
        proc = run(
            sandbox, good_csv(tmp_path), tmp_path / "good.results.csv", "--notify", hook.url + HOOK_SECRET,
            "--notify", hook.url + "/second", "--notify-on", "always",
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert [r.path for r in hook.requests] == [HOOK_SECRET, "/second"]  # every --notify URL
    assert {r.json["status"] for r in hook.requests} == {"ok"}


@pytest.mark.parametrize(
    ("case", "code", "says"),
    [("missing", 2, "stopped: "), ("token", 3, "stopped: the API refused the token")],
)
def test_a_run_that_stops_before_sending_tells_its_error(sandbox, tmp_path: Path, case: str, code: int, says: str):
    file = tmp_path / "gone.csv" if case == "missing" else good_csv(tmp_path)
    token = "wrong-token" if case == "token" else None
    with Receiver() as hook, Receiver() as check:
        proc = run(
            sandbox, file, tmp_path / "r.csv", "--notify", hook.url + HOOK_SECRET, "--ping", check.url + PING_SECRET,
            token=token,
        )  # fmt: skip
    assert proc.returncode == code, proc.stderr
    error = proc.stderr.strip().splitlines()[-1].removeprefix("importer: error: ")
    (post,) = hook.requests
    assert post.json["text"] == f"importer: {file.name} — stopped: {error} (exit {code})"
    assert post.json["text"].startswith(f"importer: {file.name} — {says}")
    assert post.json["error"] == error and post.json["counts"] == {}
    assert pings(check) == ["/start", f"/{code}"]
    assert "wrong-token" not in post.text + check.requests[1].text


def test_failing_notifications_are_warnings_and_leak_no_secret(sandbox, tmp_path: Path) -> None:
    refused = refused_url()
    results = tmp_path / "small.results.csv"
    with Receiver(status=500) as hook:
        proc = run(
            sandbox, small_csv(tmp_path), results, "--notify", hook.url + HOOK_SECRET, "--notify",
            refused + HOOK_SECRET, "--ping", refused + PING_SECRET,
        )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # as without the notifications
    assert len(hook.requests) == 2  # one retry, no more
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("importer: warning: could not notify")]
    assert len(warnings) == 4, proc.stderr  # the ping's /start, two webhooks, the ping's end
    assert (
        f"importer: warning: could not notify: webhook {hook.url}/…: answered 500 Internal Server Error" in warnings[1]
    )
    assert warnings[2].startswith(f"importer: warning: could not notify: webhook {refused}/…: ")
    assert warnings[3].startswith(f"importer: warning: could not notify: ping {refused}/…: ")
    written = [results, *results.parent.glob("small.results.*")]
    assert {p.name for p in written} >= {"small.results.summary.json", "small.results.report.html"}
    for text in [proc.stdout, proc.stderr, *(p.read_text(encoding="utf-8", errors="replace") for p in written)]:
        assert "s3cr3t" not in text and "/services/" not in text


def test_warnings_are_json_lines_with_log_format_json(sandbox, tmp_path: Path) -> None:
    proc = run(sandbox, good_csv(tmp_path), tmp_path / "good.results.csv", "--ping", refused_url() + PING_SECRET,
               "--log-format", "json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stderr.splitlines()]
    warned = [line for line in lines if line["level"] == "warning"]
    assert len(warned) == 2 and all(w["message"].startswith("could not notify: ping") for w in warned)
    assert "s3cr3t" not in proc.stderr


def test_a_metrics_folder_not_writable_is_a_warning_and_the_old_file_stays(sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "textfile_collector"
    folder.mkdir()
    prom = folder / "importer.prom"
    assert run(sandbox, good_csv(tmp_path), tmp_path / "good.results.csv", "--metrics-file", str(prom)).returncode == 0
    old = prom.read_bytes()
    with read_only(folder):
        # A process of its own: it must start without root's power to write anywhere.
        started = importer(
            sandbox, small_csv(tmp_path), tmp_path / "small.results.csv", "--metrics-file", str(prom),
            preexec_fn=without_override(),
        )  # fmt: skip
        out, err = started.communicate(timeout=120)
        proc = subprocess.CompletedProcess(started.args, started.returncode, out, err)
    assert proc.returncode == 1, proc.stderr
    assert f"importer: warning: could not write the metrics file {prom}: Permission denied" in proc.stderr
    assert prom.read_bytes() == old and [p.name for p in folder.iterdir()] == ["importer.prom"]


@pytest.mark.parametrize(("how", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_is_told_too(sandbox, tmp_path: Path, how: signal.Signals, code: int) -> None:
    # The ping's /start is held unanswered: the run is waiting on it when the signal comes.
    with Receiver() as hook, Receiver(hold="/start") as check:
        proc = importer(
            sandbox, good_csv(tmp_path), tmp_path / "good.results.csv", "--notify", hook.url + HOOK_SECRET,
            "--ping", check.url + PING_SECRET,
        )  # fmt: skip
        assert check.held.wait(timeout=60)
        proc.send_signal(how)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert pings(check) == ["/start", f"/{code}"]
    (post,) = hook.requests
    assert post.json["text"] == f"importer: good.csv — stopped by {how.name} before anything was sent (exit {code})"
    assert post.json["status"] == "interrupted"
    assert sandbox.contacts() == []
