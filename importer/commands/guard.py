"""One crash guard for every command: an unexpected exception (a bug) is one line on stderr and exit code 4,
never a traceback and never the token. IMPORTER_DEBUG=1 lets the exception through, for the report.

And the one way the commands print an error line: an ImporterError (or any message) rendered in the run's
language, which `command_language` finds as cheaply as it can: --lang on the command line, else a --config
file's [options] lang, else the environment's locale."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from importer.callbell.credentials import TOKEN_ENV
from importer.errors import ExitCode
from importer.i18n.message import Message, Text
from importer.i18n.translator import LANGS, Translator, detect_lang

Fail = Callable[[str, int], Any]  # says the message, then exits with the code


def command_language(
    lang: str | None = None, config: str | os.PathLike[str] | None = None, environ: Mapping[str, str] = os.environ
) -> str:
    """The language a command speaks in: `lang` (its --lang) when given, else the [options] lang of the --config
    file `config` when it can be read (an unreadable one is the command's own error, told in the next
    language), else the environment's locale (importer.i18n.translator.detect_lang)."""
    if lang in LANGS:
        return str(lang)
    if config is not None:
        try:
            pinned = tomllib.loads(Path(config).read_text(encoding="utf-8-sig")).get("options", {}).get("lang")
        except (OSError, ValueError, AttributeError):  # not there, not TOML, or [options] not a table
            pinned = None
        if pinned in LANGS:
            return str(pinned)
    return detect_lang(environ)


def language_in_args(args: Sequence[str]) -> tuple[str | None, str | None]:
    """--lang and --config/-c as written on a command line not parsed yet (for an error before the command's
    own options are known, as the crash guard's): (lang, config), None where absent."""
    found: dict[str, str | None] = {"lang": None, "config": None}
    names = {"--lang": "lang", "--config": "config", "-c": "config"}
    for i, arg in enumerate(args):
        if arg == "--":
            break
        flag, eq, value = arg.partition("=")
        if flag in names:
            found[names[flag]] = value if eq else (args[i + 1] if i + 1 < len(args) else None)
    return found["lang"], found["config"]


def translator_for(lang: str | None = None, config: str | os.PathLike[str] | None = None) -> Translator:
    return Translator.for_lang(command_language(lang, config))


def error_message(exc: BaseException) -> Text:
    """What an error says: its Message (an ImporterError raised with one), else str(exc) (English, as a message
    not converted yet is). str() of either is English."""
    message = exc.args[0] if len(exc.args) == 1 else None
    return message if isinstance(message, Message) else str(exc)


def error_text(exc: BaseException, tr: Translator) -> str:
    """The one line of an error in `tr`'s language."""
    return tr.render(error_message(exc))


def internal_error(exc: BaseException, tr: Translator | None = None) -> str:
    error = "{}: {}".format(type(exc).__name__, exc)  # noqa: UP032 (Babel warns of an f-string in a marker)
    message = (tr or Translator()).gettext(
        "internal error ({error}); please report it, with IMPORTER_DEBUG=1 for details", error=error
    )
    token = os.environ.get(TOKEN_ENV, "").strip()
    # An exception may quote a header or a setting: the token never reaches a terminal or a log.
    return message.replace(token, "***") if token else message


def fail(message: Text, code: int, tr: Translator | None = None) -> NoReturn:
    """`importer: error: …` on stderr (the label stays English: scripts look for it), then exit `code`."""
    click.echo(f"importer: error: {(tr or Translator()).render(message)}", err=True)
    sys.exit(code)


def fail_with(exc: BaseException, code: int, tr: Translator) -> NoReturn:
    fail(error_text(exc, tr), code)


@contextmanager
def crash_guard(say: Fail | None = None, tr: Translator | None = None) -> Iterator[None]:
    """Around a command: click's own exceptions (usage, --help, Abort) and SystemExit pass; any other exception
    is `say(one line, ExitCode.INTERNAL_ERROR)` (by default the error line on stderr), in `tr`'s language."""
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:
        if os.environ.get("IMPORTER_DEBUG"):
            raise
        line = internal_error(exc, tr)
        if say is None:
            fail(line, int(ExitCode.INTERNAL_ERROR))
        say(line, int(ExitCode.INTERNAL_ERROR))
        sys.exit(int(ExitCode.INTERNAL_ERROR))  # should `say` return


class GuardedGroup(click.Group):
    """A command group whose every subcommand (and theirs) runs inside the crash guard, which speaks the language
    the command line asks for (--lang, a --config's lang, else the locale)."""

    def invoke(self, ctx: click.Context) -> Any:
        lang, config = language_in_args([*ctx._protected_args, *ctx.args])
        with crash_guard(tr=_quietly(lang, config)):
            return super().invoke(ctx)


def _quietly(lang: str | None, config: str | None) -> Translator:
    try:
        return translator_for(lang, config)
    except Exception:  # the guard itself never fails: English then
        return Translator()
