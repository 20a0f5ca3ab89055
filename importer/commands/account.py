"""`importer account pull -o account.toml`: write (or complete) the account file from what the API shows."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from importer.account.file import check_output, write_account_file
from importer.account.pull import pull_account
from importer.callbell.client import ClientConfig
from importer.callbell.credentials import require_token
from importer.commands.api_options import api_options, show_api_notices
from importer.commands.flags import named_flags
from importer.errors import ImporterError


@click.group("account")
def account_group() -> None:
    """Set up the account file that `import`, `validate` and `mapping` read."""


@account_group.command("pull")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="Account file to write; an existing one is completed (merged), never shortened.",
)
@api_options
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    help="Read at most N pages of contacts (for huge accounts); the file then says the scan was partial.",
)
@named_flags("timeout", "progress", "lang", command="account pull")
def pull_command(
    output: Path,
    base_url: str,
    token_file: Path | None,
    max_pages: int | None,
    timeout: float,
    progress: bool | None,
    lang: str | None,
) -> None:
    """Write the account file from what Callbell's API shows: teams and their members, channels, and the tags,
    custom fields (with their types) and assigned users seen on existing contacts.

    The API cannot list tags, custom fields or users no contact carries: the file's comments say what to add
    from Settings. Pointed at an existing file, it only adds: your entries and comments stay, and a second run
    in a row changes nothing. The token comes from CALLBELL_API_TOKEN (or --token-file) and is never printed.

    Exit codes: 0 written or already up to date; 2 usage, or the output cannot be written; 3 no token, the token
    is refused, the API fails, or the existing output is not a valid account file (left as it was).
    """
    del lang  # taken already (scripts pass it to every command); its messages and comments are still English
    try:
        check_output(output)  # before the API: a wrong -o is found now, not after reading the whole account
        show_api_notices()
        token = require_token(token_file)
        config = ClientConfig(token=token, base_url=base_url, concurrency=4, read_timeout=timeout)
        with _Progress(_wants_progress(progress), max_pages) as reporter:
            scan = pull_account(config, max_pages=max_pages, on_page=reporter.page)
        changes = write_account_file(output, scan)
    except ImporterError as exc:
        _fail(str(exc), int(exc.exit_code))
    except KeyboardInterrupt:
        _fail("interrupted: nothing written", 130)
    scope = f"{scan.contacts:,} contacts on {scan.pages:,} page{'' if scan.pages == 1 else 's'}"
    if not scan.complete:
        scope += f" (partial: stopped by --max-pages {max_pages})"
    for warning in changes.warnings:
        click.echo(f"importer: warning: {warning}", err=True)
    if changes.created:
        click.echo(f"{output}: new account file; {changes.summary()}")
    elif changes.changed:
        click.echo(f"{output}: {changes.summary()}")
    else:
        click.echo(f"{output}: no change; the file already holds everything the API shows")
    click.echo(f"Read {scope}, {len(scan.teams)} teams, {len(scan.channels)} channels.")


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"importer: error: {message}", err=True)
    sys.exit(code)


def _wants_progress(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


class _Progress:
    """A tqdm bar of contact pages on a terminal; otherwise a line on stderr every few seconds."""

    def __init__(self, bar: bool, total: int | None, every: float = 5.0) -> None:
        self.every = every
        self.last = time.monotonic()
        self.bar: Any = None
        if bar:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="contact pages", unit="page", file=sys.stderr, dynamic_ncols=True)

    def page(self, pages: int, contacts: int) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{contacts:,} contacts", refresh=False)
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            click.echo(f"importer: account pull: {pages:,} pages, {contacts:,} contacts read", err=True)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
