"""What to say when a file has no phone or no name column: a few of its headers and how many more, the ones that
look like what is missing (a phone word of importer/data/headers.toml, or a close spelling of one: Dutch
"Mobiele telefoon"), and the --config line that would map the likeliest."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from importer.errors import InputError, capped
from importer.i18n.message import N_, Message, Text
from importer.mapping.columns import Mapping
from importer.mapping.config import MappingConfig
from importer.mapping.headers import NAME_PARTS, header_key, normalize_header, vocabulary
from importer.mapping.model import field_label
from importer.mapping.toml_text import toml_string

SHOWN = 15  # headers listed; the rest are counted
SUGGESTED = 3
CLOSE = 0.8  # difflib ratio for a word to count as a misspelling of a phone word ("telefoon", "mobiele")
CLOSE_NAME = 0.75  # ...and of a name header ("Naam", "Voornaam")
_NOT_A_PHONE = 4  # rank of a phone-looking header whose other words say it is someone else's number


def require_columns(path: Path | str, mapping: Mapping, config: MappingConfig | None = None) -> None:
    """An InputError when no column feeds the phone or the name, saying which headers could (and, when the run
    has a config file, that it goes there). `path` names the input: a path, or a URL without its secrets."""
    if "phone" not in mapping.fields:
        raise InputError(ambiguous_column(path, mapping, "phone") or missing_column(path, mapping, "phone", config))
    if "name" not in mapping.fields and not mapping.name_parts:
        raise InputError(ambiguous_column(path, mapping, "name") or missing_column(path, mapping, "name", config))


def ambiguous_column(path: Path | str, mapping: Mapping, field: str) -> Message | None:
    """`FILE: no phone column by its header, and 'column 2' and 'column 3' both hold phone numbers: …`, when the
    values fit two columns equally (importer.mapping.inference); None otherwise."""
    tied = mapping.ambiguous.get(field)
    if not tied:
        return None
    what = _HOLD.get(field, field)
    names = [repr(mapping.column(i)) for i in tied]
    listed = N_("{names} and {last}", names=capped(names[:-1]), last=names[-1]) if len(names) <= 6 else capped(names)
    entry = f"{toml_string(mapping.config_key(tied[0]))} = {toml_string(field)}"
    return N_(
        "{file}: no {field} column by its header, and {columns} both hold {what}: to choose one, put"
        " columns = {{ {entry} }} in a file and add --config FILE",
        file=str(path),
        field=field_label(field),
        columns=listed,
        what=what,
        entry=entry,
    )


def missing_column(path: Path | str, mapping: Mapping, field: str, config: MappingConfig | None = None) -> Message:
    """`FILE: no phone column (columns found: …)`, then the look-alikes and the config line that maps one."""
    message = N_(
        "{file}: no {field} column (columns found: {columns})",
        file=str(path),
        field=field_label(field),
        columns=headers_found(mapping.headers),
    )
    found = phone_look_alikes(mapping) if field == "phone" else name_look_alikes(mapping)
    if not found:
        return message
    names = [repr(mapping.column(s.index)) for s in found]
    listed: Text = names[0] if len(names) == 1 else N_("{names} or {last}", names=", ".join(names[:-1]), last=names[-1])
    best = found[0]
    entry = f"{toml_string(mapping.config_key(best.index))} = {toml_string(best.target)}"
    if config is not None and config.path is not None:
        template = _ADD_TO_CONFIG[len(found) == 1]
        return template.with_params(message=message, candidates=listed, entry=entry, config=str(config.path))
    return _PUT_IN_A_FILE[len(found) == 1].with_params(message=message, candidates=listed, entry=entry)


_HOLD = {"phone": N_("phone numbers"), "name": N_("short person-like text")}
# {one look-alike: the wording for it, else for the first of several}
_ADD_TO_CONFIG = {
    True: N_("{message}; {candidates} may be one: to use it, add {entry} to [columns] in {config}"),
    False: N_("{message}; {candidates} may be one: to use the first, add {entry} to [columns] in {config}"),
}
_PUT_IN_A_FILE = {
    True: N_(
        "{message}; {candidates} may be one: to use it, put columns = {{ {entry} }} in a file and add --config FILE"
    ),
    False: N_(
        "{message}; {candidates} may be one: to use the first, put columns = {{ {entry} }} in a file and add"
        " --config FILE"
    ),
}


def headers_found(headers: list[str]) -> Text:
    return capped([repr(h) for h in headers], SHOWN) if headers else N_("none")


@dataclass(frozen=True)
class LookAlike:
    index: int  # the column
    target: str  # the field to map it to
    order: tuple[float, ...]  # smaller first


def phone_look_alikes(mapping: Mapping) -> list[LookAlike]:
    """Unmapped columns whose header has a phone word, or a close spelling of one, mobile ones first."""
    words = vocabulary()
    phone_words = words.phone_words | words.mobile_words | words.whatsapp_words
    known = phone_words | words.landline_words | words.filler_words
    spellings = {header_key(s) for s in words.synonyms()["phone"]}
    found = []
    for index in _candidates(mapping):
        header = mapping.headers[index]
        corrected = [_closest(word, known) for word in normalize_header(header).split()]
        close_key = difflib.get_close_matches(header_key(header), spellings, n=1, cutoff=CLOSE)
        if not (set(corrected) & phone_words or close_key):
            continue
        rank = words.phone_rank(corrected)
        order = (_NOT_A_PHONE if rank is None else rank, index in mapping.notes, index)
        found.append(LookAlike(index, "phone", order))
    return sorted(found, key=lambda s: s.order)[:SUGGESTED]


def name_look_alikes(mapping: Mapping) -> list[LookAlike]:
    """Unmapped columns whose header is close to a spelling of the name or a name part, the closest first."""
    fields = ("name", *NAME_PARTS)
    by_key = {header_key(s): f for f, spellings in vocabulary().synonyms().items() if f in fields for s in spellings}
    found = []
    for index in _candidates(mapping):
        key = header_key(mapping.headers[index])
        scored = [(difflib.SequenceMatcher(None, key, k).ratio(), f) for k, f in by_key.items()]
        ratio, field = max(scored, default=(0.0, "name"))
        if ratio >= CLOSE_NAME:
            found.append(
                LookAlike(index, field, (-round(ratio, 2), index in mapping.notes, fields.index(field), index))
            )
    return sorted(found, key=lambda s: s.order)[:SUGGESTED]


def _candidates(mapping: Mapping) -> list[int]:
    return [i for i in mapping.unmapped if header_key(mapping.headers[i])]


def _closest(word: str, known: frozenset[str]) -> str:
    if word in known or len(word) < 3:
        return word
    # The same first letter too: "isdn" is not a misspelling of "msisdn".
    close = difflib.get_close_matches(word, [k for k in known if len(k) >= 3 and k[0] == word[0]], n=1, cutoff=CLOSE)
    return close[0] if close else word
