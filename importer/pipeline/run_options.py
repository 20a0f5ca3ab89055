"""The options of an import as callers give them (keyword arguments named as the command's flags), merged with a
config file's [options], checked and turned into the `ImportOptions` the pipeline runs. Their names, defaults and
choices are importer.options'.

What is given wins over the config's [options], which win over the table's defaults: every option a config may
set defaults to None as a keyword (and as import's flag), so that "not given" is seen before the default applies.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from importer.account.model import NO_ACCOUNT_FILE
from importer.callbell.client import DEFAULT_BASE_URL, ClientConfig
from importer.callbell.credentials import BASE_URL_ENV, read_token
from importer.delivery.options import max_missing_limit, missing_policy
from importer.errors import ConfigError
from importer.i18n.message import N_
from importer.i18n.translator import detect_lang
from importer.mapping.config import MappingConfig, load_mapping_config
from importer.options import BY_NAME, OPTIONS, api_arguments, api_keywords
from importer.phones.numbers import is_region
from importer.pipeline.options import ImportOptions
from importer.sources.spec import parse_input
from importer.validation.validator import Options

# Every option, with its default: the names of the command's flags (`--on-existing` is `on_existing`); each one
# is declared in importer.options. One a config may set defaults to None here: merged() applies the table's.
DEFAULTS: dict[str, Any] = api_keywords()
CHOICES = {o.name: o.choices for o in OPTIONS if o.choices and o.name in DEFAULTS}


def check_names(function: str, given: Mapping[str, Any], allowed: set[str]) -> None:
    """TypeError, as Python raises for an unknown keyword, naming every valid one."""
    unknown = sorted(set(given) - allowed)
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        valid = ", ".join(sorted({*allowed, *api_arguments()}))
        raise TypeError(f"{function}() got unexpected keyword argument(s) {names}; valid options: {valid}")


def load_config(config: str | os.PathLike[str] | MappingConfig | None) -> MappingConfig | None:
    """The config a caller names: a path (read here) or one the command already read."""
    if config is None or isinstance(config, MappingConfig):
        return config
    return load_mapping_config(Path(config))


def merged(given: Mapping[str, Any], config: MappingConfig | None) -> tuple[dict[str, Any], set[str]]:
    """Each option of `given`: its value when given, else the config's [options] value, else the table's
    default; and the names the config gave (an error about one names the file, not a flag)."""
    pinned = config.options if config is not None else {}
    values: dict[str, Any] = {}
    from_config: set[str] = set()
    for key, value in given.items():
        if is_given(value):
            values[key] = value
        elif key in pinned:
            values[key] = pinned[key]
            from_config.add(key)
        else:
            values[key] = BY_NAME[key].default if key in BY_NAME else value
    return values, from_config


def is_given(value: Any) -> bool:
    # A repeatable flag not given is an empty tuple to click.
    return value is not None and not (isinstance(value, (tuple, list)) and not value)


def build_options(
    file: str | os.PathLike[str] | None,
    *,
    account_file: str | os.PathLike[str] | None,
    token: str | None,
    base_url: str | None,
    given: Mapping[str, Any],
) -> ImportOptions:
    """`ImportOptions` from the options given, a config's [options] under them, the others at their defaults;
    ConfigError for what makes no sense.

    The token is `token`, else the `token_file`'s, else CALLBELL_API_TOKEN's; with none, only a dry run works.
    `file` is a path, "-" (standard input) or a URL; None with a `query` (and `db`, or IMPORTER_DB_URL).
    """
    config = load_config({**DEFAULTS, **given}["config"])
    kw, from_config = merged({**DEFAULTS, **given, "config": config}, config)

    def name(key: str) -> str:  # where a value came from, for the error about it
        return f"{config.path or 'config'}: [options] {key}" if config and key in from_config else _flag(key)

    pinned = config.options if config is not None else {}
    if account_file is None:
        account_file = pinned.get("account_file")
    # The input: FILE or --db/--query as given, else the config's top-level input keys (a job in one file).
    db, query, query_file = kw["db"], kw["query"], kw["query_file"]
    if file is None and query is None and query_file is None and config is not None:
        from_file = config.input_spec()
        file, query, query_file = from_file.get("input"), from_file.get("query"), from_file.get("query_file")
        db = db or from_file.get("db")
    # Before the account file: `importer import` with neither FILE nor --query says that first.
    spec = parse_input(file, db=db, query=query, query_file=query_file)
    if account_file is None:  # the command's --account-file is optional to click: its message says how to get one
        raise ConfigError(NO_ACCOUNT_FILE)
    for key, choices in CHOICES.items():
        if kw[key] is not None and kw[key] not in choices:
            raise ConfigError(
                N_(
                    "{option}: {value!r} is not one of {choices}",
                    option=name(key),
                    value=kw[key],
                    choices=", ".join(choices),
                )
            )
    token = token or read_token(_path(kw["token_file"]))
    client = None
    if token:
        client = ClientConfig(
            token=token,
            # An environment variable wins over the file, as a flag does: it is the caller's, set for this run.
            base_url=base_url or os.environ.get(BASE_URL_ENV) or pinned.get("base_url") or DEFAULT_BASE_URL,
            rate=float(kw["rate"]),
            concurrency=kw["concurrency"],
            max_retries=int(kw["max_retries"]),
            read_timeout=float(kw["timeout"]),
        )
    delimiter = kw["delimiter"]
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if kw["workers"] is not None and kw["workers"] < 1:
        raise ConfigError(N_("{option} must be at least 1", option=name("workers")))
    if float(kw["settle"]) < 0:
        raise ConfigError(N_("{option} must be at least 0", option=name("settle")))
    missing_policy(str(kw["on_missing"]))  # checked now, before any work
    max_missing_limit(str(kw["max_missing"]), 0)
    report = _path(kw["report"])
    if report is not None and not report.parent.is_dir():  # found now, not after the contacts were sent
        raise ConfigError(N_("{option}: {path} is not a directory", option=name("report"), path=str(report.parent)))
    region = kw["default_region"]
    if region is not None and not is_region(region):
        # Otherwise every row without a Country would be invalid, each saying so, instead of one line here.
        raise ConfigError(
            N_(
                "{option}: {value!r} is not a two-letter country code such as ES",
                option=name("default_region"),
                value=region,
            )
        )
    return ImportOptions(
        # A local file's path; another input's name (contacts.csv, stdin, query) names its results in this folder.
        file=spec.path if spec.is_local else Path(spec.name),
        account_file=Path(account_file),
        results=_path(kw["results"]),
        state=_path(kw["state"]),
        dry_run=bool(kw["dry_run"]),
        encoding=kw["encoding"],
        delimiter=delimiter,
        sheet=kw["sheet"],
        validation=Options(
            default_region=region,
            phone_format=kw["phone_format"],
            default_source=kw["source"],
        ),
        mapping_config=config,
        client=client,
        duplicates=kw["duplicates"],
        on_existing=kw["on_existing"],
        tags=kw["tags"],
        on_missing=str(kw["on_missing"]),
        max_missing=str(kw["max_missing"]),
        workers=kw["workers"],
        report=report,
        settle=float(kw["settle"]),
        input=spec,
        format=kw["format"],
        timeout=float(kw["timeout"]),
        lang=kw["lang"] or detect_lang(os.environ),
    )


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value is not None else None


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")
