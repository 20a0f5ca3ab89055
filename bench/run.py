"""`make bench`: run every benchmark and write the figures to BENCHMARKS.md.

Each benchmark is a script that prints what it measured and ends with one markdown table row; this runner
collects those rows under their table headers. Speed goals are checked here, never in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Speed goals are stated as multiples of a reference measured in the same run on the same machine, so that they
# hold on a slower or faster machine and figures compare across machines (bench/reference.py).
REFERENCE = (
    "The reference: phonenumbers parse + is_valid_number + format on one core, numbers/s, measured in the same run "
    "(bench/reference.py); x reference is rows/s divided by it."
)

# (section title, table header, goal, command)
BENCHMARKS: list[tuple[str, str, str, list[str]]] = [
    (
        "Sandbox throughput",
        "| run | requests | concurrency | seconds | requests/s | x reference | failures |\n"
        "|---|---|---|---|---|---|---|",
        "The sandbox sustains well over 300 requests/s with a client beside it on this machine: an absolute need, "
        "since the import benchmark below runs it at the API's 300 requests/s; about 0.01 x the reference (441 "
        "requests/s where the reference is 41,000 numbers/s) is the figure to compare across machines. " + REFERENCE,
        [sys.executable, "bench/bench_sandbox.py", "--requests", "5000"],
    ),
    (
        "Reading files",
        "| what | rows | seconds | rows/s | x reference | peak MB |\n|---|---|---|---|---|---|",
        "A 100,000-row XLSX read (open_table) at 1.2 x the reference or better (50,000 rows/s where the reference is "
        "41,000 numbers/s); CSV streamed with flat memory. " + REFERENCE,
        [sys.executable, "bench/bench_read.py"],
    ),
    (
        "Dry run of a big CSV",
        "| rows | seconds | rows/s | reference numbers/s | x reference | plain importer rows/s | x plain importer "
        "| peak MB (main) | peak MB (all processes) |\n|---|---|---|---|---|---|---|---|---|",
        "Dry run of a 1,000,000-row CSV on 2 cores: at least 1.2 x the reference end to end (issue 20; the moonshot "
        "is 1.6 x; before it, 0.7 x), peak memory at most 400 MB and about the same at 100,000 and 1,000,000 rows. "
        + REFERENCE
        + " The plain importer (one process: csv.DictReader "
        "+ phonenumbers parse/is_valid, on the same file in the same run) shows what the importer's own work costs.",
        [sys.executable, "bench/bench_dry_run.py", "--rows", "100000", "1000000"],
    ),
    (
        "Where a dry-run row's time goes",
        "| side | stage | CPU s | us per row | share |\n|---|---|---|---|---|",
        "No goal of its own: the CPU time of each stage of `importer validate` per row, on 200,000 rows of the "
        "big-CSV sheet above, in one process, best of 3 (bench/profile_dry_run.py: the stages are listed in its "
        "docstring), to show where the dry run's speed is won or lost. The parent's and the workers' sums say how the "
        "two cores are shared: the run cannot go faster than the busier side allows.",
        [sys.executable, "bench/profile_dry_run.py", "--rows", "200000", "--repeat", "3", "--no-header"],
    ),
    (
        "Dry run from SQL",
        "| source | rows | until snapshot s | SQL dry run s | CSV dry run s | x CSV (time) | x CSV (CPU) "
        "| peak MB SQL dry run | peak MB CSV dry run |\n|---|---|---|---|---|---|---|---|---|",
        "Dry run of 100,000 contacts from PostgreSQL and from SQLite (`importer validate --query 'SELECT …'`, the "
        "database in IMPORTER_DB_URL or `--db`: the query's rows copied to the snapshot, then checked) at least 0.8 "
        "x the speed of `importer validate` of the same rows in a CSV file (x CSV: the CSV run's seconds over the SQL "
        "run's, both commands end to end as subprocesses, measured in the same run, best of the rounds, sources "
        "alternating); peak memory flat from 100,000 to 1,000,000 rows.",
        [sys.executable, "bench/bench_sql.py", "--rows", "100000", "1000000", "--rounds", "3", "1"],
    ),
    (
        "Importing against the sandbox",
        "| run | limiter | rows | seconds | contacts/s | of allowed | requests | 429s | CPU s / 1k requests "
        "| duplicates |\n|---|---|---|---|---|---|---|---|---|---|",
        "Against the sandbox with `--rate-limit 300 --latency-ms 50`, importing 20,000 rows, both with `--limiter "
        "bucket` (a token bucket) and with `--limiter window` (a strict rolling one-second window, no burst): at "
        "`--rate 300`, at least 95% of the allowed 300/s (*of allowed*: contacts/s over 300) with under 1% of "
        "requests answered 429; at `--rate 600`, every row created exactly once and at least 85% of the allowed "
        "rate. The importer's CPU seconds per 1,000 requests (its whole run) stand beside a plain async httpx loop "
        "paced at 300/s and a sequential POST loop, measured in the same run.",
        [sys.executable, "bench/bench_import.py", "--rows", "20000"],
    ),
    (
        "The full rate from anywhere: latency sweep",
        "| latency ms | limiter | rows | steady/s | of cap | end to end/s | of cap | 429s | CPU s / 1k requests "
        "| loop CPU s / 1k | x loop |\n|---|---|---|---|---|---|---|---|---|---|---|",
        "With default settings (`importer import FILE`, nothing else), against the sandbox `--rate-limit 300` at 20, "
        "100, 250 and 400 ms of latency, each with a slow tail (uniform jitter of half the latency on top), under both "
        "limiters: at least 95% of the cap in steady state and under 1% of requests answered 429; the importer's CPU "
        "per 1,000 requests at most 1.5 x a plain async httpx loop carrying the same load the same way (paced at "
        "300/s, as many in flight, the same pools), measured in the same run.",
        [sys.executable, "bench/bench_latency.py", "--rows", "6000"],
    ),
    (
        "Nightly re-run with --on-existing update",
        "| run | rows | changed | requests | request goal | seconds | time goal | rows/s | x reference | peak MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|",
        "Against the sandbox with `--rate-limit 300 --latency-ms 50`, a 100,000-row file whose every contact exists "
        "and was synced by the previous run, 1% of rows changed, `--on-existing update --rate 300`: requests sent at "
        "most 1.1 x changed rows + the listing pages; wall time at most 1.5 x (the same file's offline dry run + "
        "changed rows / rate + pages / rate); memory flat. The same figures for the file with nothing changed, which "
        "goes at 0.4 x the reference rows/s or better (nothing to send: reading, checking and comparing only). "
        + REFERENCE,
        [sys.executable, "bench/bench_nightly.py", "--rows", "100000"],
    ),
    (
        "Soak: faults, lost answers, read lag, a strict limiter and SIGKILLs",
        "| rows | kills | runs | seconds | contacts/s | duplicates | without outcome | uuids differing "
        "| peak RSS MB per run | requests | 429s |\n|---|---|---|---|---|---|---|---|---|---|---|",
        "200,000 rows against one sandbox with `--fail-rate 0.05 --drop-after-commit 0.02 --on-duplicate create "
        "--limiter window --rate-limit 400 --latency-ms 10 --read-lag-ms 1000`, `importer import --rate 450` (above "
        "the limit, so the strict window answers 429s and the pacing must settle under it), the importer SIGKILLed "
        "at five seeded random moments and restarted with the same command until it finishes: zero duplicates, "
        "zero rows without an outcome, the results' uuids are the sandbox's, and memory flat (about the same peak "
        "RSS in every run). The last run also pays the reconcile pass for every uncertain row of all six runs (one "
        "listing of the account's 200,000 contacts, more while it looks lagging), so its time is longer.",
        [sys.executable, "bench/bench_soak.py", "--rows", "200000"],
    ),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="WORD",
        help="run only the sections whose title contains one of these words (case-insensitive) and replace just "
        "those sections in the existing BENCHMARKS.md",
    )
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHMARKS if not args.only or any(w.lower() in b[0].lower() for w in args.only)]
    if not chosen:
        parser.error(f"no section matches {args.only}; titles: {[b[0] for b in BENCHMARKS]}")
    sections: dict[str, str] = {}
    failed = False
    for title, header, goal, command in chosen:
        print(f"== {title}: {' '.join(command[1:])}", flush=True)
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        print(proc.stdout + proc.stderr, flush=True)
        rows = [line for line in proc.stdout.splitlines() if line.startswith("|")]
        detail = [line for line in proc.stdout.splitlines() if line and not line.startswith("|")]
        if proc.returncode != 0:
            failed = True
            rows.append(f"| FAILED (exit {proc.returncode}) |")
        sections[title] = (
            f"## {title}\n\nGoal: {goal}\n\n{header}\n" + "\n".join(rows) + "\n\n```\n" + "\n".join(detail) + "\n```\n"
        )
    if args.only:
        sections = _merge_into_existing(sections)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    text = (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {dt.date.today().isoformat()} ({machine}). Re-run it after a change that "
        "may affect speed; the figures are measured, not asserted in tests.\n\n" + "\n".join(sections.values())
    )
    (REPO / "BENCHMARKS.md").write_text(text, encoding="utf-8")
    print("wrote BENCHMARKS.md")
    return 1 if failed else 0


def _merge_into_existing(fresh: dict[str, str]) -> dict[str, str]:
    """Keep the other sections of BENCHMARKS.md as they are, in the runner's order."""
    path = REPO / "BENCHMARKS.md"
    old: dict[str, str] = {}
    if path.exists():
        for chunk in path.read_text(encoding="utf-8").split("\n## ")[1:]:
            old[chunk.split("\n", 1)[0].strip()] = "## " + chunk.rstrip("\n") + "\n"
    merged = {title: fresh.get(title) or old.get(title) for title, *_ in BENCHMARKS}
    return {title: text for title, text in merged.items() if text}


if __name__ == "__main__":
    sys.exit(main())
