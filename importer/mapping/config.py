"""The mapping config file: `[columns]` pins columns to fields, `[options]` pins run settings.

`importer mapping FILE > importer.toml` writes one (see importer.commands.mapping); build_mapping applies it to a
file's headers. Each section is parsed by its own function so that new sections slot in beside them.
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
from importer.mapping.headers import FIELDS, header_key, normalize_header
from importer.mapping.values import ValueRules, value_rules_from
from importer.options import choices, pinnable
from importer.phones.numbers import is_region

# Config targets beyond FIELDS: extra phone columns tried in order when `phone` is empty, and "feeds nothing".
PHONE_FALLBACK = "phone_fallback"
IGNORE = "ignore"
CUSTOM_PREFIX = "cf:"
OPTION_KEYS = pinnable()  # the options table's (importer.options) entries a config may pin
SECTIONS = ("auto", "columns", "options", "values", "unknown")  # top-level keys of the file
COLUMN_REF = re.compile(r"^column\s*(\d+)$")  # "column 7": a column by position


@dataclass(frozen=True)
class MappingConfig:
    """A parsed `[columns]` / `[options]` config. Headers are resolved against a file in build_mapping."""

    path: Path | None = None  # named in every error
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> target, in file order
    auto: bool = True  # detect the columns the config does not mention
    options: dict[str, str] = field(default_factory=dict)  # run settings, see OPTION_KEYS
    values: ValueRules = field(default_factory=ValueRules)  # [values] and [unknown]: see importer.mapping.values

    def where(self, entry: str | None = None) -> str:
        place = str(self.path) if self.path else "mapping config"
        return f'{place}: [columns] "{entry}"' if entry is not None else place


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
        [options]                       # run settings to pin
        default_region = "ES"
    """
    path = Path(path)
    return parse_mapping_config(read_toml(path, "config file", ConfigError), path)


def parse_mapping_config(data: MappingABC[str, Any], path: Path | None = None) -> MappingConfig:
    """A MappingConfig from the file's parsed TOML; each section has its own parser below."""
    place = str(path) if path else "mapping config"
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{place}: unknown key(s) {', '.join(unknown)}; expected {', '.join(SECTIONS)}")
    auto = data.get("auto", True)
    if not isinstance(auto, bool):
        raise ConfigError(f"{place}: auto must be true or false, got {auto!r}")
    return MappingConfig(
        path=path,
        columns=_parse_columns(data.get("columns", {}), place),
        auto=auto,
        options=_parse_options(data.get("options", {}), place),
        values=value_rules_from(data, place),
    )


def _parse_columns(raw: Any, place: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f'{place}: columns must be a table: [columns] then "Header" = "target" lines')
    columns: dict[str, str] = {}
    seen: dict[str, str] = {}
    for entry, target in raw.items():
        where = f'{place}: [columns] "{entry}"'
        if not isinstance(target, str):
            raise ConfigError(f'{where}: the target must be a string such as "phone" or "cf:Status"')
        if not COLUMN_REF.match(normalize_header(entry)) and not header_key(entry):
            raise ConfigError(f'{where}: an empty header; name a blank column by position, as "column 3"')
        key = _entry_key(entry)
        if key in seen:
            raise ConfigError(f'{where}: the same column as "{seen[key]}"')
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
            raise ConfigError(f'{where}: "cf:" needs a custom field name, as "cf:Status"')
        return "custom", name
    name = re.sub(r"[\s-]+", "_", text.casefold())
    if name in FIELDS:
        return "field", name
    if name == PHONE_FALLBACK:
        return "fallback", ""
    if name == IGNORE:
        return "ignore", ""
    expected = ", ".join((*FIELDS, PHONE_FALLBACK, IGNORE, "cf:<custom field>"))
    raise ConfigError(f"{where}: unknown target {target!r}; expected one of {expected}")


def _parse_options(raw: Any, place: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f'{place}: options must be a table: [options] then key = "value" lines')
    options: dict[str, str] = {}
    for key, value in raw.items():
        where = f"{place}: [options] {key}"
        if key not in OPTION_KEYS:
            raise ConfigError(f"{where}: unknown option; expected one of {', '.join(OPTION_KEYS)}")
        if key == "sheet" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a sheet index written as a number
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: must be a non-empty string")
        allowed = choices(key)
        if allowed and value not in allowed:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
        if key == "default_region":
            value = value.strip().upper()
            if not is_region(value):
                raise ConfigError(f"{where}: {value!r} is not a two-letter country code such as ES")
        if key == "delimiter":
            value = "\t" if value in ("\\t", "tab") else value
            if len(value) != 1:
                raise ConfigError(f'{where}: must be one character (or "tab"), got {value!r}')
        if key == "encoding":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ConfigError(f"{where}: unknown encoding {value!r}") from None
        options[key] = value
    return options
