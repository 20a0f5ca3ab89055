"""The mapping a file's columns get: which column feeds which contact field (importer.mapping.columns builds it,
importer.mapping.inference completes it from the values)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from importer.i18n.message import N_, Message, Text, english
from importer.mapping.headers import NAME_PARTS, header_key, vocabulary

_GOOGLE_MULTI = " ::: "  # Google Contacts joins several values of one cell with this


@dataclass
class Mapping:
    """Which column feeds what. Every column is in exactly one place: a field, a custom field, the phone
    fallbacks, the phone labels (as a label column), `same_header` or `unmapped`."""

    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)  # contact field -> column index
    custom_fields: dict[str, int] = field(default_factory=dict)  # account custom field name -> column index
    unmapped: list[int] = field(default_factory=list)  # column indexes that feed nothing, in column order
    phone_fallbacks: list[int] = field(default_factory=list)  # tried in order when the phone cell is empty
    phone_labels: dict[int, int] = field(default_factory=dict)  # phone column -> its per-row label column
    # A repeated header (Invoice Ninja's "Phone" twice): later column -> the first, whose field it fills on a row
    # where the first is empty. Phone columns repeated are phone fallbacks instead.
    same_header: dict[int, int] = field(default_factory=dict)
    # For the person only (not compared): the export recognized, and why a column is (not) mapped.
    layout: str | None = field(default=None, compare=False)
    notes: dict[int, Text] = field(default_factory=dict, compare=False)  # Messages: str() is English
    suggestions: dict[int, str] = field(default_factory=dict, compare=False)  # unmapped column -> likely target
    # Read from the values (importer.mapping.inference): column -> why; and field -> columns that fit it equally.
    inferred: dict[int, Text] = field(default_factory=dict, compare=False)
    ambiguous: dict[str, list[int]] = field(default_factory=dict, compare=False)

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

    def config_key(self, index: int) -> str:
        """The [columns] key that finds this column again: its header, or "column N" when the header cannot."""
        key = header_key(self.headers[index])
        first = next(i for i, h in enumerate(self.headers) if header_key(h) == key)
        return self.headers[index] if key and first == index else f"column {index + 1}"

    def phone_columns(self) -> list[int]:
        return ([self.fields["phone"]] if "phone" in self.fields else []) + self.phone_fallbacks

    def phone_candidates(self, values: Sequence[str]) -> list[tuple[int, str]]:
        """A row's non-empty phone numbers, best first, each with its column.

        Order: the phone column, then the fallbacks; but a number whose label cell on this row says
        Mobile/WhatsApp (Google Contacts' "Phone 2 - Label") comes before unlabelled or landline ones.
        A Google cell holding several numbers ("+34 600 ::: +34 911") gives one candidate per number.
        """
        ranked: list[tuple[int, int, int, str]] = []
        words = vocabulary()
        for order, index in enumerate(self.phone_columns()):
            numbers = _split_multi(values[index] if index < len(values) else "")
            label_index = self.phone_labels.get(index)
            labels = _split_multi(values[label_index]) if label_index is not None and label_index < len(values) else []
            for k, number in enumerate(numbers):
                label = labels[k] if k < len(labels) else (labels[0] if len(labels) == 1 else "")
                mobile = words.is_mobile_label(label)
                ranked.append((0 if mobile else 1, order, index, number))
        ranked.sort(key=lambda r: (r[0], r[1]))  # stable: numbers of one cell keep their order
        return [(index, number) for _, _, index, number in ranked]

    def describe(self) -> list[str]:
        """One line per used column, in column order, in English: "Mobile Phone -> phone"."""
        return [f"{self.column(i)} -> {english(what)}" for i, what in self.uses()]

    def uses(self) -> list[tuple[int, Text]]:
        """What each used column feeds, in column order, for a person (a Message: rendered in the run's
        language): (3, "phone"), (5, "phone, if the ones before are empty (fallback 1)")."""
        lines: list[tuple[int, Text]] = [(i, field_label(name)) for name, i in self.fields.items()]
        lines += [
            (i, N_("phone, if the ones before are empty (fallback {n})", n=n))
            for n, i in enumerate(self.phone_fallbacks, 1)
        ]
        lines += [
            (lab, N_("label of {header} (a mobile label goes first)", header=self.column(i)))
            for i, lab in self.phone_labels.items()
        ]
        lines += [(i, N_("custom field {name!r}", name=name)) for name, i in self.custom_fields.items()]
        lines += [
            (i, N_("{target}, if {header} is empty", target=self._target_label(first), header=self.column(first)))
            for i, first in self.same_header.items()
        ]
        return sorted(lines, key=lambda line: line[0])

    def target(self, index: int) -> str:
        """What a column feeds, as the mapping config names it: "phone", "cf:Status", "" when nothing."""
        found = [name for name, i in self.fields.items() if i == index]
        found += [f"cf:{name}" for name, i in self.custom_fields.items() if i == index]
        return found[0] if found else ""

    def _target_label(self, index: int) -> Text:
        found: list[Text] = [field_label(name) for name, i in self.fields.items() if i == index]
        found += [N_("custom field {name!r}", name=name) for name, i in self.custom_fields.items() if i == index]
        return found[0] if found else N_("nothing")


# The contact fields as a person reads them ("first name"); the config and the results name them as FIELDS does.
_FIELD_LABELS: dict[str, Message] = {
    "name": N_("name"),
    "first_name": N_("first name"),
    "middle_name": N_("middle name"),
    "last_name": N_("last name"),
    "second_last_name": N_("second last name"),
    "phone": N_("phone"),
    "country": N_("country"),
    "tags": N_("tags"),
    "assigned_user": N_("assigned user"),
    "team": N_("team"),
    "note": N_("note"),
    "source": N_("source"),
    "bot_status": N_("bot status"),
    "channel": N_("channel"),
}


def field_label(name: str) -> Text:
    """A contact field as a person reads it, a Message: "first name" (str() is English)."""
    return _FIELD_LABELS.get(name, name.replace("_", " "))


def _split_multi(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(_GOOGLE_MULTI) if part.strip()]
