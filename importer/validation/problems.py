"""Problems grouped across rows, with what to do about each: the one-screen answer to "what do I fix?".

Validation names each problem with a `kind`, the column as the sheet spells it and, where the value is the point
(an unknown tag, a user who is not in the account), the value. Rows with the same (severity, column, kind,
message, value) form one group: its row count and its first few row numbers. Groups are counted where rows are
checked (in every validation process) and merged in the parent, so a million rows cost a few dictionaries.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from importer.i18n.message import N_, Message, Text
from importer.i18n.translator import Translator

Severity = Literal["error", "warning"]
EXAMPLES = 5  # row numbers kept per group
_ENGLISH = Translator()
# Problems whose value names something that [values] can translate (see importer.mapping.values): the config key.
_VALUE_KINDS = frozenset({"unknown_tag", "unknown_user", "unknown_team", "unknown_channel", "unknown_option"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or changed) on one row. `text` is what the row's error or warning cell says."""

    kind: str  # "unknown_tag", "phone_invalid"... (see action_for)
    column: str  # as the sheet spells it: "Etiquetas", "Phone (column 4)"
    message: Text  # the same for every row of the group: "unknown tag", "too short for ES"
    value: str | None = None  # set when rows are grouped by value
    target: str | None = None  # the [values] / [unknown] key the value belongs to: "tags", "cf:Status"
    detail: Text = ""  # the row's own wording when it differs from message: "unknown tag 'Premium'"
    severity: Severity = "error"

    @property
    def text(self) -> str:
        """The row's error or warning cell, in English."""
        return self.render(_ENGLISH)

    def render(self, translator: Translator) -> str:
        """The row's error or warning cell in the run's language: "Tags: unknown tag 'Premium'"."""
        return self.render_with(translator.render)

    def render_with(self, render: Callable[[Text], str]) -> str:
        message = render(self.detail or self.message)
        return f"{self.column}: {message}" if self.column else message

    @property
    def key(self) -> GroupKey:
        return (self.severity, self.column, self.kind, self.message, self.value, self.target)


GroupKey = tuple[str, str, str, Text, str | None, str | None]  # (severity, column, kind, message, value, target)


@dataclass
class Group:
    rows: int = 0
    examples: list[int] = field(default_factory=list)
    last_row: int = -1  # a row with the same problem twice ("Gold; gold") counts once


@dataclass
class Tally:
    """Problem groups of some rows; `merge` the tallies of chunks in row order and the examples stay the first."""

    groups: dict[GroupKey, Group] = field(default_factory=dict)

    def add(self, row: int, problem: Problem) -> None:
        group = self.groups.get(problem.key)
        if group is None:
            group = self.groups[problem.key] = Group()
        if group.last_row == row:
            return
        group.last_row = row
        group.rows += 1
        if len(group.examples) < EXAMPLES:
            group.examples.append(row)

    def add_group(self, key: GroupKey, rows: int, examples: Iterable[int]) -> None:
        group = self.groups.setdefault(key, Group())
        group.rows += rows
        group.examples.extend(list(examples)[: EXAMPLES - len(group.examples)])

    def merge(self, other: Tally) -> None:
        for key, group in other.groups.items():
            self.add_group(key, group.rows, group.examples)

    def entries(self) -> list[dict[str, Any]]:
        """Errors first, then by rows, most first: the shape of summary.json's "problems", with "message" and
        "action" as Messages (`rendered` gives them as text, in a language)."""
        out = []
        for (severity, column, kind, message, value, target), group in self.groups.items():
            out.append(
                {
                    "severity": severity,
                    "column": column,
                    "kind": kind,
                    "message": message,
                    "value": value,
                    "rows": group.rows,
                    "examples": sorted(group.examples),
                    "action": action_for(kind, column, value, target),
                    **({"target": target} if target else {}),
                }
            )
        out.sort(key=lambda e: (e["severity"] != "error", -e["rows"], e["column"], str(e["message"]), e["value"] or ""))
        return out


def rendered(entries: list[dict[str, Any]], translator: Translator | None = None) -> list[dict[str, Any]]:
    """`entries` with their message and action as text: English by default (summary.json, `Report.problems`)."""
    translator = translator or _ENGLISH
    return [e | {"message": translator.render(e["message"]), "action": translator.render(e["action"])} for e in entries]


# What a person does about each kind of problem: the whole advice, and (for a problem without a [values] key to
# name) the first part alone. {value}: the value, quoted; {map}: where [values] maps it; {drop}: how [unknown]
# drops it; {field}: the custom field.
_ACTIONS: dict[str, tuple[Message, Message | None]] = {
    "unknown_tag": (
        N_("create tag {value} in Settings → Tags (then run `importer account pull`), or {map}, or {drop}"),
        N_("create tag {value} in Settings → Tags (then run `importer account pull`)"),
    ),
    "unknown_user": (
        N_("invite {value} as a user in Callbell, or {map} to an existing user, or {drop}"),
        N_("invite {value} as a user in Callbell"),
    ),
    "unknown_team": (N_("create team {value} in Callbell, or {map}, or {drop}"), N_("create team {value} in Callbell")),
    "unknown_channel": (
        N_("use a channel title or uuid of the account, or {map}, or {drop}"),
        N_("use a channel title or uuid of the account"),
    ),
    "unknown_option": (
        N_("add option {value} to custom field {field} in Settings → Custom fields, or {map}"),
        N_("add option {value} to custom field {field} in Settings → Custom fields"),
    ),
    "unknown_custom_field": (
        N_(
            "create the custom field in Settings → Custom fields (then `importer account pull`), "
            'or map the column to another field (or "ignore") in the [columns] of --config'
        ),
        None,
    ),
    "phone_required": (N_("fill in a phone number: without one the row cannot be a WhatsApp contact"), None),
    "phone_no_region": (
        N_("write the numbers with their country code, or pass --default-region (e.g. ES), or add a Country column"),
        None,
    ),
    "phone_scientific": (
        N_("format the phone column as Text in Excel (or export it again as CSV from the source) and re-import"),
        None,
    ),
    "phone_invalid": (
        N_("check these numbers (a digit missing or extra, or the wrong country): fix them in the errors file"),
        None,
    ),
    "unknown_country": (
        N_("write the country as a code such as ES, a calling code such as 34, or a name such as Spain"),
        None,
    ),
    "name_required": (N_("fill in the name (or map a name column in --config)"), None),
    "bad_bot_status": (N_("write bot_start or bot_end, or leave the cell empty"), None),
    "note_too_long": (N_("shorten the note to {limit} characters (the API's limit)", limit=1000), None),
    "bad_email": (N_("write an email address in this column, or leave the cell empty"), None),
    "bad_number": (N_("write a number in this column, or leave the cell empty"), None),
    "bad_date": (N_("write a date as YYYY-MM-DD in this column, or leave the cell empty"), None),
    "extra_cells": (
        N_("the row has more cells than the header: usually a comma inside an unquoted cell; quote it or fix it"),
        None,
    ),
    "bad_source": (
        N_(
            "write a Callbell channel type (whatsapp, instagram, facebook, messenger, telegram), or leave the cell "
            "empty for --source; a CRM's lead source is not a channel: leave that column unmapped"
        ),
        None,
    ),
    "duplicate": (
        N_(
            "the same phone as an earlier row: only the first is sent; merge the rows if both hold data "
            "(--duplicates merge), or send the last (--duplicates last)"
        ),
        None,
    ),
    "duplicate_last": (
        N_(
            "the same phone as a later row: only the last is sent; merge the rows if both hold data "
            "(--duplicates merge)"
        ),
        None,
    ),
    "merge_conflict": (
        N_(
            "nothing, if the first row's value is right; else put the right value in the first row of that phone "
            "(the warning column says which value was dropped)"
        ),
        None,
    ),
    "failed": (
        N_("the API refused these rows: fix what its message says, or run again if it was a temporary error"),
        None,
    ),
    "pending": (N_("run the same command again: it sends what was not sent"), None),
    "value_dropped": (N_("nothing, if intended ([unknown] drop); or {map} to keep it"), N_("nothing, if intended")),
    "extension_removed": (
        N_("nothing to do: WhatsApp identifiers have no extension, the number was sent without it"),
        None,
    ),
    "foreign_mobile": (
        N_("check these numbers: read as mobiles of another country, not of the default region"),
        None,
    ),
    "foreign_number": (
        N_("check these numbers: not valid in the row's region, but valid with the country code they start with"),
        None,
    ),
    "mexico_one": (N_("nothing to do: Mexican mobiles no longer take a 1 after +52"), None),
}
_DEFAULT_ACTION = N_("see the error column of the results file")
_IT = N_("it")


def action_for(kind: str, column: str, value: str | None, target: str | None) -> Message:
    """What a person does about a group, in one sentence."""
    full, first = _ACTIONS.get(kind, (_DEFAULT_ACTION, None))
    template = first if target is None and first is not None else full  # no [values] key: the first advice only
    return template.with_params(
        value=repr(value) if value is not None else _IT,
        map=N_("map it in [values.{key}]", key=_toml_key(target)),
        drop=N_('skip it with [unknown] {key} = "drop"', key=_toml_key(target)),
        field=repr(target[3:]) if target else repr(column),
    )


def _toml_key(target: str | None) -> str:
    if target is None:
        return ""
    return f'"{target}"' if not target.replace("_", "").isalnum() else target


def format_count(n: int) -> str:
    """Thousands separators, for people: 974,700."""
    return f"{n:,}"


def problem_lines(entries: list[dict[str, Any]], limit: int = 15, translator: Translator | None = None) -> list[str]:
    """The grouped problems for the terminal: one block of two lines per group."""
    tr = translator or _ENGLISH
    lines: list[str] = []
    for entry in entries[:limit]:
        label = tr.gettext("warning") + ": " if entry["severity"] == "warning" else ""
        value = f": {entry['value']!r}" if entry.get("value") is not None else ""
        rows = entry["rows"]
        first = ", ".join(str(r) for r in entry["examples"])
        more = ", …" if rows > len(entry["examples"]) else ""
        head = "  " + tr.ngettext("{n} row", "{n} rows", rows)
        shown = len(entry["examples"]) + (1 if more else 0)  # "(row 163)", "(rows 34, 219)"
        where = tr.ngettext("(row {rows})", "(rows {rows})", shown, rows=first + more)
        lines.append(f"{head} · {entry['column']}: {label}{tr.render(entry['message'])}{value} {where}")
        # Wrapped: an action is a sentence, and a terminal is often 100 columns or less.
        action = tr.render(entry["action"])
        lines += textwrap.wrap(action, width=110, initial_indent="      → ", subsequent_indent="        ")
    if len(entries) > limit:
        lines.append(
            "  " + tr.gettext("… and {n} more groups: see the summary JSON and the report", n=len(entries) - limit)
        )
    return lines
