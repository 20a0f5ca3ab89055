"""The options of an import as callers give them (keyword arguments named as the command's flags), checked and
turned into the `ImportOptions` the pipeline runs: one place for their defaults, for the API and the command."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from importer.account.model import NO_ACCOUNT_FILE
from importer.callbell.client import DEFAULT_BASE_URL, ClientConfig
from importer.callbell.credentials import BASE_URL_ENV, read_token
from importer.errors import ConfigError
from importer.mapping.config import load_mapping_config
from importer.phones.numbers import is_region
from importer.pipeline.options import ImportOptions
from importer.validation.validator import Options

# Every option, with its default: the names of the command's flags (`--on-existing` is `on_existing`).
DEFAULTS: dict[str, Any] = {
    "results": None,  # --results: results file, .csv or .xlsx [<file>.results.csv]
    "report": None,  # --report: the HTML report [<results>.report.html]
    "state": None,  # --state: the ledger [<results>.state.db]
    "config": None,  # --config: a pinned mapping (importer mapping writes one)
    "default_region": None,
    "phone_format": None,  # digits (default) or e164
    "source": None,  # for rows without one [whatsapp]
    "encoding": None,
    "delimiter": None,
    "sheet": None,
    "token_file": None,
    "on_existing": "skip",
    "tags": "add",
    "rate": 250.0,
    "concurrency": None,
    "max_retries": 6,
    "timeout": 30.0,
    "settle": 3.0,  # seconds before the look-up after a lost answer: reads may trail writes
    "workers": None,
    "dry_run": False,
}
CHOICES = {"on_existing": ("skip", "update", "fail"), "tags": ("add", "replace"), "phone_format": ("digits", "e164")}
_ARGUMENTS = ("account_file", "token", "base_url", "progress")  # the API functions' own keyword arguments
_PINNED = ("default_region", "phone_format", "source", "encoding", "delimiter", "sheet")  # a config's [options]


def check_names(function: str, given: Mapping[str, Any], allowed: set[str]) -> None:
    """TypeError, as Python raises for an unknown keyword, naming every valid one."""
    unknown = sorted(set(given) - allowed)
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        valid = ", ".join(sorted({*allowed, *_ARGUMENTS}))
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
    for key in _PINNED:
        if kw[key] is None and key in pinned:
            kw[key] = pinned[key]
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
            phone_format=kw["phone_format"] or "digits",
            default_source=kw["source"] or "whatsapp",
        ),
        mapping_config=config,
        client=client,
        on_existing=kw["on_existing"],
        tags=kw["tags"],
        workers=kw["workers"],
        report=report,
        settle=float(kw["settle"]),
    )


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value is not None else None


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")
