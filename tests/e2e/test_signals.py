"""Stopped by a supervisor that signals the whole process group (systemd's KillMode=control-group,
`kill -TERM -- -PGID`, Ctrl-C at a terminal, a closed terminal's SIGHUP), at several moments of the check stage
and of the sending stage: every time a clean exit with the shell's code, no traceback, no process left behind,
and the next run finishes with nothing sent twice."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
SIGNALS = list(EXIT_CODES)


def write_contacts(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Phone"])
        writer.writerows([f"Person {i}", f"+34 6{i:08d}"] for i in range(rows))
    return path


def env(token: str | None = None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLBELL_")}
    return clean | ({"CALLBELL_API_TOKEN": token} if token else {})


def start(args: list[str], token: str | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "importer", *args, "--no-progress", "--log-every", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(token),
        start_new_session=True,  # a process group of its own, as a service or a terminal job has
    )


def signal_the_group_after(proc: subprocess.Popen[str], stage: str, lines: int, how: signal.Signals) -> None:
    """Wait for the `lines`-th progress line of `stage` (the run is at work there), then signal the group."""
    assert proc.stderr is not None
    seen = 0
    while seen < lines:
        line = proc.stderr.readline()
        assert line, f"the run ended before {lines} progress lines of {stage!r}"
        seen += line.startswith(f"importer: {stage}")
    os.killpg(proc.pid, how)


def assert_stopped_cleanly(proc: subprocess.Popen[str], how: signal.Signals) -> str:
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_CODES[how], err
    assert "Traceback" not in err, err
    deadline = time.monotonic() + 10
    while True:  # the validation workers went with the parent
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a process of the group outlived the run"
        time.sleep(0.01)
    return err


CHECK_STAGE_S = 10.0  # how long the big file keeps the check stage busy; the signals come within its first second


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file that keeps the check stage at work for CHECK_STAGE_S at the speed the validator has here and now:
    sized from a dry run of 20,000 rows, so that a faster validator (or machine) gets a bigger file rather than a
    check stage over before its 4th progress line."""
    folder = tmp_path_factory.mktemp("signals")
    sample = write_contacts(folder / "sample.csv", 20_000)
    results = folder / "sample.results.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "validate", str(sample), "-a", str(ACCOUNT), "-o", str(results),
         "--no-progress", "--workers", "2"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    seconds = json.loads(results.with_name("sample.results.summary.json").read_text())["duration_s"]
    rows_per_s = 20_000 / max(seconds, 0.001)
    return write_contacts(folder / "big.csv", max(200_000, round(rows_per_s * CHECK_STAGE_S)))


@pytest.mark.parametrize("lines", [1, 4])
@pytest.mark.parametrize("how", SIGNALS, ids=lambda s: s.name)
def test_a_group_signal_in_the_check_stage(big_csv: Path, tmp_path: Path, how: signal.Signals, lines: int) -> None:
    results = tmp_path / "r.csv"
    proc = start(["validate", str(big_csv), "-a", str(ACCOUNT), "-o", str(results), "--workers", "2"])
    signal_the_group_after(proc, "Checking rows", lines, how)
    err = assert_stopped_cleanly(proc, how)
    assert err.strip().splitlines()[-1] == "importer: error: interrupted before anything was sent"
    assert not results.exists()


@pytest.mark.parametrize("lines", [1, 3])
@pytest.mark.parametrize("how", SIGNALS, ids=lambda s: s.name)
def test_a_group_signal_in_the_sending_stage(sandbox_factory, tmp_path: Path, how: signal.Signals, lines: int) -> None:
    sandbox = sandbox_factory("--latency-ms", "5")
    rows = 300
    sheet = write_contacts(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    args = ["import", str(sheet), "-a", str(ACCOUNT), "--base-url", sandbox.base_url, "-o", str(results)]
    proc = start([*args, "--rate", "100"], token=sandbox.token)
    signal_the_group_after(proc, "Sending contacts", lines, how)
    assert_stopped_cleanly(proc, how)
    with results.open(encoding="utf-8-sig", newline="") as fh:
        first = Counter(r["status"] for r in csv.DictReader(fh))
    assert sum(first.values()) == rows and first["pending"] > 0  # every row has its one outcome, even mid-way

    again = subprocess.run(
        [sys.executable, "-m", "importer", *args, "--no-progress"],
        capture_output=True,
        text=True,
        env=env(sandbox.token),
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    with results.open(encoding="utf-8-sig", newline="") as fh:
        outcome = list(csv.DictReader(fh))
    assert Counter(r["status"] for r in outcome) == {"created": rows}
    contacts = sandbox.contacts()
    assert len(contacts) == rows and len({c["phoneNumber"] for c in contacts}) == rows  # nothing twice
    assert {r["uuid"] for r in outcome} == {c["uuid"] for c in contacts}
