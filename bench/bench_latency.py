"""The full rate from anywhere: importer import with default settings against the sandbox at 20, 100, 250 and
400 ms of latency, each with a slow tail (uniform jitter of half the latency on top), under both limiters.

    .venv/bin/python bench/bench_latency.py [--rows 6000] [--latencies 20 100 250 400] [--limiters bucket window]

Every run starts a fresh sandbox `--rate-limit 300 --latency-ms L --latency-jitter-ms L/2 --limiter …` and runs
`importer import FILE` with nothing but the file, the account and the URL: the defaults choose the rate and how
many requests are in flight. Per run:

- steady-state rate: creates per second on the sandbox's clock, the mean of the full seconds after the first two
  (ramp-up) and before the last, over the sandbox's 300/s cap (*of cap*);
- end to end: rows over the importer process's wall time (start to exit), over the cap;
- the share of requests answered 429;
- the importer's CPU seconds per 1,000 requests (its whole run) beside a plain async httpx loop carrying the same
  load the same way, measured in the same run at the same latency: 3,000 POSTs paced at 300/s, as many in flight
  as the importer's rule gives for this latency (pacing.in_flight_for on the tail's latency), over httpx pools of
  8 connections like the client's (CPU s / 1k, and the ratio importer / loop).

Prints the figures, then one markdown row per run (latency, limiter, rows, steady/s and of cap, end to end/s and
of cap, 429s, CPU s / 1k requests, the loop's, and their ratio).
Exits non-zero only when a run fails (importer error, a row missing or created twice).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import math
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from importer.callbell.client import POOL_SIZE
from importer.callbell.pacing import in_flight_for, max_in_flight
from importer.sandbox.process import RunningSandbox, start_sandbox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dry_run import IMPORTER, REPO, last_line, run_sampled, write_contacts  # noqa: E402

ACCOUNT_FILE = REPO / "sample_data" / "account.toml"
CAP = 300  # the sandbox's limit, requests/s


def sandbox_for(token: str, latency_ms: int, limiter: str) -> RunningSandbox:
    knobs = ("--rate-limit", str(CAP), "--latency-ms", str(latency_ms), "--latency-jitter-ms", str(latency_ms / 2))
    return start_sandbox(*knobs, "--limiter", limiter, "--seed", "7", account_file=ACCOUNT_FILE, token=token, cwd=REPO)


def steady_rate(contacts: list[dict[str, object]]) -> float:
    counts = collections.Counter(str(c.get("createdAt")) for c in contacts)
    full = [counts[k] for k in sorted(counts)][2:-1]
    return statistics.fmean(full) if full else 0.0


async def plain_loop(url: str, token: str, requests: int, in_flight: int) -> tuple[float, collections.Counter[int]]:
    """POSTs paced at CAP/s, at most `in_flight` at once, round-robin over pools of POOL_SIZE connections."""
    statuses: collections.Counter[int] = collections.Counter()
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE)
    pools = [
        httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30)
        for _ in range(math.ceil(in_flight / POOL_SIZE))
    ]
    turn = itertools.cycle(pools)
    slots = asyncio.Semaphore(in_flight)
    loop = asyncio.get_running_loop()
    try:
        (await pools[0].get("/auth/me")).raise_for_status()

        async def post(i: int) -> None:
            try:
                body = {"identifier": f"34{710_000_000 + i}", "source": "whatsapp", "name": "Plain loop"}
                statuses[(await next(turn).post("/contacts", json=body)).status_code] += 1
            finally:
                slots.release()

        tasks = []
        started = loop.time()
        for i in range(requests):
            await asyncio.sleep(max(0.0, started + i / CAP - loop.time()))
            await slots.acquire()
            tasks.append(asyncio.create_task(post(i)))
        await asyncio.gather(*tasks)
        return loop.time() - started, statuses
    finally:
        for pool in pools:
            await pool.aclose()


def loop_cpu_per_1k(token: str, latency_ms: int, limiter: str, requests: int) -> tuple[float, int, str]:
    tail = latency_ms * 1.45 / 1000  # the 90th percentile of latency + uniform(0, latency / 2)
    in_flight = in_flight_for(CAP, tail, max_in_flight(CAP))
    with sandbox_for(token, latency_ms, limiter) as sandbox:
        cpu = time.process_time()
        seconds, statuses = asyncio.run(plain_loop(sandbox.base_url, token, requests, in_flight))
        cpu = time.process_time() - cpu
    per_1k = 1000 * cpu / max(sum(statuses.values()), 1)
    said = (
        f"{latency_ms} ms {limiter}: plain loop, {requests} POSTs paced at {CAP}/s, {in_flight} in flight over "
        f"{math.ceil(in_flight / POOL_SIZE)} pools: {seconds:.1f}s, statuses {dict(statuses)}, CPU {cpu:.2f}s = "
        f"{per_1k:.2f}s per 1,000"
    )
    return per_1k, in_flight, said


def import_run(source: Path, rows: int, token: str, latency_ms: int, limiter: str, workdir: Path) -> dict:
    results = workdir / f"r-{latency_ms}-{limiter}.csv"
    with sandbox_for(token, latency_ms, limiter) as sandbox:
        command = [str(IMPORTER), "import", str(source), "-a", str(ACCOUNT_FILE), "--base-url", sandbox.base_url]
        command += ["--no-progress", "-o", str(results)]
        m = run_sampled(command, env={**os.environ, "CALLBELL_API_TOKEN": token})
        contacts = sandbox.contacts()
    summary_path = results.with_name(f"{results.stem}.summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    requests = int(summary.get("requests") or 0)
    phones = collections.Counter(str(c.get("phoneNumber")) for c in contacts)
    ok = m.exit_code == 0 and len(phones) == rows and all(n == 1 for n in phones.values())
    duration = float(summary.get("duration_s") or 0.0)
    send_s = float(summary.get("send_s") or 0.0)
    return {
        "ok": ok,
        "steady": steady_rate(contacts),
        "end_to_end": rows / m.seconds if m.seconds else 0.0,
        "requests": requests,
        "rate_limited": int(summary.get("rate_limited") or 0),
        "cpu_per_1k": 1000 * m.cpu_seconds / max(requests, 1),
        "said": (
            f"{latency_ms} ms {limiter}: importer exit {m.exit_code}, {m.seconds:.2f}s end to end "
            f"({duration - send_s:.2f}s before the first send, {m.seconds - duration:.2f}s after the run's end), "
            f"send {send_s:.2f}s, "
            f"{requests} requests, {summary.get('rate_limited')} answered 429, CPU {m.cpu_seconds:.1f}s, up to "
            f"{m.peak_sockets} sockets, {len(contacts)} contacts for {rows} rows"
            + ("" if ok else f" FAILED: {last_line(m.stderr)}")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--loop-requests", type=int, default=3000)
    parser.add_argument("--latencies", type=int, nargs="+", default=[20, 100, 250, 400])
    parser.add_argument("--limiters", nargs="+", default=["bucket", "window"], choices=["bucket", "window"])
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    table, failed = [], False
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        workdir = Path(tmp)
        source = workdir / "contacts.csv"
        write_contacts(source, args.rows, broken=0, repeated=0, multiline=False, collect_identifiers=False)
        for latency_ms in args.latencies:
            for limiter in args.limiters:
                run = import_run(source, args.rows, token, latency_ms, limiter, workdir)
                loop_1k, _, loop_said = loop_cpu_per_1k(token, latency_ms, limiter, args.loop_requests)
                print(run["said"], flush=True)
                print(loop_said, flush=True)
                failed |= not run["ok"]
                share = run["rate_limited"] / max(run["requests"], 1)
                table.append(
                    f"| {latency_ms} (+0-{latency_ms // 2}) | {limiter} | {args.rows:,} | {run['steady']:.1f} "
                    f"| {run['steady'] / CAP:.1%} | {run['end_to_end']:.1f} | {run['end_to_end'] / CAP:.1%} "
                    f"| {run['rate_limited']} ({share:.2%}) | {run['cpu_per_1k']:.2f} | {loop_1k:.2f} "
                    f"| {run['cpu_per_1k'] / loop_1k:.2f} |" + ("" if run["ok"] else " FAILED |")
                )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    print("\n".join(table))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
