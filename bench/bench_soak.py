"""Soak: a big import through faults, lost answers, read lag and a strict limiter, SIGKILLed and restarted.

    .venv/bin/python bench/bench_soak.py [--rows 200000] [--kills 5] [--seed 11] [--limit 400] [--rate 450]

One sandbox for the whole soak: `--rate-limit L --limiter window --latency-ms 10 --fail-rate 0.05
--drop-after-commit 0.02 --on-duplicate create`, plus `--read-lag-ms N` when this sandbox has that knob
(`importer sandbox --help` is asked; it comes with the exactly-once-under-lag work), fixed seed. A generated
sheet of valid, unique contacts is imported with `importer import FILE --rate R` (R above L by default, so the
strict window answers 429s and the importer must settle under it); at seeded random moments
(when the sandbox holds a random share of the rows, one in each fifth of the run, plus up to 2 s) the importer
and its workers get SIGKILL and it is started again with the same command, until a run ends by itself. Every
process's RSS (the importer and its workers) is sampled from /proc every 0.25 s.

Then it checks what must hold whatever the kills: the sandbox holds exactly one contact per row (zero
duplicates, none missing), every row of the results has an outcome (none pending or blank), and the results'
uuids are the sandbox's, row for row; and memory stays flat (the peak RSS of each run, printed per run).
Prints the figures, then one markdown row:
| rows | kills | runs | seconds | contacts/s | duplicates | without outcome | uuids differing | peak RSS MB per run |
requests | 429s |

Exits non-zero when a check fails or a run ends in an error; the goals are judged from BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dry_run import IMPORTER, REPO, last_line, process_tree, rss_bytes, write_contacts  # noqa: E402
from bench_import import ACCOUNT_FILE, digits, read_results  # noqa: E402

from importer.sandbox.process import start_sandbox  # noqa: E402

OUTCOMELESS = frozenset({"", "pending"})


@dataclass
class Run:
    exit_code: int | None  # None: killed by us
    seconds: float
    peak_main_mb: float
    peak_tree_mb: float
    contacts_after: int
    stderr: str


def sandbox_has(option: str) -> bool:
    """Whether `importer sandbox` takes this option (the read lag arrives with another branch)."""
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "sandbox", "--help"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    return option in proc.stdout


def run_once(
    command: list[str],
    env: dict[str, str],
    sandbox_contacts: Callable[[], int],
    kill_at: int | None,
    rng: random.Random,
) -> Run:
    """Run the import; SIGKILL it (and its workers) once the sandbox holds `kill_at` contacts, plus up to 2 s."""
    mb = 1024 * 1024
    with tempfile.TemporaryFile() as err:
        started = time.monotonic()
        # Its own process group, so that the kill reaches the validation workers too, and nothing else.
        proc = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err, env=env, start_new_session=True
        )
        peak_main = peak_tree = 0
        deadline: float | None = None
        killed = False
        while proc.poll() is None:
            tree = process_tree(proc.pid)
            sizes = [rss_bytes(p) for p in tree]
            peak_main, peak_tree = max(peak_main, sizes[0]), max(peak_tree, sum(sizes))
            if kill_at is not None and deadline is None and sandbox_contacts() >= kill_at:
                deadline = time.monotonic() + rng.uniform(0, 2)
            if deadline is not None and time.monotonic() >= deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                proc.wait()
                break
            time.sleep(0.25)
        seconds = time.monotonic() - started
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(None if killed else proc.returncode, seconds, peak_main / mb, peak_tree / mb, sandbox_contacts(), stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11, help="seeds the kill moments and the sandbox's faults")
    parser.add_argument("--limit", type=int, default=400, help="the sandbox's --rate-limit (a strict window)")
    parser.add_argument(
        "--rate", type=int, default=450, help="the importer's --rate: above the limit, so the window limiter bites"
    )
    parser.add_argument("--read-lag-ms", type=int, default=1000, help="passed when the sandbox has --read-lag-ms")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the sheet and results")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    token = secrets.token_urlsafe(24)
    knobs = [
        "--rate-limit", str(args.limit), "--limiter", "window", "--latency-ms", "10", "--fail-rate", "0.05",
        "--drop-after-commit", "0.02", "--on-duplicate", "create", "--seed", str(args.seed),
    ]  # fmt: skip
    if sandbox_has("--read-lag-ms"):
        knobs += ["--read-lag-ms", str(args.read_lag_ms)]
    else:
        print("this sandbox has no --read-lag-ms: soaking without read lag")
    # The kill moments: a random share of the rows in each of `kills` equal stretches of the first 90% of the run.
    kill_at = [int(args.rows * 0.9 * (i + rng.uniform(0.1, 0.9)) / args.kills) for i in range(args.kills)]
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        source = workdir / f"soak-{args.rows}.csv"
        results = workdir / f"soak-{args.rows}.results.csv"
        for stale in workdir.glob(f"{results.stem}*"):  # a kept directory must not resume an older soak
            stale.unlink()
        identifiers = write_contacts(source, args.rows, broken=0, repeated=0, collect_identifiers=True).identifiers
        rows = len(identifiers or [])
        print(f"sheet: {rows} valid contacts with unique phones, {source.stat().st_size / 1e6:.1f} MB")
        with start_sandbox(*knobs, account_file=ACCOUNT_FILE, token=token, cwd=REPO) as sandbox:
            print(f"sandbox: {sandbox.knobs}")
            command = [
                str(IMPORTER), "import", str(source), "-a", str(ACCOUNT_FILE), "--rate", str(args.rate),
                "--base-url", sandbox.base_url, "--no-progress", "-o", str(results),
            ]  # fmt: skip
            env = {**os.environ, "CALLBELL_API_TOKEN": token}

            def held() -> int:
                return int(sandbox.stats()["contacts"])

            runs: list[Run] = []
            started = time.monotonic()
            pending_kills = list(kill_at)
            while True:
                run = run_once(command, env, held, pending_kills[0] if pending_kills else None, rng)
                runs.append(run)
                how = "SIGKILL" if run.exit_code is None else f"exit {run.exit_code}"
                print(
                    f"run {len(runs)}: {how} after {run.seconds:.1f}s, sandbox holds {run.contacts_after} contacts; "
                    f"peak RSS {run.peak_main_mb:.0f} MB (with workers {run.peak_tree_mb:.0f} MB)"
                )
                if run.exit_code is None:
                    pending_kills.pop(0)
                    continue
                if run.exit_code != 0:
                    failures.append(f"run {len(runs)} ended with exit {run.exit_code}: {last_line(run.stderr)}")
                break
            seconds = time.monotonic() - started
            stats = sandbox.stats()
            contacts = sandbox.contacts()

        phones = collections.Counter(digits(c.get("phoneNumber")) for c in contacts)
        duplicates = sum(n - 1 for n in phones.values() if n > 1)
        missing = len(set(identifiers or []) - set(phones))
        counted, statuses, result_uuids = read_results(results) if results.exists() else (0, collections.Counter(), {})
        outcomeless = sum(n for status, n in statuses.items() if status in OUTCOMELESS) + max(0, rows - counted)
        sandbox_uuids = {digits(c.get("phoneNumber")): str(c.get("uuid")) for c in contacts}
        differing = sum(
            1 for k in set(sandbox_uuids) | set(result_uuids) if sandbox_uuids.get(k) != result_uuids.get(k)
        )

    kills = sum(r.exit_code is None for r in runs)
    requests, limited = int(stats["requests"]), int(stats["rate_limited"])
    print(
        f"{rows} rows, {kills} SIGKILLs, {len(runs)} runs, {seconds:.1f}s in all = {rows / seconds:.1f} contacts/s "
        f"(the sandbox alone sustains about 450 POST/s on this machine, see *Sandbox throughput*)"
    )
    print(
        f"sandbox: {len(contacts)} contacts for {rows} rows, {duplicates} duplicates, {missing} missing; "
        f"{requests} requests by status {stats['by_status']}, by method {stats['by_method']}, "
        f"{stats['faults']} 5xx injected, {stats['dropped']} answers lost after commit, "
        f"{stats.get('deleted', 0)} deleted"
    )
    print(f"results: {counted} rows, statuses {dict(statuses)}; {differing} uuids differ from the sandbox's")
    peaks = " / ".join(f"{r.peak_main_mb:.0f}" for r in runs)
    print(f"peak RSS of the importer per run (MB): {peaks}; with its workers: "
          + " / ".join(f"{r.peak_tree_mb:.0f}" for r in runs))  # fmt: skip
    if duplicates or missing or len(contacts) != rows:
        failures.append(f"the sandbox holds {len(contacts)} contacts for {rows} rows ({duplicates} duplicates)")
    if outcomeless:
        failures.append(f"{outcomeless} rows without an outcome in the results")
    if differing:
        failures.append(f"{differing} results uuids differ from the sandbox's")
    if kills < args.kills:
        failures.append(f"only {kills} of {args.kills} kills came before the import finished")
    for failure in failures:
        print(f"FAILED: {failure}")
    print(
        f"| {rows:,} | {kills} | {len(runs)} | {seconds:.0f} | {rows / seconds:.1f} | {duplicates} | {outcomeless} "
        f"| {differing} | {max(r.peak_main_mb for r in runs):.0f} (runs: {peaks}) | {requests:,} "
        f"| {limited:,} ({limited / max(requests, 1):.2%}) |"
    )
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
