"""The command-line options every command that talks to the API shares, and the client settings they make."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from importer.callbell.client import ClientConfig
from importer.commands.flags import named_flags

F = TypeVar("F", bound=Callable[..., Any])


def api_options(func: F) -> F:
    """`--base-url` (or CALLBELL_BASE_URL) and `--token-file` (else CALLBELL_API_TOKEN), as importer.options
    declares them for import, validate and undo."""
    return named_flags("base_url", "token_file")(func)


def client_config(token: str, kw: Mapping[str, Any]) -> ClientConfig:
    """The client settings of a command with --base-url, --rate, --concurrency, --max-retries and --timeout."""
    return ClientConfig(
        token=token,
        base_url=kw["base_url"],
        rate=kw["rate"],
        concurrency=kw["concurrency"],
        max_retries=kw["max_retries"],
        read_timeout=kw["timeout"],
    )


class _Notices(logging.Handler):
    def __init__(self, emit: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.say = emit

    def emit(self, record: logging.LogRecord) -> None:
        self.say(record.getMessage())


def _to_stderr(message: str) -> None:
    click.echo(f"importer: warning: {message}", err=True)  # the library logs notices at WARNING


def show_api_notices(emit: Callable[[str], None] = _to_stderr) -> None:
    """Show what the API client says as it happens (a pre-flight retrying a wrong URL) through `emit`, by default
    as `importer: warning: …` lines on stderr. The library only logs (logger `importer`); a command calls this once, and
    a later call (the tests run many commands in one process) replaces the earlier one's handler."""
    root = logging.getLogger("importer")
    for handler in [h for h in root.handlers if isinstance(h, _Notices)]:
        root.removeHandler(handler)
    root.addHandler(_Notices(emit))
    root.setLevel(logging.INFO)
    root.propagate = False  # shown once, in the command's own format
