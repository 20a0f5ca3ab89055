"""The config file (`--config`): a job in one file. `[columns]` pins columns to fields, `[values]`/`[unknown]`
translate values, top-level `input` (or `db` with `query`/`query_file`) says where the rows come from, and
`[options]` sets any option of `importer import` by its flag's name with underscores.

`importer mapping FILE > importer.toml` writes one (see importer.commands.mapping); build_mapping applies it to a
file's headers; importer.pipeline.run_options merges its [options] under what the caller gives. Relative paths in
it are relative to the file's folder, not to the working directory. Each section is parsed by its own function so
that new sections slot in beside them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.account.model import read_toml
from importer.errors import ConfigError
from importer.i18n.message import N_
from importer.mapping.headers import FIELDS, header_key, normalize_header
from importer.mapping.values import ValueRules, value_rules_from
from importer.options import BY_NAME, RunOption, pinnable
from importer.phones.numbers import is_region

# Config targets beyond FIELDS: extra phone columns tried in order when `phone` is empty, and "feeds nothing".
PHONE_FALLBACK = "phone_fallback"
IGNORE = "ignore"
CUSTOM_PREFIX = "cf:"
OPTION_KEYS = pinnable()  # the options table's (importer.options) entries a config may set
INPUT_KEYS = ("input", "db", "query", "query_file")  # where the rows come from, as FILE, --db, --query, --query-file
SECTIONS = ("auto", "columns", "options", "values", "unknown", *INPUT_KEYS)  # top-level keys of the file
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")  # an input that is not a local path (a drive letter is not one)
COLUMN_REF = re.compile(r"^column\s*(\d+)$")  # "column 7": a column by position


@dataclass(frozen=True)
class MappingConfig:
    """A parsed `[columns]` / `[options]` config. Headers are resolved against a file in build_mapping."""

    path: Path | None = None  # named in every error
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> target, in file order
    auto: bool = True  # detect the columns the config does not mention
    # [options], typed per its entry in importer.options (a `multiple` one a list); paths relative to the file's
    # folder already joined to it
    options: dict[str, Any] = field(default_factory=dict)
    values: ValueRules = field(default_factory=ValueRules)  # [values] and [unknown]: see importer.mapping.values
    input: str | None = None  # a URL, "-", or a local path joined to the file's folder
    db: str | None = field(default=None, repr=False)  # a database URL: it may carry a password
    query: str | None = None
    query_file: Path | None = None  # joined to the file's folder

    def where(self, entry: str | None = None) -> str:
        place = str(self.path) if self.path else "mapping config"
        return f'{place}: [columns] "{entry}"' if entry is not None else place

    def input_spec(self) -> dict[str, Any]:
        """The input keys the file gives, named as the command's FILE argument ("input") and flags ("db",
        "query", "query_file"): for the command to use where the command line gives none."""
        spec = {"input": self.input, "db": self.db, "query": self.query, "query_file": self.query_file}
        return {key: value for key, value in spec.items() if value is not None}


def load_mapping_config(path: str | Path) -> MappingConfig:
    """Read a mapping config; every problem is a one-line ConfigError naming the file and the entry.

    Format (TOML)::

        auto = true                     # false: columns not listed below are ignored, not detected
        [columns]                       # header (matched like detection: case, accents, spacing) = target
        "Full Name" = "name"
        "Mobile" = "phone"
        "Phone 2" = "phone_fallback"    # tried, in this order, when the phone cell is empty
        "Plan" = "cf:Status"            # an account custom field
        "Internal ID" = "ignore"
        "column 7" = "note"             # by position, for a blank or repeated header
        [options]                       # any option of `importer import`, named as its flag
        default_region = "ES"
        on_existing = "update"
        results = "out/contacts.results.csv"   # relative to this file's folder
    """
    path = Path(path)
    return parse_mapping_config(read_toml(path, "config file", ConfigError), path)


def parse_mapping_config(data: MappingABC[str, Any], path: Path | None = None) -> MappingConfig:
    """A MappingConfig from the file's parsed TOML; each section has its own parser below."""
    place = str(path) if path else "mapping config"
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(
            N_(
                "{where}: unknown key(s) {keys}; expected {expected}",
                where=place,
                keys=", ".join(unknown),
                expected=", ".join(SECTIONS),
            )
        )
    auto = data.get("auto", True)
    if not isinstance(auto, bool):
        raise ConfigError(N_("{where}: auto must be true or false, got {value}", where=place, value=repr(auto)))
    folder = path.parent if path is not None else None
    return MappingConfig(
        path=path,
        columns=_parse_columns(data.get("columns", {}), place),
        auto=auto,
        options=_parse_options(data.get("options", {}), place, folder),
        values=value_rules_from(data, place),
        **_parse_input(data, place, folder),
    )


def _parse_input(data: MappingABC[str, Any], place: str, folder: Path | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in INPUT_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not value.strip():
                # Never the value: db may be secret.
                raise ConfigError(N_("{where}: {key} must be a non-empty string", where=place, key=key))
            found[key] = value
    # Exclusive as the command's FILE, --query and --query-file are: the rows come from one place.
    if "input" in found and ({"db", "query", "query_file"} & set(found)):
        other = next(k for k in ("db", "query", "query_file") if k in found)
        raise ConfigError(
            N_(
                "{where}: input and {key} are exclusive: the rows come from a file or from a query",
                where=place,
                key=other,
            )
        )
    if "query" in found and "query_file" in found:
        raise ConfigError(N_("{where}: query and query_file are exclusive: give the SQL one way", where=place))
    if "db" in found and not ({"query", "query_file"} & set(found)):
        raise ConfigError(N_("{where}: db needs a query (or query_file) to run", where=place))
    if "input" in found and is_local(found["input"]):
        found["input"] = str(_in_folder(found["input"], folder))
    if "query_file" in found:
        found["query_file"] = _in_folder(found["query_file"], folder)
    return found


def is_local(input: str) -> bool:
    """A config's or the command's input that names a local file: not a URL, not standard input."""
    return input != "-" and not URL.match(input)


def _in_folder(value: str, folder: Path | None) -> Path:
    """A path written in the config: relative to the config's folder (a cron job's working directory is
    anyone's guess), `~` expanded."""
    written = Path(value).expanduser()
    return folder / written if folder is not None and not written.is_absolute() else written


def _parse_columns(raw: Any, place: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(N_('{where}: columns must be a table: [columns] then "Header" = "target" lines', where=place))
    columns: dict[str, str] = {}
    seen: dict[str, str] = {}
    for entry, target in raw.items():
        where = f'{place}: [columns] "{entry}"'
        if not isinstance(target, str):
            raise ConfigError(N_('{where}: the target must be a string such as "phone" or "cf:Status"', where=where))
        if not COLUMN_REF.match(normalize_header(entry)) and not header_key(entry):
            raise ConfigError(
                N_('{where}: an empty header; name a blank column by position, as "column 3"', where=where)
            )
        key = _entry_key(entry)
        if key in seen:
            raise ConfigError(N_('{where}: the same column as "{other}"', where=where, other=seen[key]))
        seen[key] = entry
        parse_target(target, where)
        columns[entry] = target
    return columns


def _entry_key(entry: str) -> str:
    match = COLUMN_REF.match(normalize_header(entry))
    return f"#{int(match.group(1))}" if match else header_key(entry)


def parse_target(target: str, where: str) -> tuple[str, str]:
    """("field", name) | ("custom", name) | ("fallback", "") | ("ignore", "")."""
    text = target.strip()
    if text.casefold().startswith(CUSTOM_PREFIX):
        name = text[len(CUSTOM_PREFIX) :].strip()
        if not name:
            raise ConfigError(N_('{where}: "cf:" needs a custom field name, as "cf:Status"', where=where))
        return "custom", name
    name = re.sub(r"[\s-]+", "_", text.casefold())
    if name in FIELDS:
        return "field", name
    if name == PHONE_FALLBACK:
        return "fallback", ""
    if name == IGNORE:
        return "ignore", ""
    expected = ", ".join((*FIELDS, PHONE_FALLBACK, IGNORE, "cf:<custom field>"))
    raise ConfigError(
        N_(
            "{where}: unknown target {target!r}; expected one of {expected}",
            where=where,
            target=target,
            expected=expected,
        )
    )


def _parse_options(raw: Any, place: str, folder: Path | None) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(N_('{where}: options must be a table: [options] then key = "value" lines', where=place))
    options: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{place}: [options] {key}"
        option = BY_NAME.get(key)
        if option is not None and option.not_in_config:
            raise ConfigError(N_("{where}: not allowed in a config file: {why}", where=where, why=option.not_in_config))
        if option is None or not option.pinnable:
            commands = sorted(option.commands) if option is not None else []
            expected = ", ".join(OPTION_KEYS)
            if commands:
                raise ConfigError(
                    N_(
                        "{where}: an option of `importer {command}`, not of import; expected one of {expected}",
                        where=where,
                        command=commands[0],
                        expected=expected,
                    )
                )
            raise ConfigError(N_("{where}: unknown option; expected one of {expected}", where=where, expected=expected))
        if getattr(option, "multiple", False):  # a repeatable flag: a list, or one string for a list of one
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not items:
                raise ConfigError(N_('{where}: must be a list of strings, as ["…", "…"] (or one string)', where=where))
            options[key] = [_option_value(option, item, f"{where}[{i}]", folder) for i, item in enumerate(items)]
        else:
            options[key] = _option_value(option, value, where, folder)
    return options


def _option_value(option: RunOption, value: Any, where: str, folder: Path | None) -> Any:
    """One value of [options], as its entry's type says; each problem a one-line ConfigError naming the key."""
    kind = option.type
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(N_("{where}: must be true or false, got {value}", where=where, value=repr(value)))
        return value
    if kind in (int, float):
        number = isinstance(value, int) or (kind is float and isinstance(value, float))
        if isinstance(value, bool) or not number:
            if kind is int:
                raise ConfigError(N_("{where}: must be a whole number, got {value}", where=where, value=repr(value)))
            raise ConfigError(N_("{where}: must be a number, got {value}", where=where, value=repr(value)))
        if option.minimum is not None and value < option.minimum:
            minimum = f"{option.minimum:g}"  # 0.5, 1: as written in the options table
            raise ConfigError(
                N_(
                    "{where}: must be at least {minimum}, got {value}",
                    where=where,
                    minimum=minimum,
                    value=repr(value),
                )
            )
        return kind(value)
    if option.name == "sheet" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a sheet index written as a number
    if not isinstance(value, str) or not value:
        raise ConfigError(N_("{where}: must be a non-empty string", where=where))
    if kind is Path:
        return _in_folder(value, folder)
    allowed = option.choices
    if allowed and value not in allowed:
        raise ConfigError(
            N_("{where}: {value!r} is not one of {choices}", where=where, value=value, choices=", ".join(allowed))
        )
    return _checked_text(option.name, value, where)


def _checked_text(key: str, value: str, where: str) -> str:
    if key == "default_region":
        value = value.strip().upper()
        if not is_region(value):
            raise ConfigError(
                N_("{where}: {value!r} is not a two-letter country code such as ES", where=where, value=value)
            )
    if key == "delimiter":
        value = "\t" if value in ("\\t", "tab") else value
        if len(value) != 1:
            raise ConfigError(N_('{where}: must be one character (or "tab"), got {value!r}', where=where, value=value))
    if key == "encoding":
        try:
            codecs.lookup(value)
        except LookupError:
            raise ConfigError(N_("{where}: unknown encoding {value!r}", where=where, value=value)) from None
    return value
