"""A job in one file: the config's [options] take every option of `importer import` typed per its entry in the
options table, its paths are relative to the file's folder, and top-level keys say where the rows come from."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import importer.mapping.config as config_module
from importer.errors import ConfigError
from importer.mapping.config import MappingConfig, load_mapping_config, parse_mapping_config
from importer.options import BY_NAME, RunOption


def load(tmp_path: Path, text: str, name: str = "job.toml") -> MappingConfig:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_mapping_config(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'job.toml'}: ") and "\n" not in message
    return message


def test_each_option_is_read_as_its_entrys_type(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "[options]\n"
        'on_existing = "update"\n'  # a choice
        'base_url = "http://127.0.0.1:9/v1"\n'  # a string
        "concurrency = 8\n"  # an int
        "rate = 100\n"  # a float, written as a whole number
        "timeout = 12.5\n"
        "progress = false\n"  # a bool
        'log_format = "json"\n'  # an option of the command only
        "log_every = 60\n"
        'results = "out/contacts.results.csv"\n'  # paths
        'token_file = "/etc/callbell/token"\n',
    )
    assert config.options == {
        "on_existing": "update",
        "base_url": "http://127.0.0.1:9/v1",
        "concurrency": 8,
        "rate": 100.0,
        "timeout": 12.5,
        "progress": False,
        "log_format": "json",
        "log_every": 60.0,
        "results": tmp_path / "out" / "contacts.results.csv",
        "token_file": Path("/etc/callbell/token"),
    }
    assert type(config.options["rate"]) is float and type(config.options["concurrency"]) is int


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('concurrency = "8"', "[options] concurrency: must be a whole number, got '8'"),
        ("concurrency = 8.5", "[options] concurrency: must be a whole number, got 8.5"),
        ("workers = true", "[options] workers: must be a whole number, got True"),
        ('rate = "fast"', "[options] rate: must be a number, got 'fast'"),
        ("rate = false", "[options] rate: must be a number, got False"),
        ("settle = -1", "[options] settle: must be at least 0, got -1"),
        ("log_every = 0.01", "[options] log_every: must be at least 0.1, got 0.01"),
        ('progress = "yes"', "[options] progress: must be true or false, got 'yes'"),
        ("results = 3", "[options] results: must be a non-empty string"),
        ('results = ""', "[options] results: must be a non-empty string"),
        ('on_existing = "overwrite"', "[options] on_existing: 'overwrite' is not one of skip, update, fail"),
        ('tags = "merge"', "[options] tags: 'merge' is not one of add, replace"),
        ('log_format = "xml"', "[options] log_format: 'xml' is not one of text, json"),
        ('base_url = ["a"]', "[options] base_url: must be a non-empty string"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_file_and_key(tmp_path: Path, line: str, message: str) -> None:
    assert message in error_of(tmp_path, f"[options]\n{line}\n")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('config = "other.toml"', "a config file cannot name another one"),
        ('token = "secret-token"', "the token is a secret: use token_file (or CALLBELL_API_TOKEN)"),
        ("dry_run = true", "say it on the command line (--dry-run, or `importer validate`)"),
    ],
)
def test_options_that_make_no_sense_in_a_file_are_refused_with_the_reason(
    tmp_path: Path, line: str, reason: str
) -> None:
    message = error_of(tmp_path, f"[options]\n{line}\n")
    assert message.endswith(f"not allowed in a config file: {reason}")
    assert "secret-token" not in message


def test_undos_own_options_are_not_imports(tmp_path: Path) -> None:
    assert "[options] yes: an option of `importer undo`, not of import" in error_of(tmp_path, "[options]\nyes = true\n")
    assert "[options] run: an option of `importer undo`" in error_of(tmp_path, '[options]\nrun = "abc"\n')


def test_a_repeatable_option_is_a_list_or_one_string(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # `multiple` comes with --notify (another part of the table): a stand-in entry declares it here.
    @dataclasses.dataclass(frozen=True)
    class Repeatable(RunOption):
        multiple: bool = True

    monkeypatch.setitem(config_module.BY_NAME, "notify", Repeatable("notify", help="Webhook URL."))
    monkeypatch.setitem(config_module.BY_NAME, "hooks_dir", Repeatable("hooks_dir", Path))
    config = load(tmp_path, '[options]\nnotify = ["https://a.example/1", "https://b.example/2"]\nhooks_dir = "h"\n')
    assert config.options == {"notify": ["https://a.example/1", "https://b.example/2"], "hooks_dir": [tmp_path / "h"]}
    assert load(tmp_path, '[options]\nnotify = "https://a.example/1"\n').options == {"notify": ["https://a.example/1"]}
    assert "[options] notify: must be a list of strings" in error_of(tmp_path, "[options]\nnotify = 3\n")
    assert "[options] notify: must be a list of strings" in error_of(tmp_path, "[options]\nnotify = []\n")
    assert "[options] notify[1]: must be a non-empty string" in error_of(tmp_path, '[options]\nnotify = ["a", 2]\n')


def test_relative_paths_are_relative_to_the_configs_folder(tmp_path: Path) -> None:
    text = (
        'input = "exports/contacts.csv"\n'
        "[options]\n"
        'account_file = "account.toml"\n'
        'results = "../out/contacts.results.csv"\n'
        'report = "report.html"\n'
        'state = "/var/lib/importer/nightly.state.db"\n'
        'token_file = "~/callbell.token"\n'
    )
    config = load(tmp_path, text, name="jobs/nightly.toml")
    jobs = tmp_path / "jobs"
    assert config.input == str(jobs / "exports" / "contacts.csv")
    assert config.options["account_file"] == jobs / "account.toml"
    assert config.options["results"] == jobs / ".." / "out" / "contacts.results.csv"
    assert config.options["report"] == jobs / "report.html"
    assert config.options["state"] == Path("/var/lib/importer/nightly.state.db")  # absolute: as written
    assert config.options["token_file"] == Path.home() / "callbell.token"
    # Parsed without a file (the library's parse_mapping_config), a relative path stays as written.
    assert parse_mapping_config({"options": {"results": "r.csv"}}).options == {"results": Path("r.csv")}


def test_the_input_keys(tmp_path: Path) -> None:
    url = load(tmp_path, 'input = "https://example.com/export.csv?sig=abc"\n')
    assert url.input == "https://example.com/export.csv?sig=abc"  # a URL is not a path
    assert url.input_spec() == {"input": "https://example.com/export.csv?sig=abc"}
    assert load(tmp_path, 'input = "s3://bucket/contacts.csv"\n').input == "s3://bucket/contacts.csv"
    assert load(tmp_path, 'input = "-"\n').input == "-"
    query = load(tmp_path, 'db = "postgresql://u:pw@db/crm"\nquery = "SELECT name, phone FROM c"\n')
    assert (query.db, query.query, query.query_file, query.input) == (
        "postgresql://u:pw@db/crm",
        "SELECT name, phone FROM c",
        None,
        None,
    )
    assert "pw" not in repr(query)  # the password may end up in a log by way of a repr: it is not in it
    assert query.input_spec() == {"db": "postgresql://u:pw@db/crm", "query": "SELECT name, phone FROM c"}
    from_file = load(tmp_path, 'query_file = "sql/customers.sql"\n')  # the URL may come from IMPORTER_DB_URL
    assert from_file.query_file == tmp_path / "sql" / "customers.sql"
    assert from_file.input_spec() == {"query_file": tmp_path / "sql" / "customers.sql"}
    assert load(tmp_path, "").input_spec() == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('input = "a.csv"\nquery = "SELECT 1"\n', "input and query are exclusive"),
        ('input = "a.csv"\ndb = "sqlite:///x.db"\n', "input and db are exclusive"),
        ('query = "SELECT 1"\nquery_file = "q.sql"\n', "query and query_file are exclusive"),
        ('db = "postgresql://u:secret@db/crm"\n', "db needs a query (or query_file) to run"),
        ("input = 3\n", "input must be a non-empty string"),
        ('query = " "\n', "query must be a non-empty string"),
        ("db = 5\n", "db must be a non-empty string"),
        ('inputs = "a.csv"\n', "unknown key(s) inputs; expected auto, columns, options, values, unknown, input, db"),
    ],
)
def test_input_keys_that_contradict_each_other(tmp_path: Path, text: str, message: str) -> None:
    error = error_of(tmp_path, text)
    assert message in error
    assert "secret" not in error


def test_importer_mapping_keeps_the_input_and_options_of_the_config_it_started_from(tmp_path: Path) -> None:
    from importer.commands.mapping import render_mapping

    data = tmp_path / "contacts.csv"
    data.write_text("Name,Phone\nAna,+34612345678\n", encoding="utf-8")
    text = (
        'input = "contacts.csv"\n'
        "[options]\n"
        'on_existing = "update"\nrate = 50\nprogress = false\nresults = "out/r.csv"\ndefault_region = "ES"\n'
    )
    first = load(tmp_path, text)
    written, _ = render_mapping(data, config_path=tmp_path / "job.toml", scan_values=False)
    again = load(tmp_path, written, name="again.toml")  # beside the first: the same paths
    assert again.input == first.input and again.options == first.options
    assert 'input = "contacts.csv"' in written and 'results = "out/r.csv"' in written and "rate = 50.0" in written


TEXT = {"default_region": "ES", "encoding": "utf-8", "delimiter": ";"}


def sample_value(option: RunOption) -> Any:
    text = option.choices[0] if option.choices else TEXT.get(option.name, "a value")
    return {bool: True, int: 2, float: 1.5}.get(option.type, text)


def test_every_option_a_config_may_set_reads_back_as_written(tmp_path: Path) -> None:
    # The writer and the parser agree for every type of the table.
    from importer.mapping.writer import toml_value

    for name in config_module.OPTION_KEYS:
        option = BY_NAME[name]
        value = sample_value(option)
        line = f"[options]\n{name} = {toml_value(value)}\n"
        parsed = load(tmp_path, line).options[name]
        expected = tmp_path / value if option.type is Path else value
        expected = [expected] if option.multiple else expected  # a single string is a list of one
        assert parsed == expected, name
