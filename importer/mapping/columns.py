"""Map spreadsheet columns to Callbell contact fields: by their headers, or as a config file pins them.

Detection reads headers with the vocabulary of importer.mapping.headers (English, Spanish, Portuguese, Italian,
French and German; the usual contact and CRM exports) so those import with no configuration. A config file
(importer.mapping.config; `importer mapping FILE > importer.toml` writes one) overrides detection column by
column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from importer.account.model import Account
from importer.errors import ConfigError
from importer.i18n.message import N_, Message, Text
from importer.mapping.config import COLUMN_REF, CUSTOM_PREFIX, PHONE_FALLBACK, MappingConfig, parse_target
from importer.mapping.headers import (
    LANDLINE_RANK,
    NAME_PARTS,
    Layout,
    header_key,
    normalize_header,
    vocabulary,
)
from importer.mapping.inference import infer_from_values
from importer.mapping.model import Mapping, field_label
from importer.mapping.values import not_a_custom_field

__all__ = ["Mapping", "build_mapping", "detect_mapping"]  # Mapping lives in importer.mapping.model

_PHONE_VALUE = re.compile(r"^(phone \d+) value$")
_UNLISTED = N_("not in the config (auto = false)")
_IGNORED = N_("ignored by the config")
_FIRST_NAME_NOTE = N_("the first name: the file has a last-name column")
_LAST_NAME_NOTE = N_("the last name: the file has a first-name column")
# Why a known export's look-alike column is left out (importer/data/headers.toml, [[layouts]] ignore): the data's
# English text -> the same as a message, so that it is said in the run's language (tests/mapping check the keys).
_LAYOUT_REASONS = {
    str(m): m
    for m in (
        N_('Google Contacts groups (such as "* myContacts") are not Callbell tags'),
        N_('Google Contacts labels (such as "* myContacts") are not Callbell tags'),
        N_("Outlook's manager's name, not the contact's owner"),
        N_("Mailchimp's REGION is the subscriber's state or province, not a country"),
    )
}


# --- building a mapping --------------------------------------------------------------------------------------


def detect_mapping(headers: Sequence[str], account: Account | None) -> Mapping:
    """The mapping detection alone gives: no config."""
    return build_mapping(headers, account, None)


def build_mapping(
    headers: Sequence[str],
    account: Account | None,
    config: MappingConfig | None = None,
    sample: Sequence[Sequence[str]] = (),
    default_region: str | None = None,
) -> Mapping:
    """Map `headers`: the config's entries first, then (unless `auto = false`) detection for the rest, by the
    headers and then by the values of `sample` (the first rows' cells; see importer.mapping.inference), whose
    phones are read with `default_region`.

    `account` None means "unknown" (no account file): custom fields are then matched only by `cf:`.
    """
    builder = _Builder(list(headers), account, config)
    if config is not None:
        builder.apply_config(config)
    if config is None or config.auto:
        builder.detect()
    mapping = builder.finish()
    if config is None or config.auto:
        types = [c.type for c in account.channels] if account is not None else []
        infer_from_values(mapping, sample, default_region=default_region, pinned=builder.pinned, channel_types=types)
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
        self.vocabulary = vocabulary()
        # The export recognized: named for the person; its look-alike columns (Google's Labels) stay unmapped.
        self.layout: Layout | None = self.vocabulary.layout(set(self.keys))
        self.mapping = Mapping(headers=list(headers), layout=self.layout.name if self.layout else None)
        self.done: set[int] = set()  # columns settled (mapped, fallback, ignored, unmapped)
        self.from_config: dict[str, str] = {}  # target -> config entry, to name both sides of a conflict
        self.pinned: set[int] = set()  # columns the config names: never re-read from their values
        self.repeated: list[int] = []  # columns whose header repeats an earlier one's
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
                raise ConfigError(N_('{where}: the same column as "{entry}"', where=where, entry=entry_of[index]))
            entry_of[index] = entry
            self.pinned.add(index)
            kind, name = parse_target(target, where)
            if kind == "custom":
                name = self._custom_name(name, where)
                taken = f"{CUSTOM_PREFIX}{name}"
            else:
                taken = name
            if kind in ("field", "custom") and taken in self.from_config:
                raise ConfigError(
                    N_(
                        '{where}: "{entry}" already feeds {target}',
                        where=where,
                        entry=self.from_config[taken],
                        target=target.strip(),
                    )
                )
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
                self.mapping.notes[index] = _IGNORED

    def _resolve(self, entry: str, where: str) -> int:
        key = header_key(entry)
        if key and key in self.first_of_key:  # a real header wins over the "column N" spelling
            return self.first_of_key[key]
        match = COLUMN_REF.match(normalize_header(entry))
        if match and 1 <= int(match.group(1)) <= len(self.headers):
            return int(match.group(1)) - 1
        close = difflib.get_close_matches(entry, [h for h in self.headers if h.strip()], n=1, cutoff=0.6)
        if close:
            raise ConfigError(
                N_('{where}: no such column in the file (did you mean "{header}"?)', where=where, header=close[0])
            )
        raise ConfigError(N_("{where}: no such column in the file", where=where))

    def _custom_name(self, name: str, where: str) -> str:
        if self.account is None:  # no account file: cannot check, validation will
            return name
        known = self.custom_by_key.get(header_key(name))
        if known is None:
            raise not_a_custom_field(where, name, self.account)
        return known

    # detection ---------------------------------------------------------------------------------------------

    def detect(self) -> None:
        by_target: dict[str, list[tuple[int, int]]] = {}  # target -> [(rank, column)]
        for index, header in enumerate(self.headers):
            if index in self.done:
                continue
            key = self.keys[index]
            if not key:
                self._unmap(index, N_("no header") if not header.strip() else None)
                continue
            first = self.first_of_key[key]
            if first != index:
                self.repeated.append(index)  # settled once the first is: it feeds what the first feeds
                continue
            found = self._classify(index)
            if found is None:
                self._unmap(index, None)
                continue
            target, rank = found
            if self.layout is not None and key in self.layout.ignore:
                why = self.layout.ignore[key]
                self._unmap(index, _LAYOUT_REASONS.get(why, why), target)
                continue
            by_target.setdefault(target, []).append((rank, index))

        self._detect_phone(sorted(by_target.pop("phone", [])))
        self._detect_name(by_target)
        for target, candidates in by_target.items():
            self._take_best(target, sorted(candidates))
        for index in self.repeated:
            self._repeat(index)

    def _repeat(self, index: int) -> None:
        """A header seen before: both are read, the first non-empty per row wins (a phone: as a fallback)."""
        first = self.first_of_key[self.keys[index]]
        mapping = self.mapping
        if mapping.fields.get("phone") == first or first in mapping.phone_fallbacks:
            at = mapping.phone_fallbacks.index(first) + 1 if first in mapping.phone_fallbacks else 0
            mapping.phone_fallbacks.insert(at, index)
            self.done.add(index)
        elif first in mapping.fields.values() or first in mapping.custom_fields.values():
            mapping.same_header[index] = first
            self.done.add(index)
        else:
            self._unmap(index, N_("same header as column {column}", column=str(first + 1)), self._target_of(first))

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
        if self.layout is not None and key in self.layout.phones:  # Italian Outlook's "Ufficio", Spanish "Particular"
            return "phone", LANDLINE_RANK
        # As written first ("Téléphone (bureau)" says where), then without decorations ("Name* (s.name)").
        for text in self.vocabulary.readings(header):
            found = self._classify_words(text)
            if found is not None:
                return found
        return None

    def _classify_words(self, header: str) -> tuple[str, int] | None:
        key = header_key(header)
        if key in self.custom_by_key:
            return f"{CUSTOM_PREFIX}{self.custom_by_key[key]}", 0
        words = normalize_header(header).split()
        field_name = self.vocabulary.lookup.get(key)
        if field_name == "phone":
            rank = self.vocabulary.phone_rank(words)
            return "phone", 2 if rank is None else rank  # "identifier", "numero", "destinatario": generic
        if field_name is not None:
            return field_name, 0
        rank = self.vocabulary.phone_rank(words)
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
        firsts = parts["first_name"] + [fields[p] for p in ("first_name",) if p in fields]
        lasts = [i for p in ("last_name", "second_last_name") for i in parts[p] + ([fields[p]] if p in fields else [])]
        clear = [i for i in names if self.keys[i] not in self.vocabulary.ambiguous]
        ambiguous = [i for i in names if self.keys[i] in self.vocabulary.ambiguous]
        if ambiguous and not clear and bool(firsts) != bool(lasts):
            # The other half of a name is there: "Nombre" + "Apellidos" -> first name, "Prénom" + "Nom" -> last.
            key = self.keys[ambiguous[0]]
            part = self.vocabulary.ambiguous_part(key, [self.keys[i] for i in firsts], [self.keys[i] for i in lasts])
            if part is not None:
                parts[part] = [ambiguous.pop(0)]
                names.remove(parts[part][0])
        chosen = None if config_parts else (clear or ambiguous or [None])[0]
        if chosen is not None:
            # An explicit full name beats first + last; the parts stay listed, never silently dropped.
            self._map("name", chosen)
            self._unmap_all([i for i in names if i != chosen], self._used_for("name"))
            for part, cols in parts.items():
                self._unmap_all(cols, self._used_for("name"), part)
            return
        why = N_("the config maps the name parts") if config_parts else None
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
            self._unmap(
                index, N_('"{header}" feeds {target}', header=self.headers[taken[name]], target=_label(target)), target
            )

    def _quirk(self, quirk: str) -> bool:
        return self.layout is not None and quirk in self.layout.quirks

    def _map(self, field_name: str, index: int) -> None:
        self.mapping.fields[field_name] = index
        self.done.add(index)

    def _unmap(self, index: int, why: Text | None, target: str | None = None) -> None:
        self.mapping.unmapped.append(index)
        self.done.add(index)
        if why:
            self.mapping.notes[index] = why
        if target:
            self.mapping.suggestions[index] = target

    def _unmap_all(self, columns: Iterable[int], why: Text, target: str | None = None) -> None:
        for index in columns:
            self._unmap(index, why, target or self._target_of(index))

    def _used_for(self, field_name: str) -> Message:
        header = self.headers[self.mapping.fields[field_name]]
        return N_('"{header}" feeds the {target}', header=header, target=_label(field_name))

    def _target_of(self, index: int) -> str | None:
        found = self._classify(index) if self.keys[index] else None
        return found[0] if found else None

    # the end -----------------------------------------------------------------------------------------------

    def finish(self) -> Mapping:
        mapping = self.mapping
        if self.config is not None and not self.config.auto:
            for index in range(len(self.headers)):
                first = self.first_of_key.get(self.keys[index], index) if self.keys[index] else index
                if index not in self.done and first != index and first in self.done:
                    self._repeat(index)  # a repeated header is read with its first, listed or not
                if index not in self.done:
                    mapping.unmapped.append(index)
                    mapping.notes.setdefault(index, _UNLISTED)
        if mapping.phone_fallbacks and "phone" not in mapping.fields:
            assert self.config is not None  # detection always fills phone before fallbacks
            entry = next(e for e, t in self.config.columns.items() if parse_target(t, "")[0] == "fallback")
            raise ConfigError(
                N_("{where}: phone_fallback needs another column mapped to phone", where=self.config.where(entry))
            )
        self._link_phone_labels()
        for part, note in (("first_name", _FIRST_NAME_NOTE), ("last_name", _LAST_NAME_NOTE)):
            index = mapping.fields.get(part)
            if index is not None and part in self.vocabulary.ambiguous.get(self.keys[index], {}):  # config too
                mapping.notes.setdefault(index, note)
        if self._quirk("owner_names") and "assigned_user" in mapping.fields:
            index = mapping.fields["assigned_user"]
            why = N_("{layout} writes the owner's name: rows are checked against user emails", layout=mapping.layout)
            mapping.notes.setdefault(index, why)
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
                if label is not None and label in mapping.unmapped and mapping.notes.get(label) != _IGNORED:
                    mapping.unmapped.remove(label)
                    mapping.notes.pop(label, None)
                    mapping.suggestions.pop(label, None)
                    mapping.phone_labels[index] = label
                    break


def _label(target: str) -> Text:
    if target.startswith(CUSTOM_PREFIX):
        return N_("custom field {name!r}", name=target[len(CUSTOM_PREFIX) :])
    return field_label(target)
