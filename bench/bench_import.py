"""A real import against the sandbox: pacing against both kinds of limiter, 429s, throughput, CPU, exactly-once.

    .venv/bin/python bench/bench_import.py [--rows 20000] [--scenarios baseline paced bucket-300 ...]

Every run starts a fresh sandbox with `--rate-limit 300 --latency-ms 50` (the API's documented quota and a
realistic round trip) and either `--limiter bucket` (a token bucket holding a second's worth) or `--limiter
window` (a strict rolling one-second window: at most 300 requests in any second, no burst). The allowed rate,
300/s, is the reference for throughput: contacts/s is given as a fraction of it. The importer imports a
generated sheet of valid, unique contacts (bench_dry_run's generator):

- baseline: a plain sequential loop of POST /contacts from one keep-alive httpx.Client, what a naive script
  does (bucket sandbox);
- paced-bucket, paced-window: a plain async httpx loop sending POST /contacts evenly at 300/s, no retries:
  the CPU reference for the importer (CPU seconds per 1,000 requests, this process's own), and what an even
  pace at exactly the limit meets against each limiter;
- bucket-300, window-300: `importer import FILE --rate 300` (exactly the quota);
- bucket-600, window-600: `importer import FILE --rate 600` (twice the quota: the importer must settle just
  under the limit and still create every row exactly once).

For the imports: the importer's summary (send seconds, created/s, requests, 429s), its CPU seconds (the whole
run: start-up, reading and checking the sheet, sending, results) per 1,000 requests, the sandbox's own
counters, and a check of the sandbox's contacts against the sheet (every phone exactly once) and against the
results file (same uuids). Prints the figures, then one markdown row per run:
| run | limiter | rows | seconds | contacts/s | of allowed | requests | 429s | CPU s / 1k requests | duplicates |

Exits non-zero only when a run fails (importer error, a row missing or created twice, results that disagree
with the sandbox); the goals are judged from BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import csv
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from importer.sandbox.process import RunningSandbox, start_sandbox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dry_run import IMPORTER, REPO, brief, last_line, run_sampled, write_contacts  # noqa: E402
from bench_sandbox import cpu_seconds  # noqa: E402

ACCOUNT_FILE = REPO / "sample_data" / "account.toml"
ALLOWED = 300  # the sandbox's cap, requests/s: the reference for throughput
SANDBOX_KNOBS = ("--rate-limit", str(ALLOWED), "--latency-ms", "50")
IMPORTS = {"bucket-300": ("bucket", 300), "bucket-600": ("bucket", 600), "window-300": ("window", 300),
           "window-600": ("window", 600)}  # fmt: skip


def digits(value: object) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


@dataclass
class Outcome:
    name: str
    limiter: str
    rows: int
    seconds: float  # sending time (the importer's send_s; the loop's own time for the references)
    per_s: float  # contacts created per second of sending
    requests: int
    rate_limited: int
    duplicates: int
    cpu_per_1k: float  # CPU seconds per 1,000 requests (the importer's whole run; the loop's own process)
    ok: bool = True
    details: list[str] = field(default_factory=list)

    def row(self) -> str:
        label = self.name if self.ok else f"{self.name} (FAILED: see below)"
        return (
            f"| {label} | {self.limiter} | {self.rows:,} | {self.seconds:.2f} | {self.per_s:.1f} "
            f"| {self.per_s / ALLOWED:.1%} | {self.requests:,} | {self.rate_limited:,} "
            f"({self.rate_limited / max(self.requests, 1):.2%}) | {self.cpu_per_1k:.2f} | {self.duplicates} |"
        )


def fresh_sandbox(token: str, limiter: str = "bucket") -> RunningSandbox:
    return start_sandbox(*SANDBOX_KNOBS, "--limiter", limiter, account_file=ACCOUNT_FILE, token=token, cwd=REPO)


def baseline(identifiers: list[str], names: list[str], token: str) -> Outcome:
    """POST /contacts one after the other, as a simple script would."""
    statuses: collections.Counter[int] = collections.Counter()
    with fresh_sandbox(token) as sandbox:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30) as client:
            client.get("/auth/me").raise_for_status()  # connect and warm up outside the timing
            started, cpu = time.perf_counter(), time.process_time()
            for identifier, name in zip(identifiers, names, strict=True):
                body = {"identifier": identifier, "source": "whatsapp", "name": name}
                statuses[client.post("/contacts", json=body).status_code] += 1
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        stats = sandbox.stats()
    created = statuses.get(200, 0)
    requests = stats["requests"] - 1
    out = Outcome(
        "sequential POST loop",
        "bucket",
        len(identifiers),
        seconds,
        created / seconds,
        requests,
        stats["rate_limited"],
        0,
        1000 * cpu / max(requests, 1),
        ok=created == len(identifiers),
    )
    out.details.append(
        f"baseline: {len(identifiers)} sequential POSTs in {seconds:.2f}s = {out.per_s:.1f} contacts/s "
        f"({1000 * seconds / len(identifiers):.1f} ms each), CPU {cpu:.2f}s; statuses {dict(statuses)}"
    )
    return out


async def paced_posts(
    url: str, token: str, identifiers: list[str], rate: float
) -> tuple[float, collections.Counter[int]]:
    """POST every identifier at start + i/rate (no retries), from one pooled AsyncClient; (seconds, statuses)."""
    statuses: collections.Counter[int] = collections.Counter()
    concurrency = 24  # what the importer sizes for 300/s at 50 ms (1.5 x rate x latency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    slots = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        (await client.get("/auth/me")).raise_for_status()

        async def post(identifier: str) -> None:
            try:
                body = {"identifier": identifier, "source": "whatsapp", "name": "Paced loop"}
                statuses[(await client.post("/contacts", json=body)).status_code] += 1
            finally:
                slots.release()

        tasks = []
        started = loop.time()
        for i, identifier in enumerate(identifiers):
            await asyncio.sleep(max(0.0, started + i / rate - loop.time()))
            await slots.acquire()
            tasks.append(asyncio.create_task(post(identifier)))
        await asyncio.gather(*tasks)
        return loop.time() - started, statuses


def paced_reference(limiter: str, identifiers: list[str], token: str) -> Outcome:
    """The plainest async client at the allowed rate: the CPU yardstick, and what an even pace meets."""
    with fresh_sandbox(token, limiter) as sandbox:
        cpu = time.process_time()
        seconds, statuses = asyncio.run(paced_posts(sandbox.base_url, token, identifiers, ALLOWED))
        cpu = time.process_time() - cpu
    requests = sum(statuses.values())
    created = statuses.get(200, 0)
    out = Outcome(
        f"async httpx loop paced at {ALLOWED}/s",
        limiter,
        len(identifiers),
        seconds,
        created / seconds,
        requests,
        statuses.get(429, 0),
        0,
        1000 * cpu / max(requests, 1),
        ok=sum(statuses.values()) == len(identifiers),
    )
    out.details.append(
        f"paced-{limiter}: {requests} POSTs sent evenly at {ALLOWED}/s, no retries, in {seconds:.2f}s: statuses "
        f"{dict(statuses)}, {created / seconds:.1f} contacts/s; CPU {cpu:.2f}s = {out.cpu_per_1k:.2f}s per 1,000"
    )
    return out


def read_results(path: Path) -> tuple[int, collections.Counter[str], dict[str, str]]:
    """(rows, statuses, identifier -> uuid of the created rows) of a results CSV."""
    statuses: collections.Counter[str] = collections.Counter()
    uuids: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        at_status, at_uuid, at_id = header.index("status"), header.index("uuid"), header.index("identifier")
        for row in reader:
            statuses[row[at_status]] += 1
            if row[at_status] == "created":
                uuids[row[at_id]] = row[at_uuid]
    return sum(statuses.values()), statuses, uuids


def per_second(contacts: list[dict[str, object]]) -> str:
    """Creates per wall-clock second from the sandbox's createdAt (1 s resolution), first and last dropped."""
    counts = collections.Counter(str(c.get("createdAt")) for c in contacts)
    full = [counts[k] for k in sorted(counts)][1:-1]
    if not full:
        return "too short to tell"
    return f"min {min(full)}, median {statistics.median(full):.0f}, max {max(full)} over {len(full)} full seconds"


def import_scenario(name: str, source: Path, identifiers: list[str], token: str, workdir: Path) -> Outcome:
    limiter, rate = IMPORTS[name]
    results = workdir / f"{source.stem}.{name}.results.csv"
    command = [str(IMPORTER), "import", str(source), "-a", str(ACCOUNT_FILE), "--rate", str(rate)]
    with fresh_sandbox(token, limiter) as sandbox:
        command += ["--base-url", sandbox.base_url, "--no-progress", "-o", str(results)]
        server_cpu = cpu_seconds(sandbox.process.pid)
        m = run_sampled(command, env={**os.environ, "CALLBELL_API_TOKEN": token})
        server_cpu_after = cpu_seconds(sandbox.process.pid)
        stats = sandbox.stats()
        contacts = sandbox.contacts()
    rows = len(identifiers)
    details = [
        f"{name}: `importer import --rate {rate}` against `importer sandbox {' '.join(SANDBOX_KNOBS)} --limiter "
        f"{limiter}`: exit "
        f"{m.exit_code}, {m.seconds:.2f}s end to end, importer CPU {m.cpu_seconds:.1f}s, peak RSS "
        f"{m.peak_main_mb:.0f} MB (all processes {m.peak_tree_mb:.0f} MB), up to {m.peak_sockets} sockets open"
    ]
    if server_cpu is not None and server_cpu_after is not None:
        server = server_cpu_after - server_cpu
        others = max(0.0, m.machine_cpu_seconds - m.cpu_seconds - server)
        details.append(
            f"{name}: sandbox CPU {server:.1f}s; other processes on the machine {others:.1f} CPU-s meanwhile"
        )
    ok = m.exit_code == 0
    if not ok:
        details.append(f"{name}: FAILED: exit {m.exit_code}: {last_line(m.stderr)}")

    summary_path = results.with_name(f"{results.stem}.summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    send_s = float(summary.get("send_s") or 0.0)
    created = int(summary.get("counts", {}).get("created", 0))
    per_s = float(summary.get("created_per_s") or 0.0)
    requests = int(summary.get("requests") or 0)
    rate_limited = int(summary.get("rate_limited") or 0)
    if summary:
        details.append(
            f"{name}: importer summary: {summary.get('counts')}, duration {summary.get('duration_s')}s, send "
            f"{send_s}s, {per_s} created/s, {requests} requests, {summary.get('retries')} retries, "
            f"{rate_limited} answered 429 ({100 * rate_limited / max(requests, 1):.2f}%)"
        )
        details.append(
            f"{name}: before sending (start-up, pre-flight, reading and checking the sheet): "
            f"{float(summary.get('duration_s') or 0) - send_s:.2f}s; after (results, process exit): "
            f"{m.seconds - float(summary.get('duration_s') or 0):.2f}s"
        )
    else:
        details.append(f"{name}: FAILED: no summary at {summary_path}")
        ok = False

    by_status = stats.get("by_status", {})
    sandbox_429 = int(stats.get("rate_limited", 0))
    details.append(
        f"{name}: sandbox saw {stats['requests']} requests, by status {by_status}, {sandbox_429} rate-limited "
        f"({100 * sandbox_429 / max(stats['requests'], 1):.2f}%), {stats['contacts']} contacts"
    )
    details.append(f"{name}: creates per second (sandbox clock): {per_second(contacts)}")

    phones = collections.Counter(digits(c.get("phoneNumber")) for c in contacts)
    duplicates = sum(n - 1 for n in phones.values() if n > 1)
    missing = set(identifiers) - set(phones)
    extra = set(phones) - set(identifiers)
    if duplicates or missing or extra or len(contacts) != rows:
        details.append(
            f"{name}: FAILED: sandbox holds {len(contacts)} contacts for {rows} rows: {duplicates} duplicate, "
            f"{len(missing)} missing, {len(extra)} unexpected phone numbers"
        )
        ok = False
    else:
        details.append(f"{name}: every row's phone is in the sandbox exactly once")
    if created != rows:
        details.append(f"{name}: FAILED: the importer reports {created} created of {rows}")
        ok = False

    if results.exists():
        counted, statuses, result_uuids = read_results(results)
        sandbox_uuids = {digits(c.get("phoneNumber")): str(c.get("uuid")) for c in contacts}
        if counted != rows or dict(statuses) != {"created": rows}:
            details.append(f"{name}: FAILED: the results hold {counted} rows for {rows}, statuses {brief(statuses)}")
            ok = False
        elif result_uuids != sandbox_uuids:
            wrong = sum(1 for k, v in result_uuids.items() if sandbox_uuids.get(k) != v)
            details.append(f"{name}: FAILED: {wrong} results uuids differ from the sandbox's")
            ok = False
        else:
            details.append(f"{name}: the results file's uuids are the sandbox's, row for row")
    else:
        details.append(f"{name}: FAILED: no results file")
        ok = False
    cpu_per_1k = 1000 * m.cpu_seconds / max(requests, 1)
    details.append(f"{name}: importer CPU {m.cpu_seconds:.1f}s for {requests} requests = {cpu_per_1k:.2f}s per 1,000")
    label = f"importer --rate {rate}"
    return Outcome(label, limiter, rows, send_s, per_s, requests, rate_limited, duplicates, cpu_per_1k, ok, details)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000, help="rows imported in each import run")
    parser.add_argument("--baseline-rows", type=int, default=300, help="POSTs in the sequential baseline")
    parser.add_argument("--paced-rows", type=int, default=3000, help="POSTs in each paced async loop")
    choices = ["baseline", "paced-bucket", "paced-window", *IMPORTS]
    parser.add_argument("--scenarios", nargs="+", choices=choices, default=choices)
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the sheet and results")
    parser.add_argument("--no-multiline", action="store_true", help="no notes with a line break in the sheet")
    args = parser.parse_args()

    token = secrets.token_urlsafe(24)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        source = workdir / f"import-{args.rows}.csv"
        generated = write_contacts(
            source, args.rows, broken=0, repeated=0, multiline=not args.no_multiline, collect_identifiers=True
        )
        identifiers = generated.identifiers or []
        print(f"sheet: {args.rows} valid contacts with unique phones, {source.stat().st_size / 1e6:.1f} MB")
        reference = [f"34{700_000_000 + i}" for i in range(max(args.baseline_rows, args.paced_rows))]
        for scenario in args.scenarios:
            if scenario == "baseline":
                n = args.baseline_rows
                outcomes.append(baseline(reference[:n], [f"Baseline contacto {i}" for i in range(n)], token))
            elif scenario.startswith("paced-"):
                outcomes.append(paced_reference(scenario.removeprefix("paced-"), reference[: args.paced_rows], token))
            else:
                outcomes.append(import_scenario(scenario, source, identifiers, token, workdir))
    for outcome in outcomes:
        for line in outcome.details:
            print(line)
    base = next((o for o in outcomes if o.name.startswith("sequential")), None)
    paced = next((o for o in outcomes if o.name.startswith("async")), None)
    for outcome in outcomes:
        if outcome.name.startswith("importer"):
            line = f"{outcome.name} ({outcome.limiter}): {outcome.per_s / ALLOWED:.1%} of the allowed {ALLOWED}/s"
            if base is not None and base.per_s:
                line += f", {outcome.per_s / base.per_s:.1f}x the sequential loop"
            if paced is not None and paced.cpu_per_1k:
                line += f", CPU per request {outcome.cpu_per_1k / paced.cpu_per_1k:.1f}x the paced httpx loop's"
            print(line)
    for outcome in outcomes:
        print(outcome.row())
    if not all(o.ok for o in outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
