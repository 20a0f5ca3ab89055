"""Exit codes and the errors that end a run before or instead of sending anything, and how a message lists names."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from importer.i18n.message import NP_, Message, Text, listing


class ExitCode(IntEnum):
    """What a run exits with (the command) or ends with (`Report.exit_code`, `ImporterError.exit_code`); a run
    stopped by a signal ends with 128 + its number instead."""

    OK = 0  # every row ended well
    ROWS_FAILED = 1  # some rows were invalid, duplicates or failed; the others went through
    USAGE = 2  # usage, config or unreadable input: nothing was sent
    ACCOUNT = 3  # account file, authentication or API pre-flight problem: nothing was sent
    INTERNAL_ERROR = 4  # an unexpected exception (a bug), told in one line by every command


class ImporterError(Exception):
    """A problem that stops the run; its message is one line meant for a person."""

    exit_code: ExitCode = ExitCode.USAGE


class InputError(ImporterError):
    """The input file cannot be read or does not have what an import needs."""


class ConfigError(ImporterError):
    """Options or a config file make no sense."""


class AccountError(ImporterError):
    """The account cannot be used: bad account file, bad token, API unreachable at pre-flight."""

    exit_code = ExitCode.ACCOUNT


class MissingExtra(ImporterError, ImportError):
    """An optional dependency is not installed (pandas for DataFrames); the message says which extra to install."""


def capped(names: Sequence[Text], limit: int = 5) -> Message:
    """A list of names as a message prints it: the first `limit`, then how many more, never a line of 55 names
    ("Team 1, Team 2, Team 3, Team 4, Team 5, … and 50 more"); all of them when one more would be hidden. Every
    message that lists names (teams, columns, values, rows) goes through here, so each says it the same way.

    A Message (a value of another message, or rendered with `Translator.render`): str() is the English text."""
    items = [name if isinstance(name, Message) else str(name) for name in names]
    if len(items) <= limit + 1:
        return listing(items)
    more = len(items) - limit
    return NP_("{names}, … and {n} more", "{names}, … and {n} more", more, names=listing(items[:limit]))
