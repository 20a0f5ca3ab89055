"""The click flags of `import`, `validate` and `undo` (and those `account pull` shares with them: --base-url,
--token-file, --timeout, --progress), made from their entries in importer.options: flag names, types, defaults,
choices and help."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from importer.options import BY_NAME, RunOption, of_command

F = TypeVar("F", bound=Callable[..., Any])


def command_flags(command: str) -> Callable[[F], F]:
    """A decorator giving `command` every flag the table says it takes, in the table's order."""
    return table_flags(of_command(command), command)


def table_flags(options: Iterable[RunOption], command: str) -> Callable[[F], F]:
    made = [click_option(option, command) for option in options]

    def decorate(func: F) -> F:
        for option in reversed(made):  # the first decorator applied is the last one listed
            func = option(func)
        return func

    return decorate


def named_flags(*names: str, command: str = "") -> Callable[[F], F]:
    """Some of the table's flags, in the order named, with `command`'s wording of their help (the common one
    for a command the table does not name, as `account pull` sharing --base-url and --token-file)."""
    return table_flags([BY_NAME[name] for name in names], command)


def click_option(option: RunOption, command: str) -> Callable[[F], F]:
    decls = [option.flag] + ([option.short] if option.short else [])
    kw: dict[str, Any] = {"help": option.help_in(command)}
    # An option a --config file may set defaults to None in import's flag, so that "not given" is seen and the
    # file still applies; --help shows the table's default all the same (applied after the config).
    default = option.default_in(command)
    if option.type is bool:
        if default is None:  # not given: the config, else the command decides (a progress bar only at a terminal)
            decls = [f"{option.flag}/--no-{option.flag[2:]}"]
            kw["default"] = None
        else:
            kw["is_flag"] = True
    else:
        kw["type"] = _click_type(option)
        if option.multiple:
            kw["multiple"] = True
        if default is not None and default != ():
            kw["default"] = default
            kw["show_default"] = True
    if default is None and option.default not in (None, ()):  # a repeatable flag shows no default
        kw["cls"] = TableOption
        kw["table_default"] = option.default
    if option.envvar:
        kw["envvar"] = option.envvar
    return click.option(*decls, **kw)


class TableOption(click.Option):
    """A flag whose value is None when not given (a config file may still set it) while --help shows the default
    the run applies then, as `[default: skip]`."""

    def __init__(self, *args: Any, table_default: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table_default = table_default

    def get_help_extra(self, ctx: click.Context) -> Any:
        extra = super().get_help_extra(ctx)
        value = self.table_default
        if isinstance(value, bool):  # a --x/--no-x switch: shown as click shows one, by the flag's name
            value = (self.opts if value else self.secondary_opts)[0].lstrip("-")
        extra["default"] = str(value)
        return extra


def _click_type(option: RunOption) -> Any:
    if option.choices:
        return click.Choice(option.choices)
    if option.type is Path:
        return click.Path(path_type=Path, dir_okay=not option.file)
    if option.minimum is not None:
        return click.FloatRange(min=option.minimum) if option.type is float else click.IntRange(min=option.minimum)
    return option.type
