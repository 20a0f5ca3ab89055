"""Throughput of the sandbox: N POST /contacts from an async httpx client at a fixed concurrency.

    .venv/bin/python bench/bench_sandbox.py [-n 5000] [--concurrency 32] [-- extra sandbox args]

Starts `python -m importer sandbox --rate-limit 0 --port 0` as a subprocess (so client and server compete for
the same cores, as in the tests and the demo), prints the achieved requests/s and one markdown table row, with
requests/s as a multiple of the reference (bench/reference.py, measured before and after), and one for that:
| what | requests | concurrency | seconds | requests/s | x reference | non-200 |
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import os
import platform
import sys
import time
from pathlib import Path

import httpx

from importer.sandbox.process import start_sandbox

REPO = Path(__file__).resolve().parent.parent


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), to tell a server-bound run from a client-bound one."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


async def drive(url: str, token: str, total: int, concurrency: int) -> tuple[float, collections.Counter[str]]:
    statuses: collections.Counter[str] = collections.Counter()
    numbers = itertools.count(34_600_000_000)
    remaining = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            # Workers pull from a shared counter, so exactly `total` requests go out whatever the timing.
            while next(remaining) < total:
                body = {"identifier": str(next(numbers)), "source": "whatsapp", "name": "Bench", "tags": ["Lead"]}
                try:
                    response = await client.post("/contacts", json=body)
                    statuses[str(response.status_code)] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--account-file", type=Path, default=REPO / "sample_data" / "account.toml")
    parser.add_argument("sandbox_args", nargs="*", help="extra arguments for `importer sandbox` (after --)")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))  # here: bench_import imports this module
    from reference import NAME, UNIT, describe, phone_reference, ratio

    reference = phone_reference()
    sandbox = start_sandbox("--rate-limit", "0", *args.sandbox_args, account_file=args.account_file, cwd=REPO)
    url, token, process = sandbox.base_url, sandbox.token, sandbox.process
    try:
        server_cpu_before = cpu_seconds(process.pid)
        client_cpu_before = time.process_time()
        seconds, statuses = asyncio.run(drive(url, token, args.requests, args.concurrency))
        client_cpu = time.process_time() - client_cpu_before
        server_cpu_after = cpu_seconds(process.pid)
        contacts = sandbox.stats()["contacts"]
    finally:
        sandbox.stop()
    reference = max(reference, phone_reference())
    rate = args.requests / seconds
    failures = sum(n for status, n in statuses.items() if status != "200")
    print(f"{args.requests} POST /contacts at concurrency {args.concurrency}: {seconds:.2f}s, {rate:.0f} requests/s")
    print(f"statuses: {dict(statuses)}; contacts stored: {contacts}; python {platform.python_version()}")
    if server_cpu_before is not None and server_cpu_after is not None:
        server_cpu = server_cpu_after - server_cpu_before
        print(
            f"CPU: server {server_cpu:.2f}s ({args.requests / max(server_cpu, 0.01):.0f} requests per server "
            f"CPU-second), client {client_cpu:.2f}s"
        )
    print(describe(reference))
    extra = " " + " ".join(args.sandbox_args) if args.sandbox_args else ""
    print(
        f"| sandbox POST /contacts{extra} | {args.requests} | {args.concurrency} | {seconds:.2f} | {rate:.0f} "
        f"| {ratio(rate, reference)} | {failures} |"
    )
    print(f"| reference: {NAME} | | | | {reference:,.0f} {UNIT} | 1 | |")
    if failures or contacts != args.requests:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
