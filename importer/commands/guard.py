"""One crash guard for every command: an unexpected exception (a bug) is one line on stderr and exit code 4,
never a traceback and never the token. IMPORTER_DEBUG=1 lets the exception through, for the report."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from importer.callbell.credentials import TOKEN_ENV
from importer.errors import ExitCode

Fail = Callable[[str, int], Any]  # says the message, then exits with the code


def internal_error(exc: BaseException) -> str:
    message = f"internal error ({type(exc).__name__}: {exc}); please report it, with IMPORTER_DEBUG=1 for details"
    token = os.environ.get(TOKEN_ENV, "").strip()
    # An exception may quote a header or a setting: the token never reaches a terminal or a log.
    return message.replace(token, "***") if token else message


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"importer: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def crash_guard(say: Fail = fail) -> Iterator[None]:
    """Around a command: click's own exceptions (usage, --help, Abort) and SystemExit pass; any other exception
    is `say(one line, ExitCode.INTERNAL_ERROR)`."""
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:
        if os.environ.get("IMPORTER_DEBUG"):
            raise
        say(internal_error(exc), int(ExitCode.INTERNAL_ERROR))
        sys.exit(int(ExitCode.INTERNAL_ERROR))  # should `say` return


class GuardedGroup(click.Group):
    """A command group whose every subcommand (and theirs) runs inside the crash guard."""

    def invoke(self, ctx: click.Context) -> Any:
        with crash_guard():
            return super().invoke(ctx)
