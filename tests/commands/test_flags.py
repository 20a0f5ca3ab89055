"""The flags of import, validate and undo (and runs) are the options table's (importer.options): every click
option comes from an entry for that command, with its flag names, help, default and choices, in its order."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from importer.commands.api_options import api_options
from importer.commands.cli import cli
from importer.commands.flags import click_option
from importer.options import BY_NAME, OPTIONS, RunOption, of_command

COMMANDS = ("import", "validate", "undo", "runs")


def click_options(command: str) -> list[click.Option]:
    return [p for p in cli.commands[command].params if isinstance(p, click.Option) and p.name != "help"]


def help_default(command: str, param: click.Option) -> str | None:
    """The default --help shows for `param`, as "[default: …]" says it."""
    with cli.commands[command].make_context(command, ["contacts.csv"]) as ctx:
        shown = param.get_help_extra(ctx).get("default")
    if shown is not None and param.is_bool_flag and param.secondary_opts:
        shown = str(shown == param.opts[0].lstrip("-"))
    return None if shown in (None, "") else shown.strip("()")


def values_given_nothing(command: str) -> dict[str, object]:
    """What the command's function receives when no flag is given."""
    with cli.commands[command].make_context(command, ["contacts.csv"]) as ctx:
        return dict(ctx.params)


@pytest.fixture(autouse=True)
def no_base_url_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLBELL_BASE_URL", raising=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_the_command_comes_from_the_table(command: str) -> None:
    found = click_options(command)
    given = values_given_nothing(command)
    assert [p.name for p in found] == [o.name for o in of_command(command)]
    for param in found:
        option = BY_NAME[param.name]
        assert command in option.commands, f"--{param.name} is not the table's for {command}"
        assert option.flag in param.opts + param.secondary_opts
        assert set(param.opts) - {option.flag} == ({option.short} if option.short else set())
        assert param.help == option.help_in(command)
        plain_flag = param.is_flag and not param.secondary_opts  # --dry-run: click shows no default for it
        shown = None if option.default in (None, ()) or plain_flag else str(option.default)  # (): a repeatable flag
        assert help_default(command, param) == shown, param.name
        not_given = () if option.multiple else option.default_in(command)  # click's value of a repeatable flag
        assert given[param.name] == not_given, param.name
        assert param.envvar == option.envvar
        choices = tuple(param.type.choices) if isinstance(param.type, click.Choice) else ()
        assert choices == option.choices


@pytest.mark.parametrize("command", ("import", "validate", "undo"))
def test_every_table_entry_of_the_command_is_a_flag_of_it(command: str) -> None:
    names = {p.name for p in click_options(command)}
    assert names == {o.name for o in OPTIONS if command in o.commands}
    assert "dry_run" in names if command != "validate" else "dry_run" not in names  # validate is the dry run


def test_the_flags_show_todays_defaults_and_types() -> None:
    # What --help shows is made from the entry: a shown default, a range, a switch, a file.
    by_name = {p.name: p for p in click_options("import")}
    given = values_given_nothing("import")
    assert help_default("import", by_name["settle"]) == "3.0" and isinstance(by_name["settle"].type, click.FloatRange)
    # Not given is None (a --config file may set it); --help shows the default the run applies then.
    assert help_default("import", by_name["on_existing"]) == "skip" and given["on_existing"] is None
    assert help_default("import", by_name["phone_format"]) == "digits" and given["phone_format"] is None
    assert given["dry_run"] is False  # a config may not set it: the plain flag it always was
    # undo reads no config: its flags have their defaults.
    assert values_given_nothing("undo")["settle"] == 3.0 and values_given_nothing("undo")["rate"] == 300.0
    assert by_name["progress"].secondary_opts == ["--no-progress"] and by_name["dry_run"].is_flag
    assert by_name["report"].type.dir_okay is False and by_name["results"].type.dir_okay is True
    assert by_name["results"].opts == ["--results", "-o"] and by_name["workers"].type is click.INT


def test_a_new_entry_becomes_a_flag_with_its_help() -> None:
    entry = RunOption("max_batch", int, 50, help="Contacts per batch.", commands=frozenset({"import"}))

    @click.command()
    @click_option(entry, "import")
    def command(max_batch: int) -> None:
        click.echo(max_batch)

    (param,) = [p for p in command.params if p.name == "max_batch"]
    assert param.opts == ["--max-batch"] and param.help == entry.help
    assert command.make_context("command", []).params == {"max_batch": None}  # a config may set it: None here
    assert "[default: 50]" in command.get_help(click.Context(command))


def test_api_options_is_the_tables_base_url_and_token_file() -> None:
    @click.command()
    @api_options
    def command(base_url: str, token_file: Path | None) -> None: ...

    assert [p.name for p in command.params] == ["base_url", "token_file"]
    assert command.params[0].help == BY_NAME["base_url"].help and command.params[0].envvar == "CALLBELL_BASE_URL"
