"""Value translation: the `[values]` and `[unknown]` sections of the config file.

An old CRM writes "Cliente VIP" where the Callbell account has the tag "VIP", and owner emails that are not
Callbell users. Rather than editing the export, the user says once how file values become account values::

    [values.tags]
    "Cliente VIP" = "VIP"            # file value = account value (the left side ignores case)
    "Lead" = ""                      # an empty right side drops that value (the row is still sent)
    [values.assigned_user]
    "dwight@oldcrm.com" = "ana@example.com"
    [values."cf:Status"]
    "activo" = "Active"
    [unknown]                        # a value still unknown: "invalid" (default: the row is not sent) or "drop"
    assigned_user = "drop"           # send the row without it; its `warning` cell says what was dropped

Parsing checks the shape (one line naming the file and the key, exit 2); `resolve_value_rules` then checks the
right sides against the account, once the account is known.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from importer.account.model import Account
from importer.errors import ConfigError, capped
from importer.i18n.message import N_, NP_, Message
from importer.i18n.translator import Translator
from importer.mapping.toml_text import toml_key, toml_string

# The fields whose values name something in the account, and so can be translated or dropped.
VALUE_FIELDS = ("tags", "assigned_user", "team", "channel")
CUSTOM_PREFIX = "cf:"
POLICIES = ("invalid", "drop")
Policy = Literal["invalid", "drop"]


@dataclass(frozen=True)
class ValueRules:
    """`maps`: target -> {case-folded file value: account value ("" drops it)}; `unknown`: target -> policy.
    A target is a field of VALUE_FIELDS or "cf:<custom field>" in the account's spelling."""

    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    unknown: dict[str, Policy] = field(default_factory=dict)
    path: Path | None = None  # named in errors
    written: dict[str, dict[str, str]] = field(default_factory=dict)  # target -> {folded: as the config wrote it}

    def __bool__(self) -> bool:
        return bool(self.maps or self.unknown)

    def translate(self, target: str, value: str) -> str | None:
        """The account value for a file value, "" to drop it, or None when the config does not say."""
        table = self.maps.get(target)
        return None if table is None else table.get(value.casefold())

    def policy(self, target: str) -> Policy:
        return self.unknown.get(target, "invalid")


def parse_value_rules(values: Any, unknown: Any, place: str) -> ValueRules:
    """The `[values]` and `[unknown]` tables of a config file (None when absent), shape-checked."""
    maps: dict[str, dict[str, str]] = {}
    written: dict[str, dict[str, str]] = {}
    if values is not None:
        if not isinstance(values, dict):
            raise ConfigError(
                N_('{where}: values must be tables, as [values.tags] then "File value" = "Account value"', where=place)
            )
        for target, table in values.items():
            key = _target(target, f"{place}: [values.{_quoted(target)}]")
            where = f"{place}: [values.{_quoted(target)}]"
            if not isinstance(table, dict):
                raise ConfigError(N_('{where}: must be a table of "File value" = "Account value" lines', where=where))
            entries: dict[str, str] = {}
            for left, right in table.items():
                if not isinstance(right, str):
                    raise ConfigError(
                        N_(
                            '{where} "{left}": the account value must be a string ("" drops the value)',
                            where=where,
                            left=left,
                        )
                    )
                folded = left.strip().casefold()
                if not folded:
                    raise ConfigError(
                        N_('{where} "{left}": an empty file value; empty cells are never sent', where=where, left=left)
                    )
                if folded in entries and entries[folded] != right.strip():
                    raise ConfigError(
                        N_('{where} "{left}": given twice (the file value ignores case)', where=where, left=left)
                    )
                entries[folded] = right.strip()
                written.setdefault(key, {})[folded] = left
            maps[key] = entries
    policies: dict[str, Policy] = {}
    if unknown is not None:
        if not isinstance(unknown, dict):
            raise ConfigError(
                N_('{where}: unknown must be a table: [unknown] then field = "invalid" or "drop"', where=place)
            )
        for target, policy in unknown.items():
            where = f"{place}: [unknown] {_quoted(target)}"
            key = _target(target, where)
            if policy not in POLICIES:
                raise ConfigError(
                    N_('{where}: {policy} is not a policy; write "invalid" or "drop"', where=where, policy=repr(policy))
                )
            policies[key] = policy
    path = Path(place) if place != "mapping config" else None
    return ValueRules(maps=maps, unknown=policies, path=path, written=written)


def _target(target: str, where: str) -> str:
    text = target.strip()
    if text.casefold().startswith(CUSTOM_PREFIX):
        name = text[len(CUSTOM_PREFIX) :].strip()
        if not name:
            raise ConfigError(N_('{where}: "cf:" needs a custom field name, as "cf:Status"', where=where))
        return CUSTOM_PREFIX + name
    name = text.casefold().replace(" ", "_").replace("-", "_")
    if name not in VALUE_FIELDS:
        raise ConfigError(
            N_(
                "{where}: not a field whose values can be mapped; expected {expected}",
                where=where,
                expected=_expected(),
            )
        )
    return name


def _expected() -> str:
    return ", ".join((*VALUE_FIELDS, '"cf:<custom field>"'))


def _quoted(target: str) -> str:
    return target if target.replace("_", "").isalnum() else f'"{target}"'


def not_a_custom_field(where: str, name: str, account: Account) -> ConfigError:
    """A config naming a custom field the account does not have (in [columns] or [values]): the error to raise."""
    if not account.custom_fields:
        return ConfigError(
            N_("{where}: {name!r} is not a custom field of the account (it has none)", where=where, name=name)
        )
    return ConfigError(
        N_(
            "{where}: {name!r} is not a custom field of the account (it has: {fields})",
            where=where,
            name=name,
            fields=", ".join(account.custom_fields),
        )
    )


def resolve_value_rules(rules: ValueRules, account: Account) -> ValueRules:
    """Check every right side against the account and spell custom fields as the account does.

    A right side the account does not have would fail every row it touches: one ConfigError (exit 2) instead."""
    if not rules:
        return rules
    place = str(rules.path) if rules.path else "mapping config"
    fields_by_fold = {name.casefold(): name for name in account.custom_fields}

    def custom_name(target: str, where: str) -> str:
        name = target[len(CUSTOM_PREFIX) :]
        known = fields_by_fold.get(name.casefold())
        if known is None:
            raise not_a_custom_field(where, name, account)
        return CUSTOM_PREFIX + known

    maps: dict[str, dict[str, str]] = {}
    for target, table in rules.maps.items():
        where = f"{place}: [values.{_quoted(target)}]"
        key = custom_name(target, where) if target.startswith(CUSTOM_PREFIX) else target
        allowed = _account_values(account, key)
        resolved: dict[str, str] = {}
        for left, right in table.items():
            if not right:
                resolved[left] = ""
                continue
            if allowed is None:  # a free-form custom field (text, number...): checked per row by its type
                resolved[left] = right
                continue
            parts = [right] if key != "tags" and not _is_checkbox(account, key) else _split(right)
            spelled = [allowed.get(p.casefold()) for p in parts]
            missing = [p for p, s in zip(parts, spelled, strict=True) if s is None]
            if missing:
                as_written = rules.written.get(target, {}).get(left, left)
                raise ConfigError(
                    _not_in_account(key).with_params(
                        where=where, left=as_written, right=right, value=missing[0], has=_sample(allowed.values())
                    )
                )
            resolved[left] = ", ".join(s for s in spelled if s)
        maps[key] = resolved
    unknown: dict[str, Policy] = {}
    for target, policy in rules.unknown.items():
        key = (
            custom_name(target, f"{place}: [unknown] {_quoted(target)}") if target.startswith(CUSTOM_PREFIX) else target
        )
        unknown[key] = policy
    written = {(k if not k.startswith(CUSTOM_PREFIX) else _resolved_key(k, maps)): v for k, v in rules.written.items()}
    return ValueRules(maps=maps, unknown=unknown, path=rules.path, written=written)


def _resolved_key(target: str, maps: dict[str, dict[str, str]]) -> str:
    return next((k for k in maps if k.casefold() == target.casefold()), target)


def _account_values(account: Account, target: str) -> dict[str, str] | None:
    """The account's values for a target, by their case-folded spelling; None for free-form custom fields."""
    if target == "tags":
        return {t.casefold(): t for t in account.tags}
    if target == "assigned_user":
        return {u.casefold(): u for u in account.all_users}
    if target == "team":
        return {t.name.casefold(): t.name for t in account.teams} | {t.uuid: t.uuid for t in account.teams}
    if target == "channel":
        return {c.title.casefold(): c.title for c in account.channels} | {c.uuid: c.uuid for c in account.channels}
    spec = account.custom_fields[target[len(CUSTOM_PREFIX) :]]
    return dict(spec.options_by_fold) if spec.type in ("dropdown", "checkbox") else None


def _is_checkbox(account: Account, target: str) -> bool:
    return target.startswith(CUSTOM_PREFIX) and account.custom_fields[target[len(CUSTOM_PREFIX) :]].type == "checkbox"


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def _not_in_account(target: str) -> Message:
    """A right side the account does not have: the message for the target, to complete with its values."""
    if target.startswith(CUSTOM_PREFIX):
        return N_(
            '{where} "{left}" = "{right}": {value!r} is not an option of {field!r} of the account ({has})',
            field=target[len(CUSTOM_PREFIX) :],
        )
    return _NOT_IN_ACCOUNT[target]


_NOT_IN_ACCOUNT = {
    "tags": N_('{where} "{left}" = "{right}": {value!r} is not a tag of the account ({has})'),
    "assigned_user": N_('{where} "{left}" = "{right}": {value!r} is not a user of the account ({has})'),
    "team": N_('{where} "{left}" = "{right}": {value!r} is not a team of the account ({has})'),
    "channel": N_('{where} "{left}" = "{right}": {value!r} is not a channel of the account ({has})'),
}


def _sample(values: Any, limit: int = 8) -> Message:
    items = list(dict.fromkeys(values))
    return N_("it has: {values}", values=capped(items, limit)) if items else N_("it has none")


def value_rules_from(data: Mapping[str, Any], place: str) -> ValueRules:
    """Convenience for config readers: the two sections of a parsed config file."""
    return parse_value_rules(data.get("values"), data.get("unknown"), place)


# --- writing the sections, for `importer mapping` ------------------------------------------------------------

_SECTION_LIMIT = 200  # values listed per section; the rest are counted


def values_to_toml(
    rules: ValueRules, found: list[dict[str, Any]], account: Account | None, tr: Translator | None = None
) -> str:
    """`[values.*]` and `[unknown]` sections: the config's own entries, then (commented out, to edit) each value of
    the file that the account does not have, with its row count and the closest account value when one is close.

    `found`: grouped problems (see importer.validation.problems) whose `target` names the field. The comments are
    in the language of `tr` (English without one)."""
    tr = tr or Translator()
    by_target: dict[str, list[dict[str, Any]]] = {}
    for entry in found:
        if entry.get("target") and entry.get("value") is not None:
            by_target.setdefault(entry["target"], []).append(entry)
    lines = _comment(
        tr.gettext(
            "Values: how a value of the file becomes a value of the account (the left side ignores case). An empty"
            ' right side ("") leaves the value out. Below each section, commented out: values of this file that the'
            " account does not have, with their row counts. Uncomment a line and write the account's value."
        )
    )
    for target in dict.fromkeys([*rules.maps, *by_target]):
        lines += ["", f"[values.{toml_key(target)}]"]
        own = rules.maps.get(target, {})
        for folded, right in own.items():
            lines.append(f"{_quote(rules.written.get(target, {}).get(folded, folded))} = {_quote(right)}")
        entries = sorted(by_target.get(target, []), key=lambda e: (-e["rows"], e["value"]))
        choices = list(_account_values(account, target).values()) if account and _known(account, target) else []
        for entry in entries[:_SECTION_LIMIT]:
            value, rows = entry["value"], entry["rows"]
            close = _closest(value, choices)
            hint = N_("closest in the account: {value!r}", value=close[0]) if close else _choices_hint(choices)
            said = tr.ngettext("{n} row; {hint}", "{n} rows; {hint}", rows, hint=hint)
            lines.append(f"# {_quote(value)} = {_quote(close[0] if close else '')}   # {said}")
        if len(entries) > _SECTION_LIMIT:
            rest = entries[_SECTION_LIMIT:]
            more = tr.ngettext(
                "… {n} more value ({total}) not listed",
                "… {n} more values ({total}) not listed",
                len(rest),
                total=NP_("{n} row", "{n} rows", sum(e["rows"] for e in rest)),
            )
            lines.append(f"# {more}")
    lines += [
        "",
        *_comment(
            tr.gettext(
                'A value still unknown: "invalid" (the default: the row is not sent, and says why) or "drop" (the row'
                " is sent without that value, and its warning column says so). Keys: {keys}.",
                keys=_expected(),
            )
        ),
    ]
    if rules.unknown:
        lines.append("[unknown]")
        lines += [f"{toml_key(target)} = {_quote(policy)}" for target, policy in rules.unknown.items()]
    else:
        lines += ["# [unknown]", '# assigned_user = "drop"']
    return "\n".join(lines) + "\n"


def _closest(value: str, choices: list[str]) -> list[str]:
    """The account value most like `value`, ignoring case ("ativo" ~ "Active"), if any is close."""
    by_fold = {c.casefold(): c for c in choices}
    found = difflib.get_close_matches(value.casefold(), list(by_fold), n=1, cutoff=0.7)
    return [by_fold[found[0]]] if found else []


def _known(account: Account, target: str) -> bool:
    return not target.startswith(CUSTOM_PREFIX) or target[len(CUSTOM_PREFIX) :] in account.custom_fields


def _choices_hint(choices: list[str]) -> Message:
    if not choices:
        return N_("no account value is close")
    return N_("account values: {values}", values=capped(list(dict.fromkeys(choices)), 5))


def _comment(text: str) -> list[str]:
    """A paragraph as TOML comment lines."""
    return textwrap.wrap(text, width=116, initial_indent="# ", subsequent_indent="# ")


def _quote(text: str) -> str:
    # The [values] lines have always written control characters as \uXXXX, a newline too.
    return toml_string(text, short_escapes="")
