"""Delivery under stress, over real HTTP: exactly once through faults, kills, 429 storms, timeouts, outages.

Each test runs the real `importer` command against a real sandbox process. Moments to interrupt a run are
chosen by watching what the sandbox holds, never by sleeping.
"""

from __future__ import annotations

import csv
import http.server
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from inproc import run_importer

from importer.state.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"


def make_csv(path: Path, rows: int, start: int = 0) -> Path:
    """`rows` valid contacts with unique Spanish mobiles (numbers start..start+rows)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Phone", "Tags", "Status"])
        for i in range(start, start + rows):
            writer.writerow([f"Persona {i}", f"+34 6{i:08d}", "VIP" if i % 3 == 0 else "", "Active"])
    return path


def env_with(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLBELL_")}
    env["CALLBELL_API_TOKEN"] = token
    return env


def import_args(sandbox, file: Path, results: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "importer", "import", str(file), "-a", str(ACCOUNT), "--base-url", sandbox.base_url,
        "-o", str(results), "--no-progress", *extra,
    ]  # fmt: skip


def run_import(sandbox, file: Path, results: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_importer(import_args(sandbox, file, results, *extra), env=env_with(sandbox.token))


def start_import(sandbox, file: Path, results: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        import_args(sandbox, file, results, *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_with(sandbox.token),
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll the sandbox's state until `condition` holds (observation, not a guess at timing)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def results_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def assert_exactly_once(sandbox, results: Path, rows: int, already: set[str] = frozenset()) -> list[dict[str, str]]:
    """Every row created exactly once, and the results' uuids are the sandbox's. Rows in `already` were
    created by an earlier, finished run: this one reports them skipped."""
    outcome = results_of(results)
    assert len(outcome) == rows
    for row in outcome:
        assert row["status"] == ("skipped" if row["identifier"] in already else "created"), row
    contacts = sandbox.contacts()
    per_phone = Counter(c["phoneNumber"] for c in contacts)
    assert len(contacts) == rows and max(per_phone.values()) == 1, "a contact was created twice"
    assert {r["uuid"] for r in outcome} == {c["uuid"] for c in contacts}
    by_uuid = {c["uuid"]: c for c in contacts}
    for row in outcome:
        assert by_uuid[row["uuid"]]["phoneNumber"] == "+" + row["identifier"]
    return outcome


@pytest.mark.slow
def test_faults_and_lost_answers_still_give_exactly_once(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--fail-rate", "0.1", "--drop-after-commit", "0.05", "--on-duplicate", "create")
    file = make_csv(tmp_path / "c.csv", 300)
    proc = run_import(sandbox, file, tmp_path / "r.csv", "--max-retries", "10", "--settle", "0.5")  # no read lag
    assert proc.returncode == 0, proc.stderr
    assert_exactly_once(sandbox, tmp_path / "r.csv", 300)
    stats = sandbox.stats()
    assert stats["faults"] > 0 and stats["dropped"] > 0


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume(sandbox_factory, tmp_path: Path) -> None:
    # The worst server for this: it silently creates duplicates, and drops some answers after committing.
    sandbox = sandbox_factory("--on-duplicate", "create", "--drop-after-commit", "0.05", "--latency-ms", "5")
    rows = 400
    file = make_csv(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    rng = random.Random(2026)
    killed_at = []
    for _ in range(4):
        held = len(sandbox.contacts())
        target = held + rng.randint(10, 60)
        proc = start_import(sandbox, file, results, "--rate", "150", "--settle", "0.5")  # no read lag here
        wait_for(
            lambda target=target, proc=proc: sandbox.stats()["contacts"] >= target or proc.poll() is not None,
            "contacts to arrive",
        )
        proc.kill()  # SIGKILL: no chance to write anything more
        proc.communicate()
        killed_at.append(sandbox.stats()["contacts"])
    assert killed_at == sorted(killed_at) and killed_at[-1] < rows  # each kill really came mid-run
    final = run_import(sandbox, file, results, "--settle", "0.5")
    assert final.returncode == 0, final.stderr
    assert "Resumed an interrupted run" in final.stdout
    assert_exactly_once(sandbox, results, rows)


@pytest.mark.slow
def test_sigterm_stops_cleanly_and_the_next_run_finishes(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--latency-ms", "5")
    rows = 300
    file = make_csv(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    proc = start_import(sandbox, file, results, "--rate", "100")
    wait_for(lambda: sandbox.stats()["contacts"] >= 30, "contacts to arrive")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    first = Counter(r["status"] for r in results_of(results))
    assert first["pending"] > 0 and first["created"] >= 30
    assert sum(first.values()) == rows  # every row has its one outcome, even mid-way
    assert json.loads(results.with_name("r.summary.json").read_text())["signal"] == signal.SIGTERM
    final = run_import(sandbox, file, results)
    assert final.returncode == 0, final.stderr
    assert_exactly_once(sandbox, results, rows)


def test_a_resumed_runs_rate_counts_only_the_contacts_it_created(sandbox, tmp_path: Path) -> None:
    rows = 40
    file = make_csv(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    # Slow, with few requests in flight to finish once it is stopped: stopped with most rows left to send.
    first = start_import(sandbox, file, results, "--rate", "20", "--concurrency", "2")
    wait_for(lambda: sandbox.stats()["contacts"] >= 10, "the first run to be sending")
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=60)
    assert first.returncode == 143, err
    made_before = len(sandbox.contacts())
    second = run_import(sandbox, file, results)
    assert second.returncode == 0, second.stderr
    assert "Resumed an interrupted run" in second.stdout
    made_now = len(sandbox.contacts()) - made_before
    assert made_now == rows - made_before and made_before >= 10  # the first run's creates are not the second's
    summary = json.loads(results.with_name("r.summary.json").read_text())
    assert summary["counts"] == {"created": rows}  # the rows of both runs
    # The rate is the second run's creates over its sending time (both rounded in the summary).
    assert summary["created_per_s"] * summary["send_s"] == pytest.approx(made_now, abs=0.5)
    shown = re.search(r"; (\d+) contacts created per second\.", second.stdout)
    assert shown is not None, second.stdout
    assert int(shown[1]) * summary["send_s"] == pytest.approx(made_now, abs=0.5 * summary["send_s"] + 0.5)
    assert summary["created_this_run"] == made_now


@pytest.mark.slow
def test_429_storm_without_retry_after_slows_down_and_finishes(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--rate-limit", "40", "--burst", "5")  # far below what we ask for
    file = make_csv(tmp_path / "c.csv", 150)
    proc = run_import(sandbox, file, tmp_path / "r.csv", "--rate", "400", "--max-retries", "10")
    assert proc.returncode == 0, proc.stderr
    assert_exactly_once(sandbox, tmp_path / "r.csv", 150)
    summary = json.loads((tmp_path / "r.summary.json").read_text())
    assert summary["rate_limited"] > 0  # the storm happened, and was weathered


class Recorder:
    """An HTTP proxy in front of a sandbox that notes when each request arrives and when its answer left, as the
    server sees them, so the client's pauses are measured outside the client. It plays the API's rate limiter at
    chosen moments: the creates numbered in `refuse` (1 = the first POST) get a 429 with Retry-After `wait` and
    are not passed on, as a rate-limited request is not processed."""

    def __init__(self, sandbox, refuse: set[int], wait: int) -> None:
        self.seen: list[tuple[float, float, int]] = []  # (arrived, answered, status), time.monotonic()
        self.refused: list[dict[str, Any]] = []  # the bodies of the creates it refused
        lock = threading.Lock()
        local = threading.local()
        posts = itertools.count(1)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the client's pools expect

            def forward(self) -> None:
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    refused = self.command == "POST" and next(posts) in refuse
                if refused:
                    recorder.refused.append(json.loads(body))
                    status, headers, content = 429, {"Retry-After": str(wait)}, b'{"error": "Too Many Requests"}'
                else:
                    if not hasattr(local, "client"):  # one upstream client per handler thread
                        local.client = httpx.Client(base_url=sandbox.root_url, timeout=30)
                    skip = ("host", "connection")
                    upstream = local.client.request(
                        self.command,
                        self.path,
                        content=body,
                        headers={k: v for k, v in self.headers.items() if k.lower() not in skip},
                    )
                    status, headers, content = upstream.status_code, dict(upstream.headers), upstream.content
                with lock:
                    recorder.seen.append((arrived, time.monotonic(), status))
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PATCH = do_DELETE = forward

            def log_message(self, *args: object) -> None:
                pass

        recorder = self
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.token = sandbox.token
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.slow
def test_retry_after_is_honoured(sandbox_factory, tmp_path: Path) -> None:
    # Two creates answered 429 with "Retry-After: 2" (by a proxy playing the rate limiter, so the 429s come
    # whatever the machine's speed). One request in flight at a time, asked for at 300/s: whatever arrives after
    # a 429 was sent once the client had it, so only waiting as told keeps the proxy quiet for 2 s.
    wait = 2
    sandbox = sandbox_factory("--rate-limit", "0")  # every 429 is the proxy's
    recorder = Recorder(sandbox, refuse={5, 20}, wait=wait)
    try:
        file = make_csv(tmp_path / "c.csv", 30)
        proc = run_import(recorder, file, tmp_path / "r.csv", "--rate", "300", "--concurrency", "1")
    finally:
        recorder.close()
    assert proc.returncode == 0, proc.stderr
    assert_exactly_once(sandbox, tmp_path / "r.csv", 30)
    assert json.loads((tmp_path / "r.summary.json").read_text())["rate_limited"] == 2
    limited = [answered for _, answered, status in recorder.seen if status == 429]
    assert len(limited) == 2
    for answered in limited:  # nothing at all (not the refused request, not another) until Retry-After passed
        early = [round(arrived - answered, 3) for arrived, _, _ in recorder.seen if 0 < arrived - answered < wait]
        assert not early, f"requests {early} s after a 429 that said to wait {wait} s"
    assert max(arrived for arrived, _, _ in recorder.seen) > limited[-1] + wait  # and it came back after it


def assert_pending_rows_untouched(results: Path) -> None:
    """After a stop: each row whose request never started is pending as it was, with no intent and no doubt left
    in the state file, so the next run sends it as a new row (no look-up first)."""
    with Ledger.open(results.with_name(f"{results.stem}.state.db")) as ledger:
        assert ledger.uncertain.count_open() == 0
        pending = ledger.rows.pending_after(0, 100_000)
        assert pending, "the stop came after the last row"
        assert [r.row for r in pending if ledger.contacts.known(r.source, r.identifier) is not None] == []


@pytest.mark.slow
def test_no_request_starts_after_sigterm_at_a_low_rate(sandbox_factory, tmp_path: Path) -> None:
    # At 5 requests/s with the default concurrency (8 workers, 5 of them in the in-flight gate), each worker
    # holding a row waits its turn for up to a second and more: the stop must end those waits, not let each send
    # its row when its turn comes. A latency of 100 ms puts a request on the wire about half the time.
    sandbox = sandbox_factory("--latency-ms", "100")
    rows = 40
    file = make_csv(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    proc = start_import(sandbox, file, results, "--rate", "5")
    wait_for(lambda: sandbox.stats()["contacts"] >= 3 or proc.poll() is not None, "the first creates")
    arrived = sandbox.stats()["requests"]  # counted as they arrive: those on the wire now are in it
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    # Requests start 200 ms apart (100 ms when catching up): between the count and the signal one may start, and
    # one may be on its way to the server. Nothing later.
    assert sandbox.stats()["requests"] <= arrived + 2
    # Whatever reached the server was answered and recorded (the requests on the wire finished).
    outcome = results_of(results)
    contacts = sandbox.contacts()
    assert {r["uuid"] for r in outcome if r["status"] == "created"} == {c["uuid"] for c in contacts}
    assert Counter(r["status"] for r in outcome) == {"created": len(contacts), "pending": rows - len(contacts)}
    assert_pending_rows_untouched(results)
    final = run_import(sandbox, file, results)
    assert final.returncode == 0, final.stderr
    assert_exactly_once(sandbox, results, rows)
    assert sandbox.stats()["by_method"]["POST"] == rows  # each row sent once, over both runs


@pytest.mark.slow
def test_sigterm_during_a_retry_after_pause_sends_nothing_more(sandbox_factory, tmp_path: Path) -> None:
    # The 5th create is answered 429 with "Retry-After: 60": every request then waits a minute, and the refused
    # one waits to be sent again. A stop meanwhile ends the waits at once; none of those requests is sent.
    sandbox = sandbox_factory("--rate-limit", "0")  # the only 429 is the proxy's
    recorder = Recorder(sandbox, refuse={5}, wait=60)
    rows = 30
    file = make_csv(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    proc = start_import(recorder, file, results, "--rate", "20")
    try:
        wait_for(lambda: any(s == 429 for _, _, s in recorder.seen) or proc.poll() is not None, "the 429")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)  # well within the minute the pause would have lasted
        assert proc.returncode == 143, err
        assert "Traceback" not in err
        outcome = results_of(results)
        assert Counter(r["status"] for r in outcome)["created"] == len(sandbox.contacts()) >= 4
        # The refused create was not sent again: pending, and (a 429 made nothing) without an intent, as all the
        # rows whose request had not started.
        (refused,) = recorder.refused
        assert [r["status"] for r in outcome if r["identifier"] == refused["identifier"]] == ["pending"]
        assert_pending_rows_untouched(results)
        final = run_import(recorder, file, results)  # the same URL (the state file's); its one 429 is spent
    finally:
        proc.kill()
        recorder.close()
    assert final.returncode == 0, final.stderr
    assert_exactly_once(sandbox, results, rows)


@pytest.mark.slow
def test_answers_slower_than_the_timeout(sandbox_factory, tmp_path: Path) -> None:
    # About a third of the answers come after the client gave up on them; the server still did the work.
    sandbox = sandbox_factory("--latency-jitter-ms", "600", "--on-duplicate", "create", "--seed", "3")
    file = make_csv(tmp_path / "c.csv", 60)
    results = tmp_path / "r.csv"
    # No read lag here: a short --settle keeps the look-ups after each lost answer quick.
    first = run_import(sandbox, file, results, "--timeout", "0.4", "--max-retries", "8", "--settle", "0.3")
    assert first.returncode in (0, 1), first.stderr
    statuses = Counter(r["status"] for r in results_of(results))
    assert set(statuses) <= {"created", "failed"} and sum(statuses.values()) == 60
    created_first = {r["identifier"] for r in results_of(results) if r["status"] == "created"}
    final = run_import(sandbox, file, results, "--settle", "0.3")
    assert final.returncode == 0, final.stderr
    # The second run creates (or resolves, by look-up) the rows the first could not finish; the rest it skips.
    assert_exactly_once(sandbox, results, 60, already=created_first)


@pytest.mark.slow
def test_server_going_away_mid_run(sandbox_factory, tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    sandbox = sandbox_factory("--db", str(db), "--latency-ms", "5")
    port = sandbox.base_url.split(":")[2].split("/")[0]
    rows = 200
    file = make_csv(tmp_path / "c.csv", rows)
    results = tmp_path / "r.csv"
    # No read lag here: a short --settle keeps the look-ups after each answer lost to the outage quick.
    proc = start_import(sandbox, file, results, "--rate", "100", "--max-retries", "2", "--settle", "0.3")
    wait_for(lambda: sandbox.stats()["contacts"] >= 20, "contacts to arrive")
    sandbox.process.kill()  # the server vanishes mid-run
    sandbox.process.wait()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    first = Counter(r["status"] for r in results_of(results))
    assert first["failed"] > 0 and sum(first.values()) == rows
    # It stopped trying once the API was plainly gone: the rows it did not reach say why.
    assert first["pending"] > 0, first
    unsent = [r for r in results_of(results) if r["status"] in ("failed", "pending")]
    assert all(r["error"] for r in unsent)
    assert "the API stopped answering" in next(r["error"] for r in unsent if r["status"] == "pending")
    created_first = {r["identifier"] for r in results_of(results) if r["status"] == "created"}
    back = sandbox_factory("--db", str(db), "--port", port)  # the same server comes back
    final = run_import(back, file, results, "--settle", "0.3")
    assert final.returncode == 0, final.stderr
    assert_exactly_once(back, results, rows, already=created_first)


def test_a_second_run_on_the_same_state_is_refused(sandbox_factory, tmp_path: Path) -> None:
    sandbox = sandbox_factory("--latency-ms", "5")
    file = make_csv(tmp_path / "c.csv", 1000)
    results = tmp_path / "r.csv"
    first = start_import(sandbox, file, results, "--rate", "20")
    wait_for(lambda: sandbox.stats()["contacts"] >= 5, "the first run to be sending")
    second = run_import(sandbox, file, results)
    assert second.returncode == 3
    assert "in use by pid" in second.stderr and str(first.pid) in second.stderr
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=60)


def test_nightly_rerun_of_a_grown_file_creates_only_the_new_rows(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    first = run_import(sandbox, make_csv(tmp_path / "c.csv", 50), results)
    assert first.returncode == 0, first.stderr
    uuids = {r["identifier"]: r["uuid"] for r in results_of(results)}
    grown = make_csv(tmp_path / "c.csv", 70)  # the same file, 20 rows longer the next night
    second = run_import(sandbox, grown, results)
    assert second.returncode == 0, second.stderr
    rows = results_of(results)
    assert Counter(r["status"] for r in rows) == {"skipped": 50, "created": 20}
    for row in rows:
        if row["status"] == "skipped":
            assert row["uuid"] == uuids[row["identifier"]]
            assert row["href"].endswith(row["uuid"])
    assert len(sandbox.contacts()) == 70
    third = run_import(sandbox, grown, results)
    assert third.returncode == 0
    assert Counter(r["status"] for r in results_of(results)) == {"skipped": 70}
    assert sandbox.stats()["by_status"].get("422", 0) == 0  # nothing was even attempted twice


@pytest.mark.parametrize(
    ("policy", "status", "code"), [("skip", "skipped", 0), ("update", "updated", 0), ("fail", "failed", 1)]
)
def test_contacts_made_elsewhere_follow_on_existing(
    sandbox, tmp_path: Path, policy: str, status: str, code: int
) -> None:
    made = httpx.post(
        f"{sandbox.base_url}/contacts",
        json={"identifier": "34600000001", "source": "whatsapp", "name": "Made by hand"},
        headers=sandbox.headers,
    ).json()["contact"][0]
    results = tmp_path / "r.csv"
    proc = run_import(sandbox, make_csv(tmp_path / "c.csv", 3), results, "--on-existing", policy)
    assert proc.returncode == code, proc.stderr
    rows = {r["identifier"]: r for r in results_of(results)}
    assert rows["34600000001"]["status"] == status
    assert rows["34600000001"]["uuid"] == made["uuid"]
    contacts = {c["uuid"]: c for c in sandbox.contacts()}
    assert len(contacts) == 3
    expected_name = "Persona 1" if policy == "update" else "Made by hand"
    assert contacts[made["uuid"]]["name"] == expected_name


def test_existing_contacts_found_by_look_up_when_paging_costs_more(sandbox_factory, tmp_path: Path) -> None:
    # Page size 1: paging 40 contacts would cost more requests than looking up the 6 rows one by one.
    sandbox = sandbox_factory("--page-size", "1")
    for i in range(40):
        httpx.post(
            f"{sandbox.base_url}/contacts",
            json={"identifier": f"3460000{i:04d}", "source": "whatsapp", "name": f"Old {i}"},
            headers=sandbox.headers,
        ).raise_for_status()
    results = tmp_path / "r.csv"
    before = sandbox.stats()["requests"]
    proc = run_import(sandbox, make_csv(tmp_path / "c.csv", 6, start=38), results)
    assert proc.returncode == 0, proc.stderr
    assert Counter(r["status"] for r in results_of(results)) == {"skipped": 2, "created": 4}
    used = sandbox.stats()["requests"] - before
    # Pre-flight (9: me, teams on 2 pages at page size 1, 2 teams x 2 member pages, channels, field types) + at
    # most 3 pages tried + 6 look-ups + 4 creates; paging the whole account would have cost 40 pages alone.
    assert used <= 9 + 3 + 6 + 4 + 2, used  # (+2: slack for the sandbox counting a retried request)


def test_json_logs_for_schedulers(sandbox, tmp_path: Path) -> None:
    proc = run_import(sandbox, make_csv(tmp_path / "c.csv", 5), tmp_path / "r.csv", "--log-format", "json")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stderr.splitlines()]
    summary = next(r for r in records if r["message"] == "summary")
    assert summary["counts"] == {"created": 5} and summary["exit_code"] == 0


def test_results_of_another_import_are_never_overwritten(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    assert run_import(sandbox, make_csv(tmp_path / "a.csv", 3), results).returncode == 0
    before = results.read_bytes()
    other = make_csv(tmp_path / "b.csv", 3, start=100)
    for extra in ((), ("--dry-run",)):
        proc = run_import(sandbox, other, results, *extra)
        assert proc.returncode == 2
        assert "belongs to another import" in proc.stderr and "a.csv" in proc.stderr
    assert results.read_bytes() == before
    assert len(sandbox.contacts()) == 3


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_the_check_stage_is_clean(tmp_path: Path, how: signal.Signals) -> None:
    file = make_csv(tmp_path / "big.csv", 250_000)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "importer",
            "validate",
            str(file),
            "-a",
            str(ACCOUNT),
            "--no-progress",
            "--workers",
            "2",
            "--log-every",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C would reach it
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first progress line: the validation processes are at work
    assert "Checking rows" in first, first
    os.killpg(proc.pid, how)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if how == signal.SIGINT else 143)
    assert err.strip().splitlines()[-1] == "importer: error: interrupted before anything was sent"
    assert "Traceback" not in err
