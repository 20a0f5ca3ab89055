"""Map spreadsheet columns to Callbell contact fields: by their headers, or as a TOML config file pins them.

Detection knows English and Spanish spellings and the usual contact exports (Google Contacts, Outlook,
HubSpot) so those import with no configuration. A config file (`importer mapping FILE > importer.toml`
writes one) overrides detection column by column; see `load_mapping_config` for its format.
"""

from __future__ import annotations

import codecs
import difflib
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from importer.account import Account, read_toml
from importer.errors import ConfigError
from importer.phones import is_region
from importer.values import ValueRules, value_rules_from

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
NAME_PARTS = ("first_name", "middle_name", "last_name", "second_last_name")
# Config targets beyond FIELDS: extra phone columns tried in order when `phone` is empty, and "feeds nothing".
PHONE_FALLBACK = "phone_fallback"
IGNORE = "ignore"
CUSTOM_PREFIX = "cf:"

# Normalized header spellings (see normalize_header) for each field, English and Spanish. Matching also
# ignores the spaces, so "FirstName", "first_name" and the API's "phoneNumber" / "assignedUser" match too.
# Phone headers beyond these are recognized by their words (see _phone_rank): "Mobile Phone", "Phone 1 - Value".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "contact name",
        "display name",
        "nombre",
        "nombre completo",
        "contacto",
        "nombre y apellidos",
        "nombre y apellido",
        "nombre del contacto",
    ),
    "first_name": ("first name", "given name", "firstname", "forename", "nombre de pila", "primer nombre", "nombres"),
    "middle_name": ("middle name", "additional name", "segundo nombre"),
    "last_name": ("last name", "family name", "surname", "lastname", "apellido", "apellidos", "primer apellido"),
    "second_last_name": ("segundo apellido", "apellido materno"),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "tel",
        "mobile",
        "mobile phone",
        "mobile number",
        "cell",
        "cell phone",
        "whatsapp",
        "whatsapp number",
        "identifier",
        "telefono",
        "numero de telefono",
        "movil",
        "telefono movil",
        "celular",
        "numero",
        "numero de whatsapp",
    ),
    # Not "Country/Region": HubSpot's address property holds names ("Spain"), not codes, and would fail every row.
    "country": ("country", "country code", "pais", "region", "codigo de pais", "codigo pais", "prefijo"),
    # "Labels" is left alone in Google Contacts exports (see _GOOGLE_LABELS); Outlook's "Categories" are tags.
    "tags": ("tags", "tag", "labels", "etiquetas", "etiqueta", "categories", "categorias"),
    "assigned_user": (
        "assigned user",
        "assigned to",
        "assignee",
        "agent",
        "agent email",
        "owner",
        "owner email",
        "contact owner",
        "usuario asignado",
        "agente",
        "agente asignado",
        "asignado a",
        "responsable",
        "propietario",
        "propietario del contacto",
    ),
    "team": ("team", "team name", "team uuid", "equipo"),
    "note": (
        "note",
        "notes",
        "comment",
        "comments",
        "nota",
        "notas",
        "comentario",
        "comentarios",
        "observaciones",
    ),
    "source": ("source", "origen", "fuente"),
    "bot_status": ("bot status", "bot", "estado del bot"),
    "channel": ("channel", "channel uuid", "canal"),
}

# A bare "Name"/"Nombre" beside a last-name column and no first-name column is the first name
# ("Nombre" + "Apellidos" is the usual Spanish layout); on its own it is the full name.
_AMBIGUOUS_NAMES = frozenset({"name", "nombre"})
# Words that make a header a phone column, and how it ranks: WhatsApp 0, mobile 1, generic 2, landline-like 3.
_PHONE_WORDS = frozenset(
    {"phone", "telephone", "tel", "telefono", "mobile", "movil", "cell", "cellphone", "cellular", "celular"}
    | {"whatsapp", "msisdn"}
)
_MOBILE_WORDS = frozenset({"mobile", "movil", "cell", "cellphone", "cellular", "celular", "whatsapp"})
_WHATSAPP_WORDS = frozenset({"whatsapp"})
# The contact's own non-mobile numbers. Not "company"/"assistant"/"empresa": Outlook's "Company Main Phone" and
# "Assistant's Phone" are someone else's number, so those words (unknown here) keep such columns out.
_LANDLINE_WORDS = frozenset(
    {"home", "business", "work", "office", "other", "landline", "fixed", "car"}
    | {"fijo", "casa", "trabajo", "oficina", "particular", "otro", "domicilio"}
)
# Words a phone header may also carry; any other word (fax, pager, label, type, opt in...) means "not a phone".
_PHONE_FILLER = frozenset(
    {"number", "numero", "no", "nr", "nro", "num", "value", "primary", "principal", "main", "personal"}
    | {"contact", "contacto", "de", "del", "la", "el", "s", "n", "o"}  # "s": "Assistant's"; "n o": "Nº"
)
_GOOGLE_LABELS = frozenset({"labels", "groupmembership"})
_GOOGLE_MULTI = " ::: "  # Google Contacts joins several values of one cell with this
_PHONE_VALUE = re.compile(r"^(phone \d+) value$")
_COLUMN_REF = re.compile(r"^column\s*(\d+)$")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_UNLISTED = "not in the config (auto = false)"

OPTION_KEYS = ("default_region", "phone_format", "source", "encoding", "delimiter", "sheet")
PHONE_FORMATS = ("digits", "e164")


def normalize_header(header: str) -> str:
    """Case-, accent- and spacing-insensitive form: ' Teléfono_Móvil ' -> 'telefono movil'."""
    text = unicodedata.normalize("NFKD", header.replace("\ufeff", "")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


def header_key(header: str) -> str:
    """What two headers must share to be the same column: 'First Name', 'first_name', 'FirstName'."""
    return normalize_header(header).replace(" ", "")


_LOOKUP = {header_key(spelling): name for name, spellings in SYNONYMS.items() for spelling in spellings}


@dataclass
class Mapping:
    """Which column feeds what. Every column is in exactly one place: a field, a custom field, the phone
    fallbacks, the phone labels (as a label column) or `unmapped`."""

    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)  # contact field -> column index
    custom_fields: dict[str, int] = field(default_factory=dict)  # account custom field name -> column index
    unmapped: list[int] = field(default_factory=list)  # column indexes that feed nothing, in column order
    phone_fallbacks: list[int] = field(default_factory=list)  # tried in order when the phone cell is empty
    phone_labels: dict[int, int] = field(default_factory=dict)  # phone column -> its per-row label column
    # For the person only (not compared): the export recognized, and why a column is (not) mapped.
    layout: str | None = field(default=None, compare=False)
    notes: dict[int, str] = field(default_factory=dict, compare=False)
    suggestions: dict[int, str] = field(default_factory=dict, compare=False)  # unmapped column -> likely target

    @property
    def name_parts(self) -> list[int]:
        """Columns joined with spaces into the name when `name` is not mapped: first, middle, last, 2nd last."""
        return [self.fields[part] for part in NAME_PARTS if part in self.fields]

    @cached_property
    def _duplicated_keys(self) -> frozenset[str]:
        keys = [header_key(h) for h in self.headers]
        return frozenset(k for k in keys if k and keys.count(k) > 1)

    def column(self, index: int) -> str:
        header = self.headers[index]
        if not header.strip():
            return f"column {index + 1}"
        if header_key(header) in self._duplicated_keys:  # "Phone" twice: say which one
            return f"{header} (column {index + 1})"
        return header

    def phone_columns(self) -> list[int]:
        return ([self.fields["phone"]] if "phone" in self.fields else []) + self.phone_fallbacks

    def phone_candidates(self, values: Sequence[str]) -> list[tuple[int, str]]:
        """A row's non-empty phone numbers, best first, each with its column.

        Order: the phone column, then the fallbacks; but a number whose label cell on this row says
        Mobile/WhatsApp (Google Contacts' "Phone 2 - Label") comes before unlabelled or landline ones.
        A Google cell holding several numbers ("+34 600 ::: +34 911") gives one candidate per number.
        """
        ranked: list[tuple[int, int, int, str]] = []
        for order, index in enumerate(self.phone_columns()):
            numbers = _split_multi(values[index] if index < len(values) else "")
            label_index = self.phone_labels.get(index)
            labels = _split_multi(values[label_index]) if label_index is not None and label_index < len(values) else []
            for k, number in enumerate(numbers):
                label = labels[k] if k < len(labels) else (labels[0] if len(labels) == 1 else "")
                mobile = bool(set(normalize_header(label).split()) & _MOBILE_WORDS)
                ranked.append((0 if mobile else 1, order, index, number))
        ranked.sort(key=lambda r: (r[0], r[1]))  # stable: numbers of one cell keep their order
        return [(index, number) for _, _, index, number in ranked]

    def describe(self) -> list[str]:
        """One line per used column, in column order: "Mobile Phone -> phone"."""
        lines = [(i, f"{name.replace('_', ' ')}") for name, i in self.fields.items()]
        lines += [
            (i, f"phone, if the ones before are empty (fallback {n})") for n, i in enumerate(self.phone_fallbacks, 1)
        ]
        lines += [
            (lab, f"label of {self.column(i)} (a mobile label goes first)") for i, lab in self.phone_labels.items()
        ]
        lines += [(i, f"custom field {name!r}") for name, i in self.custom_fields.items()]
        return [f"{self.column(i)} -> {what}" for i, what in sorted(lines, key=lambda line: line[0])]


def _split_multi(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(_GOOGLE_MULTI) if part.strip()]


# --- config file -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingConfig:
    """A parsed `[columns]` / `[options]` config. Headers are resolved against a file in build_mapping."""

    path: Path | None = None  # named in every error
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> target, in file order
    auto: bool = True  # detect the columns the config does not mention
    options: dict[str, str] = field(default_factory=dict)  # run settings, see OPTION_KEYS
    values: ValueRules = field(default_factory=ValueRules)  # [values] and [unknown]: see importer.values

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
    place = str(path) if path else "mapping config"
    unknown = sorted(set(data) - {"auto", "columns", "options", "values", "unknown"})
    if unknown:
        raise ConfigError(
            f"{place}: unknown key(s) {', '.join(unknown)}; expected auto, columns, options, values, unknown"
        )
    auto = data.get("auto", True)
    if not isinstance(auto, bool):
        raise ConfigError(f"{place}: auto must be true or false, got {auto!r}")
    columns_raw = data.get("columns", {})
    if not isinstance(columns_raw, dict):
        raise ConfigError(f'{place}: columns must be a table: [columns] then "Header" = "target" lines')
    columns: dict[str, str] = {}
    seen: dict[str, str] = {}
    for entry, target in columns_raw.items():
        where = f'{place}: [columns] "{entry}"'
        if not isinstance(target, str):
            raise ConfigError(f'{where}: the target must be a string such as "phone" or "cf:Status"')
        if not _COLUMN_REF.match(normalize_header(entry)) and not header_key(entry):
            raise ConfigError(f'{where}: an empty header; name a blank column by position, as "column 3"')
        key = _entry_key(entry)
        if key in seen:
            raise ConfigError(f'{where}: the same column as "{seen[key]}"')
        seen[key] = entry
        _parse_target(target, where)
        columns[entry] = target
    return MappingConfig(
        path=path,
        columns=columns,
        auto=auto,
        options=_parse_options(data.get("options", {}), place),
        values=value_rules_from(data, place),
    )


def _entry_key(entry: str) -> str:
    match = _COLUMN_REF.match(normalize_header(entry))
    return f"#{int(match.group(1))}" if match else header_key(entry)


def _parse_target(target: str, where: str) -> tuple[str, str]:
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
        if key == "phone_format" and value not in PHONE_FORMATS:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(PHONE_FORMATS)}")
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


# --- building a mapping --------------------------------------------------------------------------------------


def detect_mapping(headers: Sequence[str], account: Account | None) -> Mapping:
    """The mapping detection alone gives: no config."""
    return build_mapping(headers, account, None)


def build_mapping(headers: Sequence[str], account: Account | None, config: MappingConfig | None = None) -> Mapping:
    """Map `headers`: the config's entries first, then (unless `auto = false`) detection for the rest.

    `account` None means "unknown" (no account file): custom fields are then matched only by `cf:`.
    """
    builder = _Builder(list(headers), account, config)
    if config is not None:
        builder.apply_config(config)
    if config is None or config.auto:
        builder.detect()
    mapping = builder.finish()
    if config is not None and not config.auto:
        _explain_unlisted(mapping, build_mapping(headers, account, replace(config, auto=True)))
    return mapping


def _explain_unlisted(mapping: Mapping, detected: Mapping) -> None:
    """With `auto = false`, say what detection would do with the columns the config leaves out, so that a
    column new in the export shows up as `# "WhatsApp" = "phone_fallback"   (not mapped: not in the config)`."""
    targets = {i: name for name, i in detected.fields.items()}
    targets |= {i: f"{CUSTOM_PREFIX}{name}" for name, i in detected.custom_fields.items()}
    targets |= {i: PHONE_FALLBACK for i in detected.phone_fallbacks}
    for index in mapping.unmapped:
        if mapping.notes.get(index) != _UNLISTED:
            continue  # ignored by the config
        if index in targets:
            mapping.suggestions[index] = targets[index]
        elif index in detected.unmapped:
            mapping.notes.pop(index)
            if index in detected.notes:
                mapping.notes[index] = detected.notes[index]
            if index in detected.suggestions:
                mapping.suggestions[index] = detected.suggestions[index]


class _Builder:
    def __init__(self, headers: list[str], account: Account | None, config: MappingConfig | None) -> None:
        self.headers = headers
        self.keys = [header_key(h) for h in headers]
        self.account = account
        self.config = config
        self.custom_by_key = {header_key(n): n for n in account.custom_fields} if account else {}
        self.mapping = Mapping(headers=list(headers), layout=_detect_layout(set(self.keys)))
        self.done: set[int] = set()  # columns settled (mapped, fallback, ignored, unmapped)
        self.from_config: dict[str, str] = {}  # target -> config entry, to name both sides of a conflict
        self.first_of_key: dict[str, int] = {}
        for index, key in enumerate(self.keys):
            self.first_of_key.setdefault(key, index)

    # config ------------------------------------------------------------------------------------------------

    def apply_config(self, config: MappingConfig) -> None:
        entry_of: dict[int, str] = {}
        for entry, target in config.columns.items():
            where = config.where(entry)
            index = self._resolve(entry, where)
            if index in entry_of:
                raise ConfigError(f'{where}: the same column as "{entry_of[index]}"')
            entry_of[index] = entry
            kind, name = _parse_target(target, where)
            if kind == "custom":
                name = self._custom_name(name, where)
                taken = f"{CUSTOM_PREFIX}{name}"
            else:
                taken = name
            if kind in ("field", "custom") and taken in self.from_config:
                raise ConfigError(f'{where}: "{self.from_config[taken]}" already feeds {target.strip()}')
            self.done.add(index)
            if kind == "field":
                self.mapping.fields[name] = index
                self.from_config[name] = entry
            elif kind == "custom":
                self.mapping.custom_fields[name] = index
                self.from_config[taken] = entry
            elif kind == "fallback":
                self.mapping.phone_fallbacks.append(index)
            else:
                self.mapping.unmapped.append(index)
                self.mapping.notes[index] = "ignored by the config"

    def _resolve(self, entry: str, where: str) -> int:
        key = header_key(entry)
        if key and key in self.first_of_key:  # a real header wins over the "column N" spelling
            return self.first_of_key[key]
        match = _COLUMN_REF.match(normalize_header(entry))
        if match and 1 <= int(match.group(1)) <= len(self.headers):
            return int(match.group(1)) - 1
        close = difflib.get_close_matches(entry, [h for h in self.headers if h.strip()], n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise ConfigError(f"{where}: no such column in the file{hint}")

    def _custom_name(self, name: str, where: str) -> str:
        if self.account is None:  # no account file: cannot check, validation will
            return name
        known = self.custom_by_key.get(header_key(name))
        if known is None:
            fields = ", ".join(self.account.custom_fields) or "none"
            raise ConfigError(f"{where}: {name!r} is not a custom field of the account (it has: {fields})")
        return known

    # detection ---------------------------------------------------------------------------------------------

    def detect(self) -> None:
        by_target: dict[str, list[tuple[int, int]]] = {}  # target -> [(rank, column)]
        for index, header in enumerate(self.headers):
            if index in self.done:
                continue
            key = self.keys[index]
            if not key:
                self._unmap(index, "no header" if not header.strip() else None)
                continue
            first = self.first_of_key[key]
            if first != index:
                self._unmap(index, f"same header as column {first + 1}", self._target_of(first))
                continue
            found = self._classify(index)
            if found is None:
                self._unmap(index, None)
                continue
            target, rank = found
            if target == "tags" and key in _GOOGLE_LABELS and self.mapping.layout and "Google" in self.mapping.layout:
                self._unmap(index, 'Google Contacts labels (such as "* myContacts") are not Callbell tags', "tags")
                continue
            by_target.setdefault(target, []).append((rank, index))

        self._detect_phone(sorted(by_target.pop("phone", [])))
        self._detect_name(by_target)
        for target, candidates in by_target.items():
            self._take_best(target, sorted(candidates))

    def _classify(self, index: int) -> tuple[str, int] | None:
        header, key = self.headers[index], self.keys[index]
        stripped = header.strip()
        if stripped.casefold().startswith(CUSTOM_PREFIX):
            target = stripped[len(CUSTOM_PREFIX) :].strip()
            if not target:
                return None
            return f"{CUSTOM_PREFIX}{self.custom_by_key.get(header_key(target), target)}", 0
        # The account's own custom fields win over the built-in synonyms: a field named "Status" is data.
        if key in self.custom_by_key:
            return f"{CUSTOM_PREFIX}{self.custom_by_key[key]}", 0
        words = normalize_header(header).split()
        field_name = _LOOKUP.get(key)
        if field_name == "phone":
            rank = _phone_rank(words)
            return "phone", 2 if rank is None else rank  # "identifier", "numero": generic
        if field_name is not None:
            return field_name, 0
        rank = _phone_rank(words)
        return ("phone", rank) if rank is not None else None

    def _detect_phone(self, candidates: list[tuple[int, int]]) -> None:
        # WhatsApp beats mobile beats a generic phone beats home/business; equal ranks keep column order.
        columns = [index for _, index in candidates]
        if "phone" not in self.mapping.fields and columns:
            self._map("phone", columns.pop(0))
        for index in columns:
            self.mapping.phone_fallbacks.append(index)
            self.done.add(index)

    def _detect_name(self, by_target: dict[str, list[tuple[int, int]]]) -> None:
        names = [index for _, index in sorted(by_target.pop("name", []))]
        parts = {part: [index for _, index in sorted(by_target.pop(part, []))] for part in NAME_PARTS}
        fields = self.mapping.fields
        if "name" in fields:  # the config chose the full name
            self._unmap_all(names + [i for cols in parts.values() for i in cols], self._used_for("name"))
            return
        config_parts = [p for p in NAME_PARTS if p in fields]
        have_first = bool(parts["first_name"]) or "first_name" in fields
        have_last = any(parts[p] or p in fields for p in ("last_name", "second_last_name"))
        clear = [i for i in names if self.keys[i] not in _AMBIGUOUS_NAMES]
        ambiguous = [i for i in names if self.keys[i] in _AMBIGUOUS_NAMES]
        if ambiguous and not have_first and have_last and not clear:
            parts["first_name"] = [ambiguous.pop(0)]  # "Nombre" + "Apellidos": Nombre is the first name
            names.remove(parts["first_name"][0])
        chosen = None if config_parts else (clear or ambiguous or [None])[0]
        if chosen is not None:
            # An explicit full name beats first + last; the parts stay listed, never silently dropped.
            self._map("name", chosen)
            self._unmap_all([i for i in names if i != chosen], self._used_for("name"))
            for part, cols in parts.items():
                self._unmap_all(cols, self._used_for("name"), part)
            return
        why = "the config maps the name parts" if config_parts else None
        for index in names:
            self._unmap(index, why, "name")
        for part, cols in parts.items():
            self._take_best(part, [(0, i) for i in cols])

    def _take_best(self, target: str, candidates: list[tuple[int, int]]) -> None:
        columns = [index for _, index in candidates]
        custom = target.startswith(CUSTOM_PREFIX)
        taken = self.mapping.custom_fields if custom else self.mapping.fields
        name = target[len(CUSTOM_PREFIX) :] if custom else target
        if name not in taken and columns:
            index = columns.pop(0)
            taken[name] = index
            self.done.add(index)
        for index in columns:
            self._unmap(index, f'"{self.headers[taken[name]]}" feeds {_label(target)}', target)

    def _map(self, field_name: str, index: int) -> None:
        self.mapping.fields[field_name] = index
        self.done.add(index)

    def _unmap(self, index: int, why: str | None, target: str | None = None) -> None:
        self.mapping.unmapped.append(index)
        self.done.add(index)
        if why:
            self.mapping.notes[index] = why
        if target:
            self.mapping.suggestions[index] = target

    def _unmap_all(self, columns: Iterable[int], why: str, target: str | None = None) -> None:
        for index in columns:
            self._unmap(index, why, target or self._target_of(index))

    def _used_for(self, field_name: str) -> str:
        return f'"{self.headers[self.mapping.fields[field_name]]}" feeds the {_label(field_name)}'

    def _target_of(self, index: int) -> str | None:
        found = self._classify(index) if self.keys[index] else None
        return found[0] if found else None

    # the end -----------------------------------------------------------------------------------------------

    def finish(self) -> Mapping:
        mapping = self.mapping
        if self.config is not None and not self.config.auto:
            for index in range(len(self.headers)):
                if index not in self.done:
                    mapping.unmapped.append(index)
                    mapping.notes.setdefault(index, _UNLISTED)
        if mapping.phone_fallbacks and "phone" not in mapping.fields:
            assert self.config is not None  # detection always fills phone before fallbacks
            entry = next(e for e, t in self.config.columns.items() if _parse_target(t, "")[0] == "fallback")
            raise ConfigError(f"{self.config.where(entry)}: phone_fallback needs another column mapped to phone")
        self._link_phone_labels()
        first = mapping.fields.get("first_name")
        if first is not None and self.keys[first] in _AMBIGUOUS_NAMES:  # notes that hold for config and detection
            mapping.notes.setdefault(first, "the first name: the file has a last-name column")
        if mapping.layout == "HubSpot" and "assigned_user" in mapping.fields:
            index = mapping.fields["assigned_user"]
            mapping.notes.setdefault(index, "HubSpot writes the owner's name: rows are checked against user emails")
        mapping.unmapped.sort()
        return mapping

    def _link_phone_labels(self) -> None:
        """Google Contacts puts each number's label ("Mobile", "Work") in the column beside it: use it per row."""
        mapping = self.mapping
        for index in mapping.phone_columns():
            match = _PHONE_VALUE.match(normalize_header(self.headers[index]))
            if not match:
                continue
            for word in ("label", "type"):
                label = self.first_of_key.get(header_key(f"{match.group(1)} {word}"))
                # Only a column that feeds nothing else, and that the config did not explicitly ignore.
                if (
                    label is not None
                    and label in mapping.unmapped
                    and mapping.notes.get(label) != "ignored by the config"
                ):
                    mapping.unmapped.remove(label)
                    mapping.notes.pop(label, None)
                    mapping.suggestions.pop(label, None)
                    mapping.phone_labels[index] = label
                    break


def _phone_rank(words: list[str]) -> int | None:
    """0 WhatsApp, 1 mobile, 2 generic, 3 landline-like; None when the header is not a phone number column."""
    if not words or not set(words) & _PHONE_WORDS:
        return None
    allowed = _PHONE_WORDS | _LANDLINE_WORDS | _PHONE_FILLER
    if any(w not in allowed and not w.isdigit() for w in words):
        return None  # "Phone 1 - Label", "Business Fax", "Phone Opt In": about a phone, not a number
    if set(words) & _WHATSAPP_WORDS:
        return 0
    if set(words) & _MOBILE_WORDS:
        return 1
    return 3 if set(words) & _LANDLINE_WORDS else 2


def _detect_layout(keys: set[str]) -> str | None:
    """Recognize the usual exports, for the person and for their quirks (Google labels, HubSpot owners)."""
    if keys & {"phone1value", "email1value"}:
        if keys & {"groupmembership", "phone1type", "email1type"}:
            return "Google Contacts (legacy Google CSV)"
        return "Google Contacts"
    if {"mobilephone", "businessphone", "homephone"} <= keys:
        return "Outlook"
    if "contactowner" in keys and keys & {"recordid", "contactid", "lifecyclestage"}:
        return "HubSpot"
    return None


def _label(target: str) -> str:
    if target.startswith(CUSTOM_PREFIX):
        return f"custom field {target[len(CUSTOM_PREFIX) :]!r}"
    return target.replace("_", " ")


# --- writing a config -----------------------------------------------------------------------------------------


def mapping_to_toml(
    mapping: Mapping,
    *,
    auto: bool = False,
    options: MappingABC[str, str] | None = None,
    comments: Sequence[str] = (),
) -> str:
    """A config that `load_mapping_config` + `build_mapping` turn back into this same mapping.

    `auto` defaults to false: a pinned mapping should not change when the export grows a column.
    """
    lines = [f"# {_one_line(c)}".rstrip() for c in comments]
    if lines:
        lines.append("")
    lines += [
        "# false: only the columns listed in [columns] are read; true: the others are detected by their header.",
        f"auto = {'true' if auto else 'false'}",
        "",
        *textwrap.wrap(
            f"Targets: {', '.join(FIELDS)}, {PHONE_FALLBACK} (tried in order when phone is empty),"
            f' "cf:<custom field>", {IGNORE}.',
            width=116,
            initial_indent="# ",
            subsequent_indent="#   ",
        ),
        '# A blank or repeated header is named by position: "column 7".',
        "[columns]",
    ]
    targets: dict[int, str] = {index: name for name, index in mapping.fields.items()}
    targets |= {index: f"{CUSTOM_PREFIX}{name}" for name, index in mapping.custom_fields.items()}
    fallbacks = set(mapping.phone_fallbacks)
    for index in range(len(mapping.headers)):
        if index in targets:
            lines.append(_entry(mapping, index, targets[index]))
            if targets[index] == "phone":  # fallbacks right after the phone, in the order they are tried
                lines += [_entry(mapping, i, PHONE_FALLBACK) for i in mapping.phone_fallbacks]
        elif index in fallbacks and "phone" not in mapping.fields:
            lines.append(_entry(mapping, index, PHONE_FALLBACK))
    labels = {label: index for index, label in mapping.phone_labels.items()}
    for index in sorted(labels):
        phone = _one_line(mapping.column(labels[index]))
        lines.append(f"# {_toml_str(_column_ref(mapping, index))}: the per-row label of {phone} (Mobile goes first)")
    for index in mapping.unmapped:
        target = mapping.suggestions.get(index, IGNORE)
        why = mapping.notes.get(index)
        lines.append(f"# {_entry(mapping, index, target)}   (not mapped{': ' + _one_line(why) if why else ''})")
    lines += ["", "# Run settings to pin (all optional): " + ", ".join(OPTION_KEYS) + "."]
    if options:
        lines.append("[options]")
        lines += [f"{key} = {_toml_str(value)}" for key, value in options.items()]
    else:
        lines += ["# [options]", '# default_region = "ES"', '# phone_format = "digits"']
    return "\n".join(lines) + "\n"


def _entry(mapping: Mapping, index: int, target: str) -> str:
    line = f"{_toml_str(_column_ref(mapping, index))} = {_toml_str(target)}"
    note = mapping.notes.get(index) if index not in mapping.unmapped else None
    return f"{line}   # {_one_line(note)}" if note else line


def _column_ref(mapping: Mapping, index: int) -> str:
    """The config key that finds this column again: its header, or "column N" when the header cannot."""
    header = mapping.headers[index]
    key = header_key(header)
    first = next(i for i, h in enumerate(mapping.headers) if header_key(h) == key)
    return header if key and first == index else f"column {index + 1}"


def _one_line(text: str) -> str:
    """Comment text: a header with a newline in it must not end the comment early."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


def _toml_str(text: str) -> str:
    """A TOML basic string (control characters escaped, as TOML requires)."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
