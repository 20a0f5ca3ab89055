"""How to carry many requests in flight without the pool's cost: the same paced load through each transport.

    .venv/bin/python bench/bench_transport.py [--requests 3000] [--latency-ms 250] [--in-flight 100]

A fresh sandbox per transport (`--rate-limit 300 --latency-ms L --latency-jitter-ms L/2 --limiter bucket`); a plain
loop sends POST /contacts paced at 300/s with at most N in flight (asyncio.Semaphore), no retries, through:

- httpx-one-pool: one httpx.AsyncClient with a pool of N connections (the plain way);
- httpx-pools-of-8: ceil(N/8) AsyncClients of 8 connections each, used in turn (what importer.callbell.client
  does: httpcore's pool does work quadratic in its connections on every request, encode/httpcore#928);
- aiohttp: one aiohttp.ClientSession with a TCPConnector of N connections (a client built for many connections);
- httpx-http2: one httpx.AsyncClient speaking HTTP/2 only, every request a stream of one connection, against the
  same sandbox app served by hypercorn over h2c (bench/h2_sandbox.py: uvicorn, the sandbox's server, speaks
  HTTP/1.1 only). Whether Callbell's API offers HTTP/2 is not documented: a client would ask for it by ALPN over
  TLS, and a server that answers HTTP/1.1 leaves httpx on HTTP/1.1.

For each: the rate reached, the statuses (transport errors counted apart), and this process's CPU seconds per 1,000
requests. Prints the figures, then one markdown row per transport:
| transport | in flight | requests | seconds | requests/s | errors | CPU s / 1k requests | x pools of 8 |
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import math
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx

from importer.sandbox.process import RunningSandbox, start_sandbox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dry_run import REPO  # noqa: E402

ACCOUNT_FILE = REPO / "sample_data" / "account.toml"
RATE = 300
Post = Callable[[dict[str, str]], Awaitable[int]]


async def paced(post: Post, requests: int, in_flight: int, offset: int) -> tuple[float, collections.Counter[str]]:
    statuses: collections.Counter[str] = collections.Counter()
    slots = asyncio.Semaphore(in_flight)
    loop = asyncio.get_running_loop()

    async def one(i: int) -> None:
        try:
            body = {"identifier": f"34{720_000_000 + offset + i}", "source": "whatsapp", "name": "Transport"}
            statuses[str(await post(body))] += 1
        except Exception as exc:  # a transport error: counted, the loop goes on
            if not any(not k.isdigit() for k in statuses):
                print(f"first transport error: {type(exc).__name__}: {exc}", flush=True)
            statuses[type(exc).__name__] += 1
        finally:
            slots.release()

    tasks = []
    started = loop.time()
    for i in range(requests):
        await asyncio.sleep(max(0.0, started + i / RATE - loop.time()))
        await slots.acquire()
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return loop.time() - started, statuses


async def httpx_run(url: str, token: str, requests: int, in_flight: int, pool_size: int, offset: int):
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
    tls = httpx.create_ssl_context()
    pools = [
        httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60, verify=tls)
        for _ in range(math.ceil(in_flight / pool_size))
    ]
    turn = itertools.cycle(pools)

    async def post(body: dict[str, str]) -> int:
        return (await next(turn).post("/contacts", json=body)).status_code

    try:
        (await pools[0].get("/auth/me")).raise_for_status()
        return await paced(post, requests, in_flight, offset)
    finally:
        for pool in pools:
            await pool.aclose()


async def httpx_http2_run(url: str, token: str, requests: int, in_flight: int, offset: int):
    """One AsyncClient speaking HTTP/2 only: every request a stream of one connection (h2c, prior knowledge)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, http1=False, http2=True, timeout=60) as client:

        async def post(body: dict[str, str]) -> int:
            return (await client.post("/contacts", json=body)).status_code

        (await client.get("/auth/me")).raise_for_status()
        return await paced(post, requests, in_flight, offset)


@contextlib.contextmanager
def h2_sandbox(token: str, latency_ms: float) -> Iterator[str]:
    """The sandbox's app under hypercorn (bench/h2_sandbox.py), HTTP/2 over cleartext; yields its base URL."""
    with socket.socket() as probe:  # a free port (the bench's own machine: the race is harmless)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, str(REPO / "bench" / "h2_sandbox.py"), str(port), token, str(latency_ms)]
    server = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL)  # its shutdown traceback
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with httpx.Client(http1=False, http2=True, timeout=2) as client:
                    client.get(f"{url}/auth/me", headers={"Authorization": f"Bearer {token}"}).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


async def aiohttp_run(url: str, token: str, requests: int, in_flight: int, offset: int):
    import aiohttp

    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=in_flight)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(headers=headers, connector=connector, timeout=timeout) as session:

        async def post(body: dict[str, str]) -> int:
            async with session.post(f"{url}/contacts", json=body) as response:
                await response.read()
                return response.status

        async with session.get(f"{url}/auth/me") as response:
            response.raise_for_status()
        return await paced(post, requests, in_flight, offset)


@contextlib.contextmanager
def _base_url(sandbox: RunningSandbox) -> Iterator[str]:
    with sandbox as running:
        yield running.base_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--latency-ms", type=float, default=250)
    parser.add_argument("--in-flight", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    n = args.in_flight
    transports = {
        "httpx-http2": lambda url, off: httpx_http2_run(url, token, args.requests, n, off),
        "httpx-one-pool": lambda url, off: httpx_run(url, token, args.requests, n, n, off),
        "httpx-pools-of-8": lambda url, off: httpx_run(url, token, args.requests, n, 8, off),
        "aiohttp": lambda url, off: aiohttp_run(url, token, args.requests, n, off),
    }
    knobs = ("--rate-limit", str(RATE), "--latency-ms", str(args.latency_ms))
    knobs += ("--latency-jitter-ms", str(args.latency_ms / 2), "--limiter", "bucket")
    best: dict[str, tuple[float, float, collections.Counter[str]]] = {}
    for round_no in range(args.rounds):
        for name, run in transports.items():
            server = (
                h2_sandbox(token, args.latency_ms)
                if name == "httpx-http2"
                else _base_url(start_sandbox(*knobs, account_file=ACCOUNT_FILE, token=token, cwd=REPO))
            )
            with server as url:
                cpu = time.process_time()
                seconds, statuses = asyncio.run(run(url, round_no * 100_000))
                cpu = time.process_time() - cpu
            per_1k = 1000 * cpu / args.requests
            print(
                f"round {round_no + 1}, {name}: {args.requests} POSTs paced at {RATE}/s, {n} in flight, latency "
                f"{args.latency_ms:g} ms + up to {args.latency_ms / 2:g}: {seconds:.1f}s, {dict(statuses)}, CPU "
                f"{cpu:.2f}s = {per_1k:.2f}s per 1,000",
                flush=True,
            )
            if name not in best or per_1k < best[name][1]:
                best[name] = (seconds, per_1k, statuses)
    reference = best["httpx-pools-of-8"][1]
    for name, (seconds, per_1k, statuses) in best.items():
        errors = sum(v for k, v in statuses.items() if not k.isdigit())
        print(
            f"| {name} | {n} | {args.requests:,} | {seconds:.1f} | {args.requests / seconds:.1f} | {errors} "
            f"| {per_1k:.2f} | {per_1k / reference:.2f} |"
        )


if __name__ == "__main__":
    main()
