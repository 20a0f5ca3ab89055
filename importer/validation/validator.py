"""Turn a mapped row into a Callbell contact payload, or into the list of everything wrong with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from importer.account.model import Account, CustomField
from importer.i18n.message import N_, Text
from importer.mapping.columns import Mapping
from importer.mapping.headers import CHANNEL_TYPES, FIELDS, PHONE_CHANNELS
from importer.mapping.values import ValueRules
from importer.options import default
from importer.phones.numbers import PhoneFormat, normalize_phone, region_for
from importer.reading.cells import unneutralize
from importer.reading.files import SourceRow
from importer.validation.problems import Problem

# custom_value and parse_date: callers import them from here.
from importer.validation.values import custom_value, custom_value_checked, parse_date, split_list  # noqa: F401

NOTE_LIMIT = 1000
BOT_STATUSES = ("bot_start", "bot_end")
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")


@dataclass(frozen=True)
class Options:
    # The defaults of the options table (importer.options).
    default_region: str | None = default("default_region")
    phone_format: PhoneFormat = default("phone_format")
    default_source: str = default("source")
    values: ValueRules = field(default_factory=ValueRules)  # [values] / [unknown], resolved against the account


@dataclass(slots=True)  # one per row: slots make it quicker to build and to read
class Draft:
    """One input row after validation: a payload to send, or the problems that keep it back.

    `warnings` are what was changed or dropped on a row that is still sent."""

    row: int
    identifier: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    phone_raw: str = ""  # the cell the identifier was read from, for before/after examples
    phone_column: str = ""
    # No identifier could be read: the digits of the phone cells, space separated (--on-missing compares them with
    # the contacts it knows, so that a key written in a new format does not make its contact missing).
    phone_digits: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> list[str]:
        return [p.text for p in self.problems]


# The account lists each field is checked against, and the problem kind when a value is not in it.
_LOOKUP_KINDS = {"tags": "unknown_tag", "assigned_user": "unknown_user", "team": "unknown_team"}
_LOOKUP_KINDS["channel"] = "unknown_channel"


class Validator:
    """Checks rows against the account; built once per run (and per process) so lookups are dictionaries."""

    def __init__(self, account: Account, mapping: Mapping, options: Options) -> None:
        self.account = account
        self.mapping = mapping
        self.options = options
        self.rules = options.values
        self._tags = {t.casefold(): t for t in account.tags}
        self._users = {u.casefold(): u for u in account.all_users}
        self._teams = {t.name.casefold(): t.uuid for t in account.teams} | {t.uuid: t.uuid for t in account.teams}
        self._channels = {c.title.casefold(): c.uuid for c in account.channels} | {
            c.uuid: c.uuid for c in account.channels
        }
        self._at = {name: mapping.fields.get(name) for name in FIELDS}
        self._name_parts = mapping.name_parts
        # One phone column and no per-row labels (most files): read the cell, skip the ranking.
        self._single_phone = not mapping.phone_fallbacks and not mapping.phone_labels
        self._custom = [(name, index, account.custom_fields.get(name)) for name, index in mapping.custom_fields.items()]
        # Columns as problems name them, once: Mapping.column normalizes headers, too slow to call per row.
        self._columns = [mapping.column(i) for i in range(len(mapping.headers))]
        self._channel_types = {*CHANNEL_TYPES, *(c.type.casefold() for c in account.channels)}
        self._same_header = sorted(mapping.same_header.items())  # (later, first), in column order
        # Where each field reads in the row's cleaned cells; -1 is the empty cell appended for unmapped fields.
        self._cell = {name: -1 if index is None else index for name, index in self._at.items()}
        # A column's values repeat (the same tags, users, options, countries on many rows): each distinct value is
        # looked up once, its value and problems (frozen) reused. Bounded, so memory stays flat on any file.
        self._regions: dict[str, str | None] = {}
        self._lookups = [
            (self._cell[name], key, {}, partial(self._lookup_one, name, lookup))
            for name, key, lookup in (
                ("assigned_user", "assigned_user", self._users),
                ("team", "team_uuid", self._teams),
                ("channel", "channel_uuid", self._channels),
            )
        ]
        self._tag_memo: _Memo = {}
        self._customs = [
            (name, index, spec, {}, None if spec is None else partial(self._custom_value, spec, index=index))
            for name, index, spec in self._custom
        ]
        # A text custom field with no [values] table sends the cell as it is: nothing to look up.
        self._plain_text = {
            index
            for _, index, spec in self._custom
            if spec is not None and spec.type == "text" and not (self.rules and self.rules.maps.get(f"cf:{spec.name}"))
        }

    def check(self, row: SourceRow) -> Draft:
        draft = Draft(row=row.number)
        problems, payload = draft.problems, draft.payload
        values = row.values
        if self._same_header:
            values = _fill_repeated(values, self._same_header)
        at = self._at
        column = self._columns.__getitem__
        # Every cell as validation reads it, once per row: stripped after unneutralize (the errors file writes
        # "\tAna" as "'\tAna", which must read as "Ana" too); the empty cell last, for unmapped fields.
        cells = list(map(str.strip, values))
        if "\x1f'" in "\x1f" + "\x1f".join(values):  # a cell starting with a quote: one of ours, maybe
            cells = [unneutralize(v).strip() if v[:1] == "'" else v.strip() for v in values]
        cells.append("")
        cell = self._cell

        if row.extra:
            n = len(row.extra)
            message = N_("row has {n} more cell(s) than the header has columns", n=n)
            problems.append(Problem("extra_cells", "", message))

        name = cells[cell["name"]] or " ".join(p for p in (cells[i] for i in self._name_parts) if p)
        if not name:
            columns = [column(at["name"])] if at["name"] is not None else [column(i) for i in self._name_parts]
            problems.append(Problem("name_required", " / ".join(columns) or "name", _NAME_REQUIRED))
        payload["name"] = name

        written = cells[cell["source"]]
        source = (written or self.options.default_source).casefold()
        payload["source"] = source
        if source not in self._channel_types:
            # A CRM's lead source ("1", "Web") is not a channel: the row is refused, and its phone still checked
            # as a WhatsApp number (never sent as typed because of a source that means something else).
            detail = f"{written or source!r} is not a Callbell channel type ({', '.join(CHANNEL_TYPES)})"
            col = column(at["source"]) if written and at["source"] is not None else "source"
            problems.append(Problem("bad_source", col, "not a channel type", written or source, None, detail))
            source = PHONE_CHANNELS[0]
        if at["phone"] is not None:
            self._check_phone(values, cells, cells[cell["country"]], source, draft)

        if raw_tags := cells[cell["tags"]]:
            payload["tags"] = list(_memoized(self._tag_memo, raw_tags, self._tag_list, draft))
        for index, key, memo, lookup in self._lookups:
            if raw := cells[index]:
                found = _memoized(memo, raw, lookup, draft)
                if found is not None:
                    payload[key] = found
        if bot := cells[cell["bot_status"]]:
            status = bot.casefold().replace(" ", "_")
            if status not in BOT_STATUSES:
                message = N_("{value!r} is not one of {choices}", value=bot, choices=", ".join(BOT_STATUSES))
                problems.append(
                    Problem("bad_bot_status", column(at["bot_status"]), _NOT_BOT_STATUS, bot, None, message)
                )  # type: ignore[arg-type]
            else:
                payload["bot_status"] = status
        if note := cells[cell["note"]]:
            if len(note) > NOTE_LIMIT:
                message = N_(
                    "note is {length} characters, the limit is {limit}", length=str(len(note)), limit=str(NOTE_LIMIT)
                )
                problems.append(Problem("note_too_long", column(at["note"]), _NOTE_TOO_LONG, detail=message))
            payload["note"] = note

        custom: dict[str, Any] = {}
        plain_text = self._plain_text
        for field_name, index, _, memo, compute in self._customs:
            raw = cells[index]
            if not raw:
                continue
            if compute is None:
                message = N_("{field!r} is not a custom field of the account", field=field_name)
                problems.append(Problem("unknown_custom_field", column(index), message))
                continue
            value = raw if index in plain_text else _memoized(memo, raw, compute, draft)
            if value is not None:
                custom[field_name] = list(value) if type(value) is list else value
        if custom:
            payload["custom_fields"] = custom
        return draft

    def _tag_list(self, raw_tags: str, draft: Draft) -> list[str]:
        tags: list[str] = []
        for tag in self._known("tags", split_list(raw_tags), self._tags, draft):
            if tag not in tags:
                tags.append(tag)
        return tags

    def _lookup_one(self, field_name: str, lookup: dict[str, str], raw: str, draft: Draft) -> str | None:
        found = self._known(field_name, [raw], lookup, draft)
        return found[0] if found else None

    def _known(self, field_name: str, raws: list[str], lookup: dict[str, str], draft: Draft) -> list[str]:
        """The account's spelling of each value, after [values] translation; unknown values become a problem,
        or (with [unknown] ... = "drop") a warning and are left out."""
        out: list[str] = []
        col = self._columns[self._at[field_name]]  # type: ignore[index]
        for raw in raws:
            if not raw:
                continue
            translated = self.rules.translate(field_name, raw) if self.rules else None
            if translated == "":
                continue  # mapped to "" in [values]: dropped on purpose
            for value in _LIST_SPLIT.split(translated) if translated and field_name == "tags" else [translated or raw]:
                known = lookup.get(value.casefold()) or lookup.get(value)
                if known is not None:
                    out.append(known)
                    continue
                kind = _LOOKUP_KINDS[field_name]
                detail = _UNKNOWN_TEXT[field_name](value)
                if self.rules and self.rules.policy(field_name) == "drop":
                    draft.warnings.append(
                        Problem(
                            "value_dropped",
                            col,
                            _UNKNOWN_WHAT[field_name],
                            value,
                            field_name,
                            N_('{detail}: dropped ([unknown] {key} = "drop")', detail=detail, key=field_name),
                            "warning",
                        )  # fmt: skip
                    )
                else:
                    draft.problems.append(Problem(kind, col, _UNKNOWN_MESSAGE[field_name], value, field_name, detail))
        return out

    def _custom_value(self, spec: CustomField, raw: str, draft: Draft, *, index: int) -> Any:
        target = f"cf:{spec.name}"
        rules = self.rules
        if rules and (table := rules.maps.get(target)):
            if spec.type == "checkbox":
                items = []
                for item in split_list(raw):
                    translated = table.get(item.casefold())
                    if translated != "":
                        items.append(translated if translated is not None else item)
                if not items:
                    return None
                raw = ", ".join(items)
            else:
                translated = table.get(raw.casefold())
                if translated == "":
                    return None
                raw = translated if translated is not None else raw
        value, error, bad = custom_value_checked(spec, raw)
        if error is None:
            return value
        col = self._columns[index]
        kind = _TYPE_KINDS.get(spec.type, "unknown_option")
        grouped = bad if kind == "unknown_option" else None
        message = (
            N_("not an option of {field!r}", field=spec.name) if kind == "unknown_option" else _TYPE_MESSAGES[kind]
        )
        if rules and rules.policy(target) == "drop":
            draft.warnings.append(
                Problem(
                    "value_dropped",
                    col,
                    N_("{message}: dropped", message=message),
                    grouped,
                    target,
                    N_('{detail}: dropped ([unknown] {key} = "drop")', detail=error, key='"' + target + '"'),
                    "warning",
                )  # fmt: skip
            )
            return None
        draft.problems.append(Problem(kind, col, message, grouped, target if grouped else None, error))
        return None

    def _check_phone(self, values: tuple[str, ...], cells: list[str], country: str, source: str, draft: Draft) -> None:
        mapping = self.mapping
        phone_at: int = mapping.fields["phone"]
        if self._single_phone:
            raw = cells[phone_at]
            candidates = [(phone_at, raw)] if raw else []
        else:
            # Whole cells first ("'\t" is empty, as "\t" is), then each number of a multi-value cell.
            unquoted = [unneutralize(v) for v in values]
            candidates = [(i, c) for i, v in mapping.phone_candidates(unquoted) if (c := unneutralize(v).strip())]
        if not candidates:
            draft.problems.append(Problem("phone_required", self._columns[phone_at], _PHONE_REQUIRED))
            return
        if source not in PHONE_CHANNELS:
            draft.identifier = candidates[0][1]  # other channels identify contacts by their own handles
            draft.payload["identifier"] = draft.identifier
            return
        region = self.options.default_region
        if country:
            region = self._regions.get(country, _UNSET)
            if region is _UNSET:
                region = region_for(country)
                if len(self._regions) < _MEMO_LIMIT:
                    self._regions[country] = region
            if region is None:
                draft.phone_digits = _digits_of(candidates)
                detail = N_(
                    "unknown country {value!r} (write a code such as ES or a name such as Spain)", value=country
                )
                col = self._columns[mapping.fields["country"]]
                draft.problems.append(Problem("unknown_country", col, _UNKNOWN_COUNTRY, country, None, detail))
                return
        first_error: Problem | None = None
        for index, raw in candidates:  # the first number that is valid wins
            phone = normalize_phone(raw, region, self.options.phone_format)
            if phone.identifier is not None:
                draft.identifier = phone.identifier
                draft.payload["identifier"] = phone.identifier
                draft.phone_raw, draft.phone_column = raw, self._columns[index]
                for note in phone.notes:  # what the reading changed: the row is sent, its warning cell says so
                    kind, message = _phone_note(str(note), region)
                    draft.warnings.append(Problem(kind, draft.phone_column, message, detail=note, severity="warning"))
                return
            if first_error is None:
                error = phone.error or _NOT_A_PHONE
                kind = _phone_kind(str(error))
                detail = N_("{value!r}: {error}", value=raw, error=error)
                first_error = Problem(kind, self._columns[index], error, detail=detail)
        assert first_error is not None
        draft.problems.append(first_error)
        draft.phone_digits = _digits_of(candidates)


_MEMO_LIMIT = 20_000  # distinct values remembered per column (a few MB at most)
_UNSET: Any = object()
# A memo of one column: cell -> (value, problems, warnings) as the look-up of that cell found them.
_Memo = dict[str, tuple[Any, tuple[Problem, ...], tuple[Problem, ...]]]


def _memoized(memo: _Memo, raw: str, compute: Callable[[str, Draft], Any], draft: Draft) -> Any:
    """compute(raw, draft), its problems and warnings added to draft, looked up once per distinct `raw`."""
    hit = memo.get(raw)
    if hit is None:
        if len(memo) >= _MEMO_LIMIT:  # a column of ever new values (emails, dates): looked up as they come
            return compute(raw, draft)
        scratch = Draft(row=draft.row)
        value = compute(raw, scratch)
        hit = (value, tuple(scratch.problems), tuple(scratch.warnings))
        memo[raw] = hit
    value, problems, warnings = hit
    if problems:
        draft.problems.extend(problems)
    if warnings:
        draft.warnings.extend(warnings)
    return value


# The messages every row of a group shares, built once (the per-row ones carry the row's value).
_NAME_REQUIRED = N_("name is required")
_PHONE_REQUIRED = N_("phone is required")
_NOT_A_PHONE = N_("not a phone number")
_UNKNOWN_COUNTRY = N_("unknown country")
_NOT_BOT_STATUS = N_("not a bot status")
_NOTE_TOO_LONG = N_("note longer than {limit} characters", limit=NOTE_LIMIT)
_UNKNOWN_MESSAGE = {
    "tags": N_("unknown tag"),
    "assigned_user": N_("not a user of the account"),
    "team": N_("unknown team"),
    "channel": N_("unknown channel"),
}
_UNKNOWN_WHAT = {
    "tags": N_("unknown tag dropped"),
    "assigned_user": N_("unknown user dropped"),
    "team": N_("unknown team dropped"),
    "channel": N_("unknown channel dropped"),
}
_UNKNOWN_TEXT = {
    "tags": lambda v: N_("unknown tag {value!r}", value=v),
    "assigned_user": lambda v: N_("{value!r} is not a user of the account", value=v),
    "team": lambda v: N_("unknown team {value!r}", value=v),
    "channel": lambda v: N_("unknown channel {value!r}", value=v),
}
_TYPE_KINDS = {"email": "bad_email", "number": "bad_number", "date": "bad_date"}
_TYPE_MESSAGES = {
    "bad_email": N_("not an email address"),
    "bad_number": N_("not a number"),
    "bad_date": N_("not a date"),
}


def _fill_repeated(values: tuple[str, ...], repeated: list[tuple[int, int]]) -> tuple[str, ...]:
    """A repeated header's cells: the first non-empty one, in column order, fills the first column's cell."""
    cells = list(values)
    for later, first in repeated:
        if not unneutralize(cells[first]).strip() and unneutralize(cells[later]).strip():
            cells[first] = cells[later]
    return tuple(cells)


def _digits_of(candidates: list[tuple[int, str]]) -> str:
    return " ".join(d for _, raw in candidates if (d := "".join(c for c in raw if c.isdigit())))


def _phone_note(note: str, region: str | None) -> tuple[str, Text]:
    """The kind and the message (the same for every row of a group) of a phone note."""
    if note.startswith("extension"):
        return "extension_removed", N_("extension removed")
    if note.startswith("read as") and "mobile" in note:
        return "foreign_mobile", N_("read as a mobile of another country, not as a {region} number", region=region)
    if note.startswith("read as"):
        return "foreign_number", N_(
            "not a valid {region} number: read with the country code it starts with", region=region
        )
    if note.startswith("the 1 after +52"):
        return "mexico_one", N_("the 1 after +52 removed (Mexico dropped it in 2019)")
    return "phone_note", note


def _phone_kind(error: str) -> str:
    if error.startswith("no country code"):
        return "phone_no_region"
    if error.startswith("in scientific notation"):
        return "phone_scientific"
    return "phone_invalid"
