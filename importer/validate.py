"""Turn a mapped row into a Callbell contact payload, or into the list of everything wrong with it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from importer.account import Account, CustomField
from importer.mapping import Mapping
from importer.phones import PhoneFormat, normalize_phone
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
    """Checks rows against the account; built once per run so lookups are dictionaries."""

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

    def check(self, row: SourceRow) -> Draft:
        draft = Draft(row=row.number)
        m = self.mapping

        def cell(name: str) -> str:
            index = m.fields.get(name)
            return unneutralize(row.values[index].strip()) if index is not None else ""

        def fail(name: str, message: str) -> None:  # errors name the column as the sheet spells it
            draft.errors.append(f"{m.column(m.fields[name])}: {message}")

        if row.extra:
            draft.errors.append(f"row has {len(row.extra)} more cell(s) than the header has columns")

        name = cell("name") or " ".join(p for p in (cell("first_name"), cell("last_name")) if p)
        if not name:
            columns = [m.column(m.fields[f]) for f in ("name", "first_name", "last_name") if f in m.fields]
            draft.errors.append(f"{' / '.join(columns) or 'name'}: name is required")
        draft.payload["name"] = name

        source = (cell("source") or self.options.default_source).casefold()
        draft.payload["source"] = source
        if "phone" in m.fields:
            self._check_phone(cell("phone"), cell("country"), source, draft)

        if raw_tags := cell("tags"):
            tags: list[str] = []
            for tag in filter(None, _LIST_SPLIT.split(raw_tags)):
                known = self._tags.get(tag.casefold())
                if known is None:
                    fail("tags", f"unknown tag {tag!r}")
                elif known not in tags:
                    tags.append(known)
            draft.payload["tags"] = tags
        if user := cell("assigned_user"):
            if (known_user := self._users.get(user.casefold())) is None:
                fail("assigned_user", f"{user!r} is not a user of the account")
            else:
                draft.payload["assigned_user"] = known_user
        if team := cell("team"):
            if (uuid := self._teams.get(team.casefold())) is None:
                fail("team", f"unknown team {team!r}")
            else:
                draft.payload["team_uuid"] = uuid
        if channel := cell("channel"):
            if (uuid := self._channels.get(channel.casefold())) is None:
                fail("channel", f"unknown channel {channel!r}")
            else:
                draft.payload["channel_uuid"] = uuid
        if bot := cell("bot_status"):
            status = bot.casefold().replace(" ", "_")
            if status not in BOT_STATUSES:
                fail("bot_status", f"{bot!r} is not one of {', '.join(BOT_STATUSES)}")
            else:
                draft.payload["bot_status"] = status
        if note := cell("note"):
            if len(note) > NOTE_LIMIT:
                fail("note", f"note is {len(note)} characters, the limit is {NOTE_LIMIT}")
            draft.payload["note"] = note

        custom: dict[str, Any] = {}
        for field_name, index in m.custom_fields.items():
            raw = unneutralize(row.values[index].strip())
            if not raw:
                continue
            spec = self.account.custom_fields.get(field_name)
            if spec is None:
                draft.errors.append(f"{m.column(index)}: {field_name!r} is not a custom field of the account")
                continue
            value, error = custom_value(spec, raw)
            if error:
                draft.errors.append(f"{m.column(index)}: {error}")
            else:
                custom[field_name] = value
        if custom:
            draft.payload["custom_fields"] = custom
        return draft

    def _check_phone(self, raw: str, country: str, source: str, draft: Draft) -> None:
        column = self.mapping.column(self.mapping.fields["phone"])
        if not raw:
            draft.errors.append(f"{column}: phone is required")
            return
        if source != "whatsapp":
            draft.identifier = raw  # other channels identify contacts by their own handles
            draft.payload["identifier"] = raw
            return
        region = self.options.default_region
        if country:
            region = _region(country)
            if region is None:
                country_column = self.mapping.column(self.mapping.fields["country"])
                draft.errors.append(f"{country_column}: unknown country {country!r} (use a two-letter code such as ES)")
                return
        phone = normalize_phone(raw, region, self.options.phone_format)
        if phone.identifier is None:
            draft.errors.append(f"{column}: {raw!r}: {phone.error}")
            return
        draft.identifier = phone.identifier
        draft.payload["identifier"] = phone.identifier


def _region(country: str) -> str | None:
    code = country.strip().upper()
    if code in phonenumbers.SUPPORTED_REGIONS:
        return code
    digits = code.lstrip("+")
    if digits.isdigit():
        region = phonenumbers.region_code_for_country_code(int(digits))
        return None if region == "ZZ" else region
    return None


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
    options = {o.casefold(): o for o in spec.options}
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
    if text.isdigit() and 20000 <= int(text) <= 80000:  # an Excel serial day number typed as General
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    text = text.split("T")[0] if re.match(r"^\d{4}-\d{2}-\d{2}T", text) else text
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
