"""The `importer` command: a thin layer over importer.pipeline (and importer.sandbox)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from importer import __version__
from importer.client import DEFAULT_BASE_URL, ClientConfig
from importer.errors import ConfigError, ImporterError
from importer.pipeline import ImportOptions, Report, run_import
from importer.sandbox.command import sandbox_command
from importer.validate import Options

TOKEN_ENV = "CALLBELL_API_TOKEN"
BASE_URL_ENV = "CALLBELL_BASE_URL"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="importer")
def cli() -> None:
    """Bulk-load contacts from CSV and Excel files into a Callbell account.

    Exit codes: 0 every row ok; 1 some rows invalid, duplicated or failed; 2 usage, config or unreadable
    input (nothing sent); 3 account or authentication problem (nothing sent).
    """


cli.add_command(sandbox_command)


def _import_options(func: Any) -> Any:
    options = [
        click.argument("file", type=click.Path(path_type=Path)),
        click.option(
            "--account-file",
            "-a",
            type=click.Path(path_type=Path),
            required=True,
            help="TOML file describing the account's tags, users, custom fields (see README).",
        ),
        click.option("--results", "-o", type=click.Path(path_type=Path), help="Results CSV [FILE.results.csv]."),
        click.option("--default-region", help="Country (ISO code, e.g. ES) for phones written without +CC."),
        click.option(
            "--phone-format",
            type=click.Choice(["digits", "e164"]),
            default="digits",
            show_default=True,
            help="Identifier form: 34600112233 (as in Callbell's docs) or +34600112233.",
        ),
        click.option("--source", default="whatsapp", show_default=True, help="Source for rows without one."),
        click.option("--encoding", help="CSV encoding (detected when not given)."),
        click.option("--delimiter", help="CSV delimiter (detected when not given; use '\\t' for tab)."),
        click.option("--sheet", help="Excel sheet name or 0-based index [first sheet with data]."),
        click.option(
            "--base-url",
            envvar=BASE_URL_ENV,
            default=DEFAULT_BASE_URL,
            show_default=True,
            help=f"API base URL (or {BASE_URL_ENV}).",
        ),
        click.option(
            "--token-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help=f"Read the API token from this file instead of {TOKEN_ENV}.",
        ),
        click.option("--rate", type=float, default=200.0, show_default=True, help="Requests per second, at most."),
        click.option("--concurrency", type=int, default=16, show_default=True, help="Requests in flight, at most."),
        click.option("--max-retries", type=int, default=6, show_default=True, help="Retries per request."),
        click.option("--timeout", type=float, default=30.0, show_default=True, help="Read timeout in seconds."),
        click.option("--progress/--no-progress", default=None, help="Progress bar [on when stderr is a terminal]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command("import")
@_import_options
@click.option("--dry-run", is_flag=True, help="Validate every row and write the results; send nothing.")
def import_command(dry_run: bool, **kwargs: Any) -> None:
    """Import the contacts in FILE (CSV, XLSX, XLS, ODS) into Callbell.

    The API token comes from the CALLBELL_API_TOKEN environment variable (or --token-file).
    """
    _run(dry_run=dry_run, **kwargs)


@cli.command("validate")
@_import_options
def validate_command(**kwargs: Any) -> None:
    """Check FILE as `import --dry-run` does: every problem reported, nothing sent."""
    _run(dry_run=True, **kwargs)


def _run(*, dry_run: bool, progress: bool | None, **kw: Any) -> None:
    try:
        options = _build_options(dry_run=dry_run, **kw)
        report = run_import(options, progress=_TqdmProgress() if _wants_progress(progress) else None)
    except ImporterError as exc:
        click.echo(f"importer: error: {exc}", err=True)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        click.echo("importer: interrupted", err=True)
        sys.exit(130)
    _print_report(report, dry_run)
    sys.exit(int(report.exit_code))


def _build_options(*, dry_run: bool, **kw: Any) -> ImportOptions:
    token = _read_token(kw["token_file"])
    client = None
    if token:
        client = ClientConfig(
            token=token,
            base_url=kw["base_url"],
            rate=kw["rate"],
            concurrency=kw["concurrency"],
            max_retries=kw["max_retries"],
            read_timeout=kw["timeout"],
        )
    delimiter = kw["delimiter"]
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    return ImportOptions(
        file=kw["file"],
        account_file=kw["account_file"],
        results=kw["results"],
        dry_run=dry_run,
        encoding=kw["encoding"],
        delimiter=delimiter,
        sheet=kw["sheet"],
        validation=Options(
            default_region=kw["default_region"], phone_format=kw["phone_format"], default_source=kw["source"]
        ),
        client=client,
    )


def _read_token(token_file: Path | None) -> str | None:
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{token_file}: cannot read token file ({exc.strerror or exc})") from None
        if not token:
            raise ConfigError(f"{token_file}: token file is empty")
        return token
    return os.environ.get(TOKEN_ENV, "").strip() or None


def _wants_progress(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


class _TqdmProgress:
    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int, description: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=description, unit="row", file=sys.stderr, dynamic_ncols=True)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _print_report(report: Report, dry_run: bool) -> None:
    echo = click.echo
    echo(f"Read {report.rows} rows ({report.source}).")
    unmapped = [report.mapping.column(i) for i in report.mapping.unmapped]
    if unmapped:
        echo(f"Columns not imported: {', '.join(unmapped)}")
    order = ("created", "updated", "skipped", "valid", "duplicate", "invalid", "failed")
    parts = [f"{report.counts[s]} {s}" for s in order if report.counts.get(s)]
    echo(("Dry run: " if dry_run else "") + (", ".join(parts) or "no rows") + f" in {report.duration:.1f}s.")
    if report.requests:
        echo(f"API: {report.requests} requests, {report.retries} retries, {report.rate_limited} rate-limited.")
    echo(f"Results: {report.results_path}")
    if report.errors_path is not None:
        echo(f"Rows to fix: {report.errors_path}")


def main() -> None:
    cli()
