"""`importer account pull -o account.toml`: write (or complete) the account file from what the API shows."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from importer.account.file import check_output, write_account_file
from importer.account.pull import pull_account
from importer.callbell.client import ClientConfig
from importer.callbell.credentials import require_token
from importer.commands.api_options import api_options, show_api_notices
from importer.commands.flags import named_flags
from importer.commands.guard import command_language, error_text, fail
from importer.errors import ImporterError
from importer.i18n.message import N_
from importer.i18n.translator import Translator


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
    tr = Translator.for_lang(command_language(lang))  # --lang, else the locale: the messages and the comments
    try:
        check_output(output)  # before the API: a wrong -o is found now, not after reading the whole account
        show_api_notices(tr=tr)
        token = require_token(token_file)
        config = ClientConfig(token=token, base_url=base_url, concurrency=4, read_timeout=timeout)
        with _Progress(_wants_progress(progress), max_pages, tr) as reporter:
            scan = pull_account(config, max_pages=max_pages, on_page=reporter.page)
        changes = write_account_file(output, scan, tr=tr)
    except ImporterError as exc:
        fail(error_text(exc, tr), int(exc.exit_code))
    except KeyboardInterrupt:
        fail(tr.gettext("interrupted: nothing written"), 130)
    for warning in changes.warnings:
        click.echo(f"importer: warning: {tr.render(warning)}", err=True)
    if changes.created:
        click.echo(tr.gettext("{file}: new account file; {changes}", file=str(output), changes=changes.summary(tr)))
    elif changes.changed:
        click.echo(f"{output}: {changes.summary(tr)}")
    else:
        click.echo(tr.gettext("{file}: no change; the file already holds everything the API shows", file=str(output)))
    pages = tr.ngettext("{contacts} contacts on {n} page", "{contacts} contacts on {n} pages", scan.pages,
                        contacts=scan.contacts)  # fmt: skip
    if not scan.complete:
        pages += " " + tr.gettext("(partial: stopped by --max-pages {limit})", limit=str(max_pages))
    teams = tr.ngettext("{n} team", "{n} teams", len(scan.teams))
    channels = tr.ngettext("{n} channel", "{n} channels", len(scan.channels))
    click.echo(
        tr.gettext(
            "Read {pages}, {team_count}, {channel_count}.", pages=pages, team_count=teams, channel_count=channels
        )
    )


def _wants_progress(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


class _Progress:
    """A tqdm bar of contact pages on a terminal; otherwise a line on stderr every few seconds; in the run's
    language."""

    def __init__(self, bar: bool, total: int | None, tr: Translator, every: float = 5.0) -> None:
        self.every, self.tr = every, tr
        self.last = time.monotonic()
        self.bar: Any = None
        if bar:
            from tqdm import tqdm

            desc, unit = tr.gettext("contact pages"), tr.render(PAGE_UNIT)
            self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def page(self, pages: int, contacts: int) -> None:
        tr = self.tr
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(tr.ngettext("{n} contact", "{n} contacts", contacts), refresh=False)
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            read = tr.ngettext("{pages} pages, {n} contact read", "{pages} pages, {n} contacts read", contacts,
                               pages=pages)  # fmt: skip
            click.echo(f"importer: account pull: {read}", err=True)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


PAGE_UNIT = N_("page")  # the bar's unit, as tqdm shows it: 3.2page/s
