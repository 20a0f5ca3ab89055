"""Reading column headers: their normalized form, the vocabulary that says which field a header feeds,
how phone columns rank, and which export a header row comes from.

The vocabulary (spellings in English, Spanish, Portuguese, Italian, French and German, phone words, export
layouts) lives in importer/data/headers.toml, a file people extend; it is read once per process.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Any

from importer.errors import ConfigError
from importer.i18n.message import N_

# Contact fields a column can feed. The name parts are joined (first middle last second-last) into `name`
# when no full-name column is mapped; `country` is not sent, it is the region used to read national phone
# spellings on that row.
FIELDS = (
    "name",
    "first_name",
    "middle_name",
    "last_name",
    "second_last_name",
    "phone",
    "country",
    "tags",
    "assigned_user",
    "team",
    "note",
    "source",
    "bot_status",
    "channel",
)
# Callbell's channel types: the values of a contact's `source`. Only these identify a contact by a phone number.
CHANNEL_TYPES = ("whatsapp", "instagram", "facebook", "messenger", "telegram")
PHONE_CHANNELS = ("whatsapp",)
NAME_PARTS = ("first_name", "middle_name", "last_name", "second_last_name")
QUIRKS = ("owner_names",)
DATA_FILE = "data/headers.toml"  # inside the importer package

_NON_WORD = re.compile(r"[^0-9a-z]+")
_ORDINAL = re.compile(r"^\d+(o|a|do|da|er|e|eme|nd|rd|st|th)$")  # "2º" normalizes to "2o": a number too
LANDLINE_RANK = 3
# Decorations around a header's words that say nothing of the field: a required-mark "*", a bracketed or
# parenthesised hint ("Name* (s.name)", "Phone [mobile]" in Dolibarr) and a trailing colon ("E-mail:").
_DECORATION = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|\*")


def is_error_column(header: str) -> bool:
    """The `error` column our errors file adds (and refreshes when it is imported again): the importer's own words
    about the row, never a contact's data, so no field is ever read from it."""
    return header.strip().casefold() == "error"


def normalize_header(header: str) -> str:
    """Case-, accent- and spacing-insensitive form: ' Teléfono_Móvil ' -> 'telefono movil'."""
    text = unicodedata.normalize("NFKD", header.replace("\ufeff", "")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


def undecorated(header: str) -> str:
    """The header without its decorations: 'Name* (s.name)' -> 'Name', 'E-mail:' -> 'E-mail'."""
    return _DECORATION.sub(" ", header).strip().rstrip(":").strip()


def header_key(header: str) -> str:
    """What two headers must share to be the same column: 'First Name', 'first_name', 'FirstName'."""
    return normalize_header(header).replace(" ", "")


@dataclass(frozen=True)
class Layout:
    """An export recognized by its header keys: all of `all`, and one of each group of `any`."""

    name: str
    all: frozenset[str]
    any: tuple[frozenset[str], ...]
    quirks: frozenset[str]
    ignore: Mapping[str, str]  # header key -> why that column feeds nothing in this export
    phones: frozenset[str]  # header keys that are the contact's home/work number in this export

    def matches(self, keys: set[str]) -> bool:
        return self.all <= keys and all(group & keys for group in self.any)


@dataclass(frozen=True)
class Vocabulary:
    """importer/data/headers.toml, normalized: every spelling is a header key (see header_key)."""

    spellings: Mapping[str, Mapping[str, tuple[str, ...]]]  # field -> group (language) -> spellings as written
    lookup: Mapping[str, str]  # header key -> field
    # header key -> name part it can be -> header keys of the other part that make it that part ("*": any)
    ambiguous: Mapping[str, Mapping[str, frozenset[str]]]
    phone_words: frozenset[str]
    mobile_words: frozenset[str]
    whatsapp_words: frozenset[str]
    landline_words: frozenset[str]
    filler_words: frozenset[str]
    layouts: tuple[Layout, ...]

    def synonyms(self) -> dict[str, tuple[str, ...]]:
        """Every spelling of each field, all groups together."""
        return {name: tuple(s for group in groups.values() for s in group) for name, groups in self.spellings.items()}

    def phone_rank(self, words: Sequence[str]) -> int | None:
        """0 WhatsApp, 1 mobile, 2 generic, 3 landline-like; None when the words are not a phone number column."""
        found = set(words)
        if not found & (self.phone_words | self.mobile_words | self.whatsapp_words):
            return None
        allowed = self.phone_words | self.mobile_words | self.whatsapp_words | self.landline_words | self.filler_words
        if any(w not in allowed and not w.isdigit() and not _ORDINAL.match(w) for w in words):
            return None  # "Phone 1 - Label", "Business Fax", "Telefon Firma": about a phone, not a number
        if found & self.whatsapp_words:
            return 0
        if found & self.mobile_words:
            return 1
        return LANDLINE_RANK if found & self.landline_words else 2

    @cached_property
    def _mobile_label_words(self) -> frozenset[str]:
        return self.mobile_words | self.whatsapp_words

    def is_mobile_label(self, label: str) -> bool:
        """A per-row phone label (Google's "Phone 2 - Label" cell) that says Mobile / WhatsApp."""
        return not self._mobile_label_words.isdisjoint(normalize_header(label).split())

    def ambiguous_part(self, key: str, first_keys: Iterable[str], last_keys: Iterable[str]) -> str | None:
        """The name part an ambiguous header (key) is beside the file's first- or last-name columns, if any."""
        roles = self.ambiguous.get(key, {})
        for part, beside in (("first_name", set(last_keys)), ("last_name", set(first_keys))):
            if part in roles and beside and ("*" in roles[part] or roles[part] & beside):
                return part
        return None

    def readings(self, header: str) -> tuple[str, ...]:
        """The header as written, then without its decorations ("Name* (s.name)" -> "Name") unless a hint says
        whose or where ("Paese (uff.)", "Téléphone (bureau)": the office's, a landline word)."""
        plain = undecorated(header)
        if plain == header.strip() or not header_key(plain):
            return (header,)
        hints = " ".join(_DECORATION.findall(header))
        if set(normalize_header(hints).split()) & self.landline_words:
            return (header,)
        return (header, plain)

    def field_of(self, header: str) -> str | None:
        """The field a header names by the vocabulary: as written, else without its decorations; phone words too."""
        for text in self.readings(header):
            found = self.lookup.get(header_key(text))
            if found is None and self.phone_rank(normalize_header(text).split()) is not None:
                found = "phone"
            if found is not None:
                return found
        return None

    def header_score(self, cells: Sequence[str]) -> int:
        """How many cells of a row are headers the vocabulary knows: the row that has most is the header row
        (importer.reading.table.split_header), and a first row with none may be data."""
        return sum(1 for cell in cells if cell.strip() and self.field_of(cell) is not None)

    def layout(self, keys: set[str]) -> Layout | None:
        return next((layout for layout in self.layouts if layout.matches(keys)), None)


@cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary, read once per process (on first use: a mistake in it is then a ConfigError)."""
    path = resources.files("importer").joinpath(DATA_FILE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            N_("{file}: cannot read the header vocabulary: {error}", file=str(path), error=str(exc))
        ) from None
    return parse_vocabulary(data, str(path))


def parse_vocabulary(data: Mapping[str, Any], place: str) -> Vocabulary:
    """Build a Vocabulary from the data file's tables; a mistake in the file is a ConfigError naming the entry."""
    fields_raw = _table(data, "fields", place)
    unknown = sorted(set(fields_raw) - set(FIELDS))
    if unknown:
        raise ConfigError(
            N_(
                "{where}: [fields.{name}] is not a field; expected one of {expected}",
                where=place,
                name=unknown[0],
                expected=", ".join(FIELDS),
            )
        )
    spellings: dict[str, dict[str, tuple[str, ...]]] = {}
    lookup: dict[str, str] = {}
    for name, groups in fields_raw.items():
        where = f"{place}: [fields.{name}]"
        if not isinstance(groups, dict):
            raise ConfigError(N_("{where}: must be a table of lists", where=where))
        spellings[name] = {group: _strings(items, f"{where} {group}") for group, items in groups.items()}
        for group, items in spellings[name].items():
            for spelling in items:
                key = header_key(spelling)
                if not key:
                    raise ConfigError(
                        N_(
                            "{where} {group}: {spelling!r} has no letters or digits",
                            where=where,
                            group=group,
                            spelling=spelling,
                        )
                    )
                if lookup.setdefault(key, name) != name:
                    raise ConfigError(
                        N_(
                            "{where} {group}: {spelling!r} is already a spelling of {field}",
                            where=where,
                            group=group,
                            spelling=spelling,
                            field=lookup[key],
                        )
                    )

    ambiguous: dict[str, Mapping[str, frozenset[str]]] = {}
    for header, parts in _table(data, "ambiguous_names", place).items():
        where = f"{place}: [ambiguous_names] {header}"
        if not isinstance(parts, dict) or not set(parts) <= {"first_name", "last_name"}:
            raise ConfigError(
                N_('{where}: expected {{ first_name = ["*"] }} and/or {{ last_name = ["Vorname"] }}', where=where)
            )
        roles = {
            part: frozenset("*" if h == "*" else header_key(h) for h in _strings(beside, f"{where} {part}"))
            for part, beside in parts.items()
        }
        ambiguous[header_key(header)] = MappingProxyType(roles)

    phone = _table(data, "phone", place)

    def words(key: str) -> frozenset[str]:
        items = _strings(phone.get(key, []), f"{place}: [phone] {key}")
        return frozenset(w for item in items for w in normalize_header(item).split())

    layouts = []
    for n, raw in enumerate(data.get("layouts", [])):
        where = f"{place}: [[layouts]] #{n + 1}"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise ConfigError(N_("{where}: needs a name", where=where))
        quirks = frozenset(_strings(raw.get("quirks", []), f"{where} quirks"))
        if quirks - set(QUIRKS):
            raise ConfigError(
                N_(
                    "{where}: unknown quirk(s) {quirks}; expected {expected}",
                    where=where,
                    quirks=str(sorted(quirks - set(QUIRKS))),
                    expected=", ".join(QUIRKS),
                )
            )
        phones = _keys(_strings(raw.get("phones", []), f"{where} phones"))
        ignore = raw.get("ignore", {})
        if not isinstance(ignore, dict) or not all(isinstance(v, str) for v in ignore.values()):
            raise ConfigError(N_('{where}: ignore must be a table of "Header" = "why"', where=where))
        every = _keys(_strings(raw.get("all", []), f"{where} all"))
        some = tuple(_keys(_strings(group, f"{where} any")) for group in raw.get("any", []))
        if not every and not any(some):
            raise ConfigError(N_("{where}: needs the headers that identify it (all and/or any)", where=where))
        layouts.append(
            Layout(
                name=raw["name"],
                all=every,
                any=some,
                quirks=quirks,
                ignore=MappingProxyType({header_key(h): why for h, why in ignore.items()}),
                phones=phones,
            )
        )

    return Vocabulary(
        spellings=MappingProxyType({k: MappingProxyType(v) for k, v in spellings.items()}),
        lookup=MappingProxyType(lookup),
        ambiguous=MappingProxyType(ambiguous),
        phone_words=words("phone_words"),
        mobile_words=words("mobile_words"),
        whatsapp_words=words("whatsapp_words"),
        landline_words=words("landline_words"),
        filler_words=words("filler_words"),
        layouts=tuple(layouts),
    )


def _table(data: Mapping[str, Any], key: str, place: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(N_("{where}: {key} must be a table", where=place, key=key))
    return value


def _strings(items: Any, where: str) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(N_("{where}: must be a list of strings", where=where))
    return tuple(items)


def _keys(headers: Iterable[str]) -> frozenset[str]:
    return frozenset(header_key(h) for h in headers)
