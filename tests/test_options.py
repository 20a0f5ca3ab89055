"""The options table (importer.options): what reads it gets every entry and nothing else — the Python API's
keyword check and defaults, the run records' defaults, and a config file's [options] — and the table sits low
enough in the layers for every stage to read it."""

from __future__ import annotations

import ast
import dataclasses
import re
import typing
from pathlib import Path
from typing import Any

import pytest

import importer
from importer import ConfigError, import_file, import_records, validate_file
from importer.callbell.client import DEFAULT_BASE_URL, ClientConfig
from importer.callbell.credentials import BASE_URL_ENV, TOKEN_ENV
from importer.delivery.changes import TagsMode
from importer.delivery.options import DeliveryOptions, OnExisting
from importer.delivery.undo import UndoOptions
from importer.mapping.config import OPTION_KEYS, parse_mapping_config
from importer.options import BY_NAME, LEADING, OPTIONS, api_arguments, api_keywords, default, of_command, pinnable
from importer.phones.numbers import PhoneFormat
from importer.pipeline.options import ImportOptions
from importer.pipeline.run_options import DEFAULTS, build_options
from importer.validation.validator import Options

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = ROOT / "sample_data" / "account.toml"
PACKAGE = Path(importer.__file__).resolve().parent


def valid_names(call: Any) -> set[str]:
    """The names an API function's TypeError gives as valid, for an unknown keyword."""
    with pytest.raises(TypeError, match="unexpected keyword") as info:
        call(not_an_option=1)
    return set(re.findall(r"\w+", str(info.value).split("valid options:")[1]))


def api_names(**which: bool) -> set[str]:
    return {*api_keywords(**which), *api_arguments()}


# --- the Python API ----------------------------------------------------------------------------------------


def test_every_api_entry_is_in_the_api_keyword_check() -> None:
    import_names = valid_names(lambda **kw: import_file("c.csv", account_file=ACCOUNT, **kw))
    assert import_names == {o.name for o in OPTIONS if o.api is not None}
    assert import_names == api_names()
    # validate_file is the dry run; records have no file to read with an encoding, a delimiter or a sheet.
    assert valid_names(lambda **kw: validate_file("c.csv", account_file=ACCOUNT, **kw)) == api_names(dry_run=False)
    assert import_names - api_names(dry_run=False) == {"dry_run"}
    assert valid_names(lambda **kw: import_records([], account_file=ACCOUNT, **kw)) == api_names(files=False)
    assert import_names - api_names(files=False) == {o.name for o in OPTIONS if o.file_only}


def test_the_api_names_are_those_it_always_had() -> None:
    # What callers see in the TypeError: the table must not have lost or gained a keyword by accident.
    assert valid_names(lambda **kw: import_file("c.csv", account_file=ACCOUNT, **kw)) == {
        "account_file", "base_url", "concurrency", "config", "default_region", "delimiter", "dry_run",
        "encoding", "max_missing", "max_retries", "on_existing", "on_missing", "phone_format", "progress", "rate",
        "report", "results",
        "settle", "sheet", "source", "state", "tags", "timeout", "token", "token_file", "workers",
    }  # fmt: skip


def test_the_api_defaults_are_the_tables() -> None:
    assert {o.name: o.given_default for o in OPTIONS if o.api == "option"} == DEFAULTS
    assert DEFAULTS["settle"] == 3.0 and DEFAULTS["on_existing"] == "skip" and DEFAULTS["rate"] == 250.0
    # A pinnable option given nothing stays None, so that a config's [options] can still set it.
    assert all(DEFAULTS[name] is None for name in pinnable())


def test_an_api_choice_outside_the_tables_is_a_config_error() -> None:
    for option in OPTIONS:
        if option.api == "option" and option.choices:
            with pytest.raises(ConfigError, match=f"^{option.flag}: 'nope' is not one of {', '.join(option.choices)}$"):
                build_options("c.csv", account_file=ACCOUNT, token=None, base_url=None, given={option.name: "nope"})


def test_the_run_records_take_their_defaults_from_the_table() -> None:
    built = ImportOptions(file=Path("c.csv"), account_file=ACCOUNT)
    for f in dataclasses.fields(ImportOptions):
        if f.name in BY_NAME and f.name != "account_file":
            assert getattr(built, f.name) == default(f.name), f.name
    for f in dataclasses.fields(DeliveryOptions):
        assert f.default == default(f.name) and getattr(built.delivery, f.name) == getattr(built, f.name), f.name
    assert UndoOptions(results=Path("r.csv")).settle == default("settle")
    assert Options().phone_format == default("phone_format") and Options().default_source == default("source")
    assert Options().default_region == default("default_region")
    # What the API builds from nothing given is the same run.
    plain = build_options("c.csv", account_file=ACCOUNT, token=None, base_url=None, given={})
    assert plain.validation == Options() and plain.delivery == DeliveryOptions()


def test_the_type_checkers_literals_are_the_tables_choices() -> None:
    assert typing.get_args(OnExisting) == BY_NAME["on_existing"].choices
    assert typing.get_args(TagsMode) == BY_NAME["tags"].choices
    assert typing.get_args(PhoneFormat) == BY_NAME["phone_format"].choices


def test_the_api_entries_restate_callbells_own_names() -> None:
    # The table imports none of the importer, so it restates these; they must not drift apart.
    assert BY_NAME["base_url"].default == DEFAULT_BASE_URL and BY_NAME["base_url"].envvar == BASE_URL_ENV
    assert BASE_URL_ENV in BY_NAME["base_url"].help and TOKEN_ENV in BY_NAME["token_file"].help


def test_the_clients_own_defaults_are_the_tables() -> None:
    # ClientConfig (the client imports nothing of the importer but its errors) restates them for library callers
    # who build a client directly.
    config = ClientConfig(token="t")
    assert config.base_url == BY_NAME["base_url"].default
    assert config.rate == BY_NAME["rate"].default
    assert config.max_retries == BY_NAME["max_retries"].default
    assert config.read_timeout == BY_NAME["timeout"].default
    assert config.concurrency is BY_NAME["concurrency"].default is None


# --- a config file's [options] -----------------------------------------------------------------------------

# A valid value per pinnable option; one added without a sample is tried with "x".
SAMPLES = {"default_region": "ES", "encoding": "utf-8", "delimiter": ";", "sheet": "Contacts"}


def sample(name: str) -> str:
    option = BY_NAME[name]
    return option.choices[-1] if option.choices else SAMPLES.get(name, "x")


def test_a_config_pins_exactly_the_pinnable_entries() -> None:
    assert OPTION_KEYS == pinnable() == ("default_region", "phone_format", "source", "encoding", "delimiter", "sheet")
    for name in pinnable():
        assert parse_mapping_config({"options": {name: sample(name)}}).options == {name: sample(name)}
    for option in OPTIONS:
        if not option.pinnable:
            with pytest.raises(ConfigError, match=rf"\[options\] {option.name}: unknown option; expected one of"):
                parse_mapping_config({"options": {option.name: "x"}})


def test_a_config_checks_a_pinnable_entrys_choices() -> None:
    with_choices = [o for o in OPTIONS if o.pinnable and o.choices]
    assert with_choices
    for option in with_choices:
        with pytest.raises(ConfigError, match=f"'nope' is not one of {', '.join(option.choices)}$"):
            parse_mapping_config({"options": {option.name: "nope"}})


def test_given_wins_over_a_config_which_wins_over_the_default(tmp_path: Path) -> None:
    config = tmp_path / "importer.toml"
    config.write_text('[options]\nphone_format = "e164"\nsource = "instagram"\n', encoding="utf-8")

    def built(**given: Any) -> Options:
        kw = {"config": config, **given}
        return build_options("c.csv", account_file=ACCOUNT, token=None, base_url=None, given=kw).validation

    assert (built().phone_format, built().default_source) == ("e164", "instagram")
    assert built(phone_format="digits").phone_format == "digits"
    assert build_options("c.csv", account_file=ACCOUNT, token=None, base_url=None, given={}).validation == Options()


# --- the table itself --------------------------------------------------------------------------------------


def test_each_name_is_declared_once_and_each_command_lists_its_leading_ones() -> None:
    assert len(BY_NAME) == len(OPTIONS)
    for command, names in LEADING.items():
        assert all(command in BY_NAME[name].commands for name in names)
        assert [o.name for o in of_command(command)][: len(names)] == list(names)
    assert [o.name for o in of_command("undo")] == [
        "run", "yes", "dry_run", "state", "base_url", "token_file", "rate", "concurrency", "max_retries",
        "timeout", "settle", "progress",
    ]  # fmt: skip


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


def test_the_table_is_low_in_the_layers() -> None:
    # Every stage reads it: it may lean on importer.errors only, and not on click (validation workers load it).
    imported = imports_of(PACKAGE / "options.py")
    assert {name for name in imported if name.startswith("importer")} <= {"importer.errors"}
    assert "click" not in imported


def test_delivery_imports_nothing_of_the_pipeline_above_it() -> None:
    modules = sorted((PACKAGE / "delivery").glob("*.py"))
    assert len(modules) > 3
    for path in modules:
        above = {name for name in imports_of(path) if name.startswith(("importer.pipeline", "importer.commands"))}
        assert not above, f"{path.name} imports {above}"
