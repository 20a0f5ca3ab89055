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
from importer.i18n.translator import LANGS
from importer.mapping.config import OPTION_KEYS, parse_mapping_config
from importer.options import BY_NAME, LEADING, OPTIONS, api_arguments, api_keywords, default, of_command, pinnable
from importer.phones.numbers import PhoneFormat
from importer.pipeline.options import ImportOptions
from importer.pipeline.run_options import DEFAULTS, build_options
from importer.validation.merge import DuplicatesMode
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
        "account_file", "base_url", "concurrency", "config", "db", "default_region", "delimiter", "dry_run",
        "encoding", "format", "max_retries", "on_existing", "phone_format", "progress", "query", "query_file",
        "rate", "report", "results", "settle", "sheet", "source", "state", "tags", "timeout", "token", "token_file",
        "workers", "on_missing", "max_missing", "notify", "notify_on", "ping", "metrics_file", "duplicates", "lang",
    }  # fmt: skip


def test_the_api_defaults_are_the_tables() -> None:
    assert {o.name: o.given_default for o in OPTIONS if o.api == "option"} == DEFAULTS
    # An option a config may set, given nothing, stays None, so that a config's [options] can still set it...
    assert all(DEFAULTS[name] is None for name in pinnable() if name in DEFAULTS)
    assert DEFAULTS["dry_run"] is False  # ...the others keep their default
    # ...and the run gets the table's default all the same.
    plain = build_options("c.csv", account_file=ACCOUNT, token="t", base_url=None, given={})
    assert plain.settle == 3.0 and plain.on_existing == "skip" and plain.client is not None
    assert plain.client.rate == 300.0 and plain.client.read_timeout == 30.0 and plain.client.max_retries == 6


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
    assert typing.get_args(DuplicatesMode) == BY_NAME["duplicates"].choices
    assert BY_NAME["lang"].choices == LANGS  # importer.i18n's languages, restated by the table


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

# A valid value per option a config may set, by type; one of another type is tried with "x".
SAMPLES: dict[str, Any] = {"default_region": "ES", "encoding": "utf-8", "delimiter": ";", "sheet": "Contacts"}
BY_TYPE: dict[type, Any] = {int: 4, float: 2.5, bool: True, Path: "out/file.csv"}


def sample(name: str) -> Any:
    option = BY_NAME[name]
    value = option.choices[-1] if option.choices else SAMPLES.get(name, BY_TYPE.get(option.type, "x"))
    return [value] if getattr(option, "multiple", False) else value


def test_a_config_sets_every_option_of_import_but_those_with_a_reason_not_to(tmp_path: Path) -> None:
    of_import = {o.name for o in OPTIONS if "import" in o.commands}
    refused = {o.name for o in OPTIONS if o.not_in_config}
    assert refused == {"config", "dry_run", "token", "db", "query", "query_file"}  # the input: top-level keys
    assert set(OPTION_KEYS) == set(pinnable()) == of_import - refused
    assert OPTION_KEYS == pinnable() == tuple(o.name for o in OPTIONS if o.name in of_import - refused)  # in order
    for name in pinnable():
        option = BY_NAME[name]
        parsed = parse_mapping_config({"options": {name: sample(name)}}, tmp_path / "job.toml").options[name]
        if option.type is Path:  # relative to the config's folder
            assert parsed == tmp_path / "out" / "file.csv", name
        else:
            assert parsed == sample(name) and type(parsed) is type(sample(name)), name
    for name in refused:
        reason = re.escape(BY_NAME[name].not_in_config)
        with pytest.raises(ConfigError, match=rf"\[options\] {name}: not allowed in a config file: {reason}$"):
            parse_mapping_config({"options": {name: "x"}})
    for option in OPTIONS:
        if not option.pinnable and not option.not_in_config:  # undo's: `run`, `yes`
            with pytest.raises(ConfigError, match=rf"\[options\] {option.name}: an option of `importer undo`, not of"):
                parse_mapping_config({"options": {option.name: "x"}})
    with pytest.raises(ConfigError, match=r"\[options\] nope: unknown option; expected one of account_file, "):
        parse_mapping_config({"options": {"nope": "x"}})


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
        "timeout", "settle", "progress", "lang",
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
