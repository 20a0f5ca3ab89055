"""`importer sandbox`: run the local Callbell-compatible server from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from importer.account.model import AccountFileError
from importer.sandbox.config import SandboxConfig, SandboxConfigError, new_token
from importer.sandbox.store import StoreError


@click.command("sandbox")
@click.option(
    "--account-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The account (tags, users, custom fields, teams, channels) the sandbox serves and validates against.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback only, unless --allow-remote.")
@click.option("--port", default=8765, show_default=True, type=int, help="0 picks a free port.")
@click.option("--token", default=None, help="Accepted bearer token (default: a random sbx_... token, printed).")
@click.option("--rate-limit", default=300.0, show_default=True, type=float, help="Requests/s over /v1; 0 = off.")
@click.option("--burst", default=None, type=float, help="Token-bucket size (default: the rate limit).")
@click.option(
    "--limiter",
    default="bucket",
    show_default=True,
    type=click.Choice(["bucket", "window"]),
    help="Token bucket, or a strict rolling 1 s window (at most --rate-limit requests in any second, no burst).",
)
@click.option("--retry-after", default=None, type=int, help="Seconds for a Retry-After header on 429 (default: none).")
@click.option("--latency-ms", default=0.0, show_default=True, type=float, help="Delay added to every /v1 answer.")
@click.option("--latency-jitter-ms", default=0.0, show_default=True, type=float, help="Plus uniform(0, this) ms.")
@click.option(
    "--fail-rate",
    default=0.0,
    show_default=True,
    type=float,
    help="Fraction of /v1 requests answered with a random 500/502/503/504 without doing anything.",
)
@click.option(
    "--drop-after-commit",
    default=0.0,
    show_default=True,
    type=float,
    help="Fraction of writes that commit and then answer 502 or cut the connection (half each).",
)
@click.option("--seed", default=None, type=int, help="Seed for latency jitter and faults (default: random, printed).")
@click.option(
    "--on-duplicate",
    default="reject",
    show_default=True,
    type=click.Choice(["reject", "create"]),
    help="POST of an existing identity: 422 naming the existing uuid, or a second contact.",
)
@click.option(
    "--read-lag-ms",
    default=0.0,
    show_default=True,
    type=float,
    help="Look-ups by phone, listings and GET by uuid see a contact only this long after its creation.",
)
@click.option("--page-size", default=50, show_default=True, type=int, help="Page size of paged endpoints.")
@click.option(
    "--db",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="sqlite file keeping contacts across restarts (default: in memory).",
)
@click.option(
    "--ready-file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help='Once ready, write {"base_url", "token", "pid"} JSON here.',
)
@click.option("--access-log", is_flag=True, help="Log every request.")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host.")
def sandbox_command(
    account_file: Path,
    host: str,
    port: int,
    token: str | None,
    rate_limit: float,
    burst: float | None,
    limiter: str,
    retry_after: int | None,
    latency_ms: float,
    latency_jitter_ms: float,
    fail_rate: float,
    drop_after_commit: float,
    seed: int | None,
    on_duplicate: str,
    read_lag_ms: float,
    page_size: int,
    db: Path | None,
    ready_file: Path | None,
    access_log: bool,
    allow_remote: bool,
) -> None:
    """Run a local Callbell-compatible API server (for demos, tests and benchmarks)."""
    # Imported here so `importer --help` does not pay for uvicorn and starlette.
    from importer.sandbox.server import serve

    try:
        config = SandboxConfig(
            account_file=account_file,
            host=host,
            port=port,
            token=token if token is not None else new_token(),
            rate_limit=rate_limit,
            burst=burst,
            limiter="window" if limiter == "window" else "bucket",
            retry_after=retry_after,
            latency_ms=latency_ms,
            latency_jitter_ms=latency_jitter_ms,
            fail_rate=fail_rate,
            drop_after_commit=drop_after_commit,
            on_duplicate="create" if on_duplicate == "create" else "reject",
            read_lag_ms=read_lag_ms,
            page_size=page_size,
            db=db,
            ready_file=ready_file,
            access_log=access_log,
            allow_remote=allow_remote,
            **({"seed": seed} if seed is not None else {}),
        )

        def on_ready(url: str) -> None:
            # The only place the token is ever printed; scripts and tests read these two lines.
            click.echo(f"Callbell sandbox ready at {url}")
            click.echo(f"token: {config.token}")
            click.echo(config.knobs())
            click.get_text_stream("stdout").flush()

        serve(config, on_ready)
    except (SandboxConfigError, AccountFileError, StoreError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
