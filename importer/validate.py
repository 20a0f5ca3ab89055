"""Turn a mapped row into a Callbell contact payload, or into the list of everything wrong with it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from importer.account import Account, CustomField
from importer.headers import FIELDS
from importer.mapping import Mapping
from importer.phones import PhoneFormat, normalize_phone, region_for
from importer.read import SourceRow
from importer.results import unneutralize

NOTE_LIMIT = 1000
BOT_STATUSES = ("bot_start", "bot_end")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%d %b %Y", "%d %B %Y")


@dataclass(frozen=True)
class Options:
    default_region: str | None = None
    phone_format: PhoneFormat = "digits"
    default_source: str = "whatsapp"


@dataclass
class Draft:
    """One input row after validation: a payload to send, or the errors that keep it back."""

    row: int
    identifier: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Validator:
    """Checks rows against the account; built once per run (and per process) so lookups are dictionaries."""

    def __init__(self, account: Account, mapping: Mapping, options: Options) -> None:
        self.account = account
        self.mapping = mapping
        self.options = options
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

    def check(self, row: SourceRow) -> Draft:
        draft = Draft(row=row.number)
        errors, payload = draft.errors, draft.payload
        values = row.values
        at = self._at
        column = self.mapping.column

        def cell(name: str) -> str:
            index = at[name]
            # Strip after unneutralize: the errors file writes "\tAna" as "'\tAna", which must read as "Ana" too.
            return unneutralize(values[index]).strip() if index is not None else ""

        def fail(name: str, message: str) -> None:  # errors name the column as the sheet spells it
            errors.append(f"{column(at[name])}: {message}")  # type: ignore[arg-type]

        if row.extra:
            errors.append(f"row has {len(row.extra)} more cell(s) than the header has columns")

        name = cell("name") or " ".join(p for p in (unneutralize(values[i]).strip() for i in self._name_parts) if p)
        if not name:
            columns = [column(at["name"])] if at["name"] is not None else [column(i) for i in self._name_parts]
            errors.append(f"{' / '.join(columns) or 'name'}: name is required")
        payload["name"] = name

        source = (cell("source") or self.options.default_source).casefold()
        payload["source"] = source
        if at["phone"] is not None:
            self._check_phone(values, cell("country"), source, draft)

        if raw_tags := cell("tags"):
            tags: list[str] = []
            for tag in filter(None, _LIST_SPLIT.split(raw_tags)):
                known = self._tags.get(tag.casefold())
                if known is None:
                    fail("tags", f"unknown tag {tag!r}")
                elif known not in tags:
                    tags.append(known)
            payload["tags"] = tags
        if user := cell("assigned_user"):
            if (known_user := self._users.get(user.casefold())) is None:
                fail("assigned_user", f"{user!r} is not a user of the account")
            else:
                payload["assigned_user"] = known_user
        if team := cell("team"):
            if (uuid := self._teams.get(team.casefold())) is None:
                fail("team", f"unknown team {team!r}")
            else:
                payload["team_uuid"] = uuid
        if channel := cell("channel"):
            if (uuid := self._channels.get(channel.casefold())) is None:
                fail("channel", f"unknown channel {channel!r}")
            else:
                payload["channel_uuid"] = uuid
        if bot := cell("bot_status"):
            status = bot.casefold().replace(" ", "_")
            if status not in BOT_STATUSES:
                fail("bot_status", f"{bot!r} is not one of {', '.join(BOT_STATUSES)}")
            else:
                payload["bot_status"] = status
        if note := cell("note"):
            if len(note) > NOTE_LIMIT:
                fail("note", f"note is {len(note)} characters, the limit is {NOTE_LIMIT}")
            payload["note"] = note

        custom: dict[str, Any] = {}
        for field_name, index, spec in self._custom:
            raw = unneutralize(values[index]).strip()
            if not raw:
                continue
            if spec is None:
                errors.append(f"{column(index)}: {field_name!r} is not a custom field of the account")
                continue
            value, error = custom_value(spec, raw)
            if error:
                errors.append(f"{column(index)}: {error}")
            else:
                custom[field_name] = value
        if custom:
            payload["custom_fields"] = custom
        return draft

    def _check_phone(self, values: tuple[str, ...], country: str, source: str, draft: Draft) -> None:
        mapping = self.mapping
        phone_at: int = mapping.fields["phone"]
        if self._single_phone:
            raw = unneutralize(values[phone_at]).strip()
            candidates = [(phone_at, raw)] if raw else []
        else:
            # Whole cells first ("'\t" is empty, as "\t" is), then each number of a multi-value cell.
            unquoted = [unneutralize(v) for v in values]
            candidates = [(i, c) for i, v in mapping.phone_candidates(unquoted) if (c := unneutralize(v).strip())]
        if not candidates:
            draft.errors.append(f"{mapping.column(phone_at)}: phone is required")
            return
        if source != "whatsapp":
            draft.identifier = candidates[0][1]  # other channels identify contacts by their own handles
            draft.payload["identifier"] = draft.identifier
            return
        region = self.options.default_region
        if country:
            region = region_for(country)
            if region is None:
                draft.errors.append(
                    f"{mapping.column(mapping.fields['country'])}: unknown country {country!r} "
                    "(write a code such as ES or a name such as Spain)"
                )
                return
        first_error = ""
        for index, raw in candidates:  # the first number that is valid wins
            phone = normalize_phone(raw, region, self.options.phone_format)
            if phone.identifier is not None:
                draft.identifier = phone.identifier
                draft.payload["identifier"] = phone.identifier
                return
            first_error = first_error or f"{mapping.column(index)}: {raw!r}: {phone.error}"
        draft.errors.append(first_error)


def custom_value(spec: CustomField, raw: str) -> tuple[Any, str | None]:
    """The value to send for a custom field, in the form its type demands, or an error for a person."""
    if spec.type == "text":
        return raw, None
    if spec.type == "email":
        return (raw, None) if _EMAIL.match(raw) else (None, f"{raw!r} is not an email address")
    if spec.type == "number":
        compact = raw.replace(" ", "").replace("\u00a0", "")
        if not _NUMBER.match(compact):
            return None, f"{raw!r} is not a number"
        return compact.replace(",", ".").lstrip("+"), None
    if spec.type == "date":
        day = parse_date(raw)
        return (day.isoformat(), None) if day else (None, f"{raw!r} is not a date (write YYYY-MM-DD)")
    options = spec.options_by_fold
    if spec.type == "dropdown":
        if (option := options.get(raw.casefold())) is None:
            return None, f"{raw!r} is not an option of {spec.name!r} ({', '.join(spec.options)})"
        return option, None
    chosen: list[str] = []
    for item in filter(None, _LIST_SPLIT.split(raw)):
        if (option := options.get(item.casefold())) is None:
            return None, f"{item!r} is not an option of {spec.name!r} ({', '.join(spec.options)})"
        if option not in chosen:
            chosen.append(option)
    return chosen, None


def parse_date(raw: str) -> dt.date | None:
    text = raw.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the usual case, ten times faster than strptime
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if text.isascii() and text.isdigit() and 20000 <= int(text) <= 80000:  # an Excel serial day number typed as General
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    text = text.split("T")[0] if re.match(r"^\d{4}-\d{2}-\d{2}T", text) else text
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
