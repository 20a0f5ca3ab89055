"""The command-line options every command that talks to the API shares, and the client settings they make."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from importer.callbell.client import ClientConfig
from importer.commands.flags import named_flags
from importer.i18n.message import N_, Fixed, Message, Text
from importer.i18n.translator import Translator

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


# The client's one notice (importer.callbell.client, a pre-flight or request retried), as it logs it; shown in the
# run's language. Any other notice is shown as logged (a Message logged as the record's msg is rendered).
_RETRY = "%s /%s: %s (attempt %d of %d); trying again in %.1f s"


class _Notices(logging.Handler):
    def __init__(self, emit: Callable[[Text], None]) -> None:
        super().__init__(logging.INFO)
        self.say = emit

    def emit(self, record: logging.LogRecord) -> None:
        self.say(notice(record))


def notice(record: logging.LogRecord) -> Text:
    """What a log record of the library says, as a Message where its wording is known."""
    if isinstance(record.msg, Message) and not record.args:
        return record.msg
    args = record.args if isinstance(record.args, tuple) else ()
    if record.msg == _RETRY and len(args) == 6:
        method, path, error, attempt, attempts, wait = args
        request = "{} /{}".format(method, str(path).lstrip("/"))  # noqa: UP032 (Babel warns of an f-string here)
        return N_(
            "{request}: {error} (attempt {attempt} of {attempts}); trying again in {seconds} s",
            request=request,
            # The client's reason (a Message: "connection refused at …"), not the exception's English str().
            error=reason if isinstance(reason := getattr(error, "reason", error), Message) else str(error),
            attempt=attempt,
            attempts=attempts,
            seconds=Fixed(float(wait)),
        )
    return record.getMessage()


def show_api_notices(emit: Callable[[Text], None] | None = None, tr: Translator | None = None) -> None:
    """Show what the API client says as it happens (a pre-flight retrying a wrong URL) through `emit`, by default
    as `importer: warning: …` lines on stderr in `tr`'s language. The library only logs (logger `importer`); a
    command calls this once, and a later call (the tests run many commands in one process) replaces the earlier
    one's handler."""
    if emit is None:
        say = tr or Translator()

        def emit(message: Text) -> None:
            click.echo(f"importer: warning: {say.render(message)}", err=True)  # the library logs at WARNING

    root = logging.getLogger("importer")
    for handler in [h for h in root.handlers if isinstance(h, _Notices)]:
        root.removeHandler(handler)
    root.addHandler(_Notices(emit))
    root.setLevel(logging.INFO)
    root.propagate = False  # shown once, in the command's own format
