"""Columns read from their values when the headers do not say (or say something else).

A WhatsApp bulk-sender template (`Destinatario, Codigo_Pais, Numero, Remitente`) names the recipient's *name*
"Destinatario", a word the vocabulary knows as a phone header; a list with no header row has no headers at all.
Their values are unmistakable: the phone column is the one whose values parse as phone numbers (with
--default-region, the country column, or a column of calling codes such as 51 joined to the national number),
the name column the one of short person-like text. Only a sample of rows is read (importer.reading.table
.SAMPLE_ROWS), so a 1M-row file costs nothing more.

A header's choice stands unless its values contradict it: the phone column is replaced only when none of its
sampled values is a phone number; the name is looked for only when no column feeds it. A column pinned by a
config is never touched. What was inferred is kept in `Mapping.inferred` (column -> why) for the terminal, the
report and `importer mapping`; two columns that fit equally are kept in `Mapping.ambiguous`, and the run is
refused naming both (importer.mapping.hints.require_columns).

Sources too: a column goes to `source` only when its values are Callbell channel types (a Zoho export's
"Source" of `1` is a lead source, not a channel).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from importer.i18n.message import N_, Text
from importer.mapping.headers import CHANNEL_TYPES, is_error_column
from importer.mapping.model import Mapping
from importer.phones.numbers import normalize_phone, region_for
from importer.reading.cells import unneutralize

SHARE = 0.8  # of a column's sampled values that must fit for the column to be taken by its values
_CALLING_CODE = re.compile(r"^\+?\d{1,3}$")
_NAME_WORD = r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?"
_PERSON = re.compile(rf"^{_NAME_WORD}(?: {_NAME_WORD}){{0,4}}$")  # 1 to 5 words of letters: "Ana Ruiz", "M. O'Neil"
_PERSON_LENGTH = 60
SHOWN = 20  # characters of a value quoted in a reason


@dataclass(frozen=True)
class _Fit:
    index: int
    share: float  # of the column's non-empty sampled values that fit
    distinct: float  # of those, the share of distinct values: a sender repeated on every row is not a recipient
    count: int  # values that fit: a column filled on more rows is likelier the contact's
    example: str
    code: int | None = None  # the calling-code column joined to it

    @property
    def rank(self) -> tuple[float, float, int]:
        return (round(self.share, 2), round(self.distinct, 2), self.count)


def infer_from_values(
    mapping: Mapping,
    sample: Sequence[Sequence[str]],
    *,
    default_region: str | None = None,
    pinned: Collection[int] = (),
    channel_types: Collection[str] = (),
) -> None:
    """Complete `mapping` from the values of `sample` (the first rows): see the module's docstring."""
    if not sample:
        return
    columns = [
        [unneutralize(row[i]).strip() if i < len(row) else "" for row in sample] for i in range(len(mapping.headers))
    ]
    _check_source(mapping, columns, set(pinned), {*CHANNEL_TYPES, *(t.casefold() for t in channel_types)})
    inference = _Inference(mapping, columns, default_region, set(pinned))
    inference.phone()
    inference.name()


def _check_source(mapping: Mapping, columns: list[list[str]], pinned: set[int], types: set[str]) -> None:
    index = mapping.fields.get("source")
    if index is None or index in pinned:
        return
    wrong = [v for v in columns[index] if v and v.casefold() not in types]
    if wrong:
        del mapping.fields["source"]
        mapping.unmapped.append(index)
        mapping.unmapped.sort()
        mapping.notes[index] = N_(
            "its values (such as {value}) are not Callbell channel types ({types}): a lead source, not a channel",
            value=_quoted(wrong[0]),
            types=", ".join(CHANNEL_TYPES),
        )


class _Inference:
    def __init__(self, mapping: Mapping, columns: list[list[str]], region: str | None, pinned: set[int]) -> None:
        self.mapping = mapping
        self.columns = columns
        self.region = region
        self.pinned = pinned
        self.demoted: set[int] = set()  # the header's phone column, whose values are not phones: free for the name

    def free(self) -> list[int]:
        """Columns detection left unmapped for want of a header (not ignored by a config or an export's quirk)."""
        mapping = self.mapping
        return [
            i
            for i in mapping.unmapped
            if i not in self.pinned
            and i not in mapping.phone_labels.values()
            and not is_error_column(mapping.headers[i])  # rewritten by the errors file: never a field's values
            and (i in self.demoted or _free_note(mapping.notes.get(i)))
        ]

    # phone -----------------------------------------------------------------------------------------------------

    def phone(self) -> None:
        mapping = self.mapping
        current = mapping.fields.get("phone")
        # A pinned column, an empty sample (it says nothing against the header) and one valid number keep it.
        if current is not None and (
            current in self.pinned or not any(self.columns[current]) or self._fits_some(current)
        ):
            return
        codes = self._code_columns() if "country" not in mapping.fields else []
        candidates = [*([current] if current is not None else []), *mapping.phone_fallbacks, *self.free()]
        fits = [fit for i in dict.fromkeys(candidates) if i not in codes and (fit := self._phone_fit(i, codes))]
        fits = [f for f in fits if f.share >= SHARE and not self._constant(f)]
        if not fits:
            return
        fits.sort(key=lambda f: f.rank, reverse=True)
        if len(fits) > 1 and fits[0].rank == fits[1].rank:
            tied = [f.index for f in fits if f.rank == fits[0].rank]
            if current is None:
                mapping.ambiguous["phone"] = tied
            return
        best = fits[0]
        if current is not None and best.index != current:
            del mapping.fields["phone"]
            mapping.unmapped.append(current)
            mapping.notes[current] = N_(
                "its values (such as {value}) are not phone numbers", value=_quoted(self._example(current))
            )
            self.demoted.add(current)
        if best.index in mapping.phone_fallbacks:
            mapping.phone_fallbacks.remove(best.index)
        if best.index != current or best.code is None:
            why = N_(
                "{percent}% of the sampled values are phone numbers, such as {value}",
                percent=round(best.share * 100),
                value=_quoted(best.example),
            )
            self._take("phone", best.index, why)
        if best.code is not None:
            example = next(v for v in self.columns[best.code] if v)
            why = N_("calling codes, such as {value}, joined to the phone numbers", value=_quoted(example))
            self._take("country", best.code, why)

    def _fits_some(self, index: int) -> bool:
        return any(self._valid(raw, row) for row, raw in enumerate(self.columns[index]) if raw)

    def _phone_fit(self, index: int, codes: list[int]) -> _Fit | None:
        best: _Fit | None = None
        for code in [None, *codes]:
            values = [(row, raw) for row, raw in enumerate(self.columns[index]) if raw]
            if not values:
                return None
            valid = [ident for row, raw in values if (ident := self._valid(raw, row, code))]
            if not valid:
                continue
            example = next(raw for row, raw in values if self._valid(raw, row, code))
            fit = _Fit(index, len(valid) / len(values), len(set(valid)) / len(valid), len(valid), example, code)
            if best is None or fit.rank > best.rank:
                best = fit
        return best

    def _valid(self, raw: str, row: int, code: int | None = None) -> str | None:
        region = self.region
        country = self.mapping.fields.get("country")
        if code is not None:
            region = region_for(self.columns[code][row]) or region
        elif country is not None and self.columns[country][row]:
            region = region_for(self.columns[country][row]) or region
        return normalize_phone(raw, region).identifier

    def _code_columns(self) -> list[int]:
        """Free columns of calling codes (51, +34): joined to a national number they may make it a phone."""
        found = []
        for index in self.free():
            values = [v for v in self.columns[index] if v]
            if values and all(_CALLING_CODE.match(v) and region_for(v) for v in values):
                found.append(index)
        return found

    # name ------------------------------------------------------------------------------------------------------

    def name(self) -> None:
        mapping = self.mapping
        if "name" in mapping.fields or mapping.name_parts:
            return
        fits = []
        for index in self.free():
            values = [v for v in self.columns[index] if v]
            people = [v for v in values if len(v) <= _PERSON_LENGTH and _PERSON.match(v)]
            # A contact's name is on (nearly) every row, and some are full names: not a surname filled now and
            # then, nor a column of single words ("Madrid", "Gold").
            if len(values) < SHARE * len(self.columns[index]) or not any(" " in v for v in people):
                continue
            fit = _Fit(index, len(people) / len(values), len(set(people)) / len(people), len(people), people[0])
            if fit.share >= SHARE and not self._constant(fit):
                fits.append(fit)
        if not fits:
            return
        fits.sort(key=lambda f: f.rank, reverse=True)
        tied = [f.index for f in fits if f.rank == fits[0].rank]
        if len(tied) > 1:
            mapping.ambiguous["name"] = tied
            return
        best = fits[0]
        self._take("name", best.index, N_("short person-like text, such as {value}", value=_quoted(best.example)))

    # ----------------------------------------------------------------------------------------------------------

    def _constant(self, fit: _Fit) -> bool:
        """One value on every sampled row (a sender's name or number): not a contact's."""
        filled = sum(1 for v in self.columns[fit.index] if v)
        return filled >= 3 and len({v for v in self.columns[fit.index] if v}) == 1

    def _example(self, index: int) -> str:
        return next((v for v in self.columns[index] if v), "")

    def _take(self, field: str, index: int, why: Text) -> None:
        mapping = self.mapping
        if index in mapping.unmapped:
            mapping.unmapped.remove(index)
        mapping.notes.pop(index, None)
        mapping.suggestions.pop(index, None)
        mapping.fields[field] = index
        mapping.inferred[index] = why
        mapping.unmapped.sort()


def _free_note(note: Text | None) -> bool:
    # Detection's own reasons ("no header", a repeated header, a field another column feeds) leave a column free;
    # a config's "ignored" and an export's quirk ("Google Contacts labels ... are not Callbell tags") do not.
    return note is None or note == "no header"


def _quoted(value: str) -> str:
    return repr(value if len(value) <= SHOWN else value[: SHOWN - 1] + "…")
