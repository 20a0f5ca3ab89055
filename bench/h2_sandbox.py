"""The sandbox's app served over HTTP/2 without TLS (h2c, prior knowledge) by hypercorn, for bench/bench_transport.py.

    .venv/bin/python bench/h2_sandbox.py PORT TOKEN LATENCY_MS

The same ASGI app as `importer sandbox` (rate limit 300/s, token bucket, latency + up to half of it again), under
another server: the sandbox itself runs on uvicorn, which speaks HTTP/1.1 only. Benchmark use only.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from hypercorn.asyncio import serve
from hypercorn.config import Config

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from importer.account.model import load_account  # noqa: E402
from importer.sandbox.app import build_app  # noqa: E402
from importer.sandbox.config import SandboxConfig  # noqa: E402


def main() -> None:
    port, token, latency = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    account_file = REPO / "sample_data" / "account.toml"
    config = SandboxConfig(
        account_file=account_file,
        port=port,
        token=token,
        rate_limit=300,
        limiter="bucket",
        latency_ms=latency,
        latency_jitter_ms=latency / 2,
        seed=7,
    )
    server = Config()
    server.bind = [f"127.0.0.1:{port}"]
    server.accesslog = None
    server.h2_max_concurrent_streams = 1000  # every request in flight on one connection
    server.keep_alive_max_requests = 10**9  # hypercorn closes a connection after 1,000 requests by default
    asyncio.run(serve(build_app(config, load_account(account_file)), server))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
