"""The options of an import as callers give them (keyword arguments named as the command's flags), checked and
turned into the `ImportOptions` the pipeline runs. Their names, defaults and choices are importer.options'."""

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
from importer.mapping.config import load_mapping_config
from importer.options import OPTIONS, api_arguments, api_keywords, default, pinnable
from importer.phones.numbers import is_region
from importer.pipeline.options import ImportOptions
from importer.validation.validator import Options

# Every option, with its default: the names of the command's flags (`--on-existing` is `on_existing`); each one
# is declared in importer.options. A pinnable one defaults to None here: a config's [options] may still pin it.
DEFAULTS: dict[str, Any] = api_keywords()
CHOICES = {o.name: o.choices for o in OPTIONS if o.choices and o.name in DEFAULTS}


def check_names(function: str, given: Mapping[str, Any], allowed: set[str]) -> None:
    """TypeError, as Python raises for an unknown keyword, naming every valid one."""
    unknown = sorted(set(given) - allowed)
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        valid = ", ".join(sorted({*allowed, *api_arguments()}))
        raise TypeError(f"{function}() got unexpected keyword argument(s) {names}; valid options: {valid}")


def build_options(
    file: str | os.PathLike[str],
    *,
    account_file: str | os.PathLike[str] | None,
    token: str | None,
    base_url: str | None,
    given: Mapping[str, Any],
) -> ImportOptions:
    """`ImportOptions` from the options given (the others at their defaults); ConfigError for what makes no sense.

    The token is `token`, else the `token_file`'s, else CALLBELL_API_TOKEN's; with none, only a dry run works.
    """
    kw = {**DEFAULTS, **given}
    if account_file is None:  # the command's --account-file is optional to click: its message says how to get one
        raise ConfigError(NO_ACCOUNT_FILE)
    config = load_mapping_config(Path(kw["config"])) if kw["config"] is not None else None
    # What is given wins over the config's [options], which win over the defaults.
    pinned = config.options if config else {}
    for key in pinnable():
        if kw[key] is None:
            kw[key] = pinned.get(key)
    for key, choices in CHOICES.items():
        if kw[key] is not None and kw[key] not in choices:
            raise ConfigError(f"{_flag(key)}: {kw[key]!r} is not one of {', '.join(choices)}")
    token = token or read_token(_path(kw["token_file"]))
    client = None
    if token:
        client = ClientConfig(
            token=token,
            base_url=base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL,
            rate=float(kw["rate"]),
            concurrency=kw["concurrency"],
            max_retries=int(kw["max_retries"]),
            read_timeout=float(kw["timeout"]),
        )
    delimiter = kw["delimiter"]
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if kw["workers"] is not None and kw["workers"] < 1:
        raise ConfigError("--workers must be at least 1")
    if float(kw["settle"]) < 0:
        raise ConfigError("--settle must be at least 0")
    missing_policy(str(kw["on_missing"]))  # checked now, before any work
    max_missing_limit(str(kw["max_missing"]), 0)
    report = _path(kw["report"])
    if report is not None and not report.parent.is_dir():  # found now, not after the contacts were sent
        raise ConfigError(f"--report: {report.parent} is not a directory")
    region = kw["default_region"]
    if region is not None and not is_region(region):
        # Otherwise every row without a Country would be invalid, each saying so, instead of one line here.
        raise ConfigError(f"--default-region: {region!r} is not a two-letter country code such as ES")
    return ImportOptions(
        file=Path(file),
        account_file=Path(account_file),
        results=_path(kw["results"]),
        state=_path(kw["state"]),
        dry_run=bool(kw["dry_run"]),
        encoding=kw["encoding"],
        delimiter=delimiter,
        sheet=kw["sheet"],
        validation=Options(
            default_region=region,
            phone_format=kw["phone_format"] or default("phone_format"),
            default_source=kw["source"] or default("source"),
        ),
        mapping_config=config,
        client=client,
        on_existing=kw["on_existing"],
        tags=kw["tags"],
        on_missing=str(kw["on_missing"]),
        max_missing=str(kw["max_missing"]),
        workers=kw["workers"],
        report=report,
        settle=float(kw["settle"]),
    )


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value is not None else None


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")
