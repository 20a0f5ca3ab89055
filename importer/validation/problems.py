"""Problems grouped across rows, with what to do about each: the one-screen answer to "what do I fix?".

Validation names each problem with a `kind`, the column as the sheet spells it and, where the value is the point
(an unknown tag, a user who is not in the account), the value. Rows with the same (severity, column, kind,
message, value) form one group: its row count and its first few row numbers. Groups are counted where rows are
checked (in every validation process) and merged in the parent, so a million rows cost a few dictionaries.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
EXAMPLES = 5  # row numbers kept per group
# Problems whose value names something that [values] can translate (see importer.mapping.values): the config key.
_VALUE_KINDS = frozenset({"unknown_tag", "unknown_user", "unknown_team", "unknown_channel", "unknown_option"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or changed) on one row. `text` is what the row's error or warning cell says."""

    kind: str  # "unknown_tag", "phone_invalid"... (see action_for)
    column: str  # as the sheet spells it: "Etiquetas", "Phone (column 4)"
    message: str  # the same for every row of the group: "unknown tag", "too short for ES"
    value: str | None = None  # set when rows are grouped by value
    target: str | None = None  # the [values] / [unknown] key the value belongs to: "tags", "cf:Status"
    detail: str = ""  # the row's own wording when it differs from message: "unknown tag 'Premium'"
    severity: Severity = "error"

    @property
    def text(self) -> str:
        message = self.detail or self.message
        return f"{self.column}: {message}" if self.column else message

    @property
    def key(self) -> GroupKey:
        return (self.severity, self.column, self.kind, self.message, self.value, self.target)


GroupKey = tuple[str, str, str, str, str | None, str | None]


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
        """Errors first, then by rows, most first: the shape of summary.json's "problems"."""
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
        out.sort(key=lambda e: (e["severity"] != "error", -e["rows"], e["column"], e["message"], e["value"] or ""))
        return out


# What a person does about each kind of problem. {value}: the value, quoted; {map}: where [values] maps it;
# {drop}: how [unknown] drops it; {field}: the custom field.
_ACTIONS = {
    "unknown_tag": "create tag {value} in Settings → Tags (then run `importer account pull`), or {map}, or {drop}",
    "unknown_user": "invite {value} as a user in Callbell, or {map} to an existing user, or {drop}",
    "unknown_team": "create team {value} in Callbell, or {map}, or {drop}",
    "unknown_channel": "use a channel title or uuid of the account, or {map}, or {drop}",
    "unknown_option": "add option {value} to custom field {field} in Settings → Custom fields, or {map}",
    "unknown_custom_field": "create the custom field in Settings → Custom fields (then `importer account pull`), "
    'or map the column to another field (or "ignore") in the [columns] of --config',
    "phone_required": "fill in a phone number: without one the row cannot be a WhatsApp contact",
    "phone_no_region": "write the numbers with their country code, or pass --default-region (e.g. ES), "
    "or add a Country column",
    "phone_scientific": "format the phone column as Text in Excel (or export it again as CSV from the source) "
    "and re-import",
    "phone_invalid": "check these numbers (a digit missing or extra, or the wrong country): fix them in the errors "
    "file",
    "unknown_country": "write the country as a code such as ES, a calling code such as 34, or a name such as Spain",
    "name_required": "fill in the name (or map a name column in --config)",
    "bad_bot_status": "write bot_start or bot_end, or leave the cell empty",
    "bad_source": "write a Callbell channel type (whatsapp, instagram, facebook, messenger, telegram), or leave the"
    " cell empty for --source; a CRM's lead source is not a channel: leave that column unmapped",
    "note_too_long": "shorten the note to 1,000 characters (the API's limit)",
    "bad_email": "write an email address in this column, or leave the cell empty",
    "bad_number": "write a number in this column, or leave the cell empty",
    "bad_date": "write a date as YYYY-MM-DD in this column, or leave the cell empty",
    "extra_cells": "the row has more cells than the header: usually a comma inside an unquoted cell; quote it or fix "
    "it",
    "duplicate": "the same phone as an earlier row: only the first is sent; merge the rows if both hold data "
    "(--duplicates merge), or send the last (--duplicates last)",
    "duplicate_last": "the same phone as a later row: only the last is sent; merge the rows if both hold data "
    "(--duplicates merge)",
    "merge_conflict": "nothing, if the first row's value is right; else put the right value in the first row of "
    "that phone (the warning column says which value was dropped)",
    "failed": "the API refused these rows: fix what its message says, or run again if it was a temporary error",
    "pending": "run the same command again: it sends what was not sent",
    "value_dropped": "nothing, if intended ([unknown] drop); or {map} to keep it",
    "extension_removed": "nothing to do: WhatsApp identifiers have no extension, the number was sent without it",
    "foreign_mobile": "check these numbers: read as mobiles of another country, not of the default region",
    "foreign_number": "check these numbers: not valid in the row's region, but valid with the country code they "
    "start with",
    "mexico_one": "nothing to do: Mexican mobiles no longer take a 1 after +52",
}


def action_for(kind: str, column: str, value: str | None, target: str | None) -> str:
    """What a person does about a group, in one sentence."""
    template = _ACTIONS.get(kind, "see the error column of the results file")
    if target is None and "{map}" in template:
        return template.split(", or {map}")[0].split("; or {map}")[0]  # no [values] key: the first advice only
    return template.format(
        value=repr(value) if value is not None else "it",
        map=f"map it in [values.{_toml_key(target)}]",
        drop=f'skip it with [unknown] {_toml_key(target)} = "drop"',
        field=repr(target[3:]) if target else repr(column),
    )


def _toml_key(target: str | None) -> str:
    if target is None:
        return ""
    return f'"{target}"' if not target.replace("_", "").isalnum() else target


def format_count(n: int) -> str:
    """Thousands separators, for people: 974,700."""
    return f"{n:,}"


def problem_lines(entries: list[dict[str, Any]], limit: int = 15) -> list[str]:
    """The grouped problems for the terminal: one block of two lines per group."""
    lines: list[str] = []
    for entry in entries[:limit]:
        label = "warning" if entry["severity"] == "warning" else ""
        value = f": {entry['value']!r}" if entry.get("value") is not None else ""
        rows = entry["rows"]
        first = ", ".join(str(r) for r in entry["examples"])
        more = ", …" if rows > len(entry["examples"]) else ""
        head = f"  {format_count(rows)} row{'' if rows == 1 else 's'}"
        lines.append(
            f"{head} · {entry['column']}: {label + ': ' if label else ''}{entry['message']}{value} (rows {first}{more})"
        )
        # Wrapped: an action is a sentence, and a terminal is often 100 columns or less.
        lines += textwrap.wrap(entry["action"], width=110, initial_indent="      → ", subsequent_indent="        ")
    if len(entries) > limit:
        lines.append(f"  … and {len(entries) - limit} more groups: see the summary JSON and the report")
    return lines
