"""Validation of POST /contacts and PATCH /contacts/:uuid bodies against the account.

The real API's exact messages are not documented; what matters is that everything the docs say is rejected is
rejected here, every problem of a request is reported at once, and a client typo (an unknown key) does not
pass silently.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from importer.account.model import Account, CustomField

NOTE_MAX = 1000
BOT_STATUSES = ("bot_start", "bot_end")
CREATE_KEYS = frozenset(
    {
        "identifier",
        "source",
        "name",
        "tags",
        "custom_fields",
        "assigned_user",
        "team_uuid",
        "channel_uuid",
        "bot_status",
        "note",
    }
)
UPDATE_KEYS = frozenset(
    {"name", "tags", "custom_fields", "assigned_user", "unassign_user", "team_uuid", "bot_status", "note"}
)

# [0-9] rather than \d: \d also matches non-ASCII digits, which no phone number or number field should carry.
_PHONE = re.compile(r"\+?[0-9]{7,15}")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class BadRequest(ValueError):
    """The body is not a JSON object at all (400, as opposed to a 422 about its fields)."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class NewContact:
    identifier: str
    source: str
    name: str
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    assigned_user: str | None = None
    team_uuid: str | None = None
    channel_uuid: str | None = None
    bot_status: str | None = None
    note: str | None = None


@dataclass
class ContactChanges:
    """A PATCH: None means "not given"; ``note == ""`` clears the note, ``unassign`` clears the user."""

    name: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    assigned_user: str | None = None
    unassign: bool = False
    team_uuid: str | None = None
    bot_status: str | None = None
    note: str | None = None


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"body is not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def error_body(errors: list[FieldError]) -> dict[str, Any]:
    return {
        "error": "; ".join(f"{e.field}: {e.message}" for e in errors),
        "errors": [{"field": e.field, "message": e.message} for e in errors],
    }


def phone_digits(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")


class Rules:
    """The account's vocabulary, indexed once, and the checks that use it."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self._tags = frozenset(account.tags)
        # assigned_user is matched case-insensitively but stored with the account's spelling.
        self._users = {email.casefold(): email for email in account.all_users}
        self._teams = {t.uuid: t for t in account.teams}
        self._channels = {c.uuid: c for c in account.channels}

    # -- identity (duplicate detection and phone lookup) ---------------------------------------------------

    def resolve_channel(self, source: str, channel_uuid: str | None) -> str | None:
        """The given channel, else the main channel of the source's type, else None."""
        if channel_uuid is not None:
            return channel_uuid
        main = self.account.main_channel(source)
        return main.uuid if main else None

    def identity(self, source: str, identifier: str, channel_uuid: str | None) -> tuple[str, str]:
        """(channel, key): the resolved channel (see resolve_channel), else the source."""
        key = phone_digits(identifier) if source == "whatsapp" else identifier
        return self.resolve_channel(source, channel_uuid) or source, key

    def phone_channel(self, channel_uuid: str | None) -> str:
        """The identity channel GET /contacts/phone/:number searches (default: the main WhatsApp channel)."""
        return self.identity("whatsapp", "", channel_uuid)[0]

    # -- request checks -------------------------------------------------------------------------------------

    def check_create(self, body: dict[str, Any]) -> tuple[NewContact, list[FieldError]]:
        """The contact to create and every problem found; the contact is only usable when there are none."""
        errors = _unknown_keys(body, CREATE_KEYS)
        source = _required_string(body, "source", errors)
        identifier = _required_string(body, "identifier", errors)
        name = _required_string(body, "name", errors)
        if source == "whatsapp" and identifier is not None and not _PHONE.fullmatch(identifier):
            errors.append(
                FieldError("identifier", "must be a phone number: an optional '+' and 7 to 15 digits, nothing else")
            )
        values = self._optional_values(body, CREATE_KEYS, errors)
        if "note" in values:
            values["note"] = values["note"] or None  # an empty note on create is no note
        contact = NewContact(identifier=identifier or "", source=source or "", name=name or "", **values)
        return contact, errors

    def check_update(self, body: dict[str, Any]) -> tuple[ContactChanges, list[FieldError]]:
        errors = _unknown_keys(body, UPDATE_KEYS)
        name = _required_string(body, "name", errors) if "name" in body else None
        values = self._optional_values(body, UPDATE_KEYS, errors)
        unassign = values.pop("unassign_user", False)
        return ContactChanges(name=name, unassign=unassign, **values), errors

    def _optional_values(
        self, body: dict[str, Any], allowed: frozenset[str], errors: list[FieldError]
    ) -> dict[str, Any]:
        """The checked value of every optional key in ``body`` that ``allowed`` permits, by key.

        Shared by both checks; the keys are checked in one fixed order, which is the order their errors appear in.
        """
        checks: dict[str, Callable[[Any, list[FieldError]], Any]] = {
            "tags": self._tags_value,
            "custom_fields": self._custom_fields_value,
            "assigned_user": self._user_value,
            "unassign_user": lambda value, errs: _unassign_value(value, "assigned_user" in body, errs),
            "team_uuid": self._team_value,
            "channel_uuid": self._channel_value,
            "bot_status": _bot_status_value,
            "note": _note_value,
        }
        return {key: check(body[key], errors) for key, check in checks.items() if key in allowed and key in body}

    # -- single values ----------------------------------------------------------------------------------------

    def _tags_value(self, value: Any, errors: list[FieldError]) -> list[str]:
        if not isinstance(value, list):
            errors.append(FieldError("tags", "must be a list of tag names"))
            return []
        tags: list[str] = []
        for tag in value:
            if not isinstance(tag, str):
                errors.append(FieldError("tags", f"{json.dumps(tag)} is not a string"))
            elif tag not in self._tags:
                errors.append(FieldError("tags", f"unknown tag {tag!r} (tags must exist in the account)"))
            elif tag not in tags:
                tags.append(tag)
        return tags

    def _custom_fields_value(self, value: Any, errors: list[FieldError]) -> dict[str, Any]:
        if not isinstance(value, dict):
            errors.append(FieldError("custom_fields", "must be an object of field name to value"))
            return {}
        accepted: dict[str, Any] = {}
        for name, field_value in value.items():
            spec = self.account.custom_fields.get(name)
            if spec is None:
                errors.append(
                    FieldError(f"custom_fields.{name}", "unknown custom field (fields must exist in the account)")
                )
                continue
            problem = _field_problem(spec, field_value)
            if problem:
                errors.append(FieldError(f"custom_fields.{name}", problem))
            else:
                accepted[name] = field_value
        return accepted

    def _user_value(self, value: Any, errors: list[FieldError]) -> str | None:
        user = self._users.get(value.casefold()) if isinstance(value, str) else None
        if user is None:
            errors.append(FieldError("assigned_user", f"{json.dumps(value)} is not a user of the account"))
        return user

    def _team_value(self, value: Any, errors: list[FieldError]) -> str | None:
        if not isinstance(value, str) or value not in self._teams:
            errors.append(FieldError("team_uuid", f"{json.dumps(value)} is not a team of the account"))
            return None
        return value

    def _channel_value(self, value: Any, errors: list[FieldError]) -> str | None:
        if not isinstance(value, str) or value not in self._channels:
            errors.append(FieldError("channel_uuid", f"{json.dumps(value)} is not a channel of the account"))
            return None
        return value


def _unknown_keys(body: dict[str, Any], allowed: frozenset[str]) -> list[FieldError]:
    return [
        FieldError(key, f"unknown field (allowed: {', '.join(sorted(allowed))})") for key in sorted(set(body) - allowed)
    ]


def _required_string(body: dict[str, Any], key: str, errors: list[FieldError]) -> str | None:
    value = body.get(key)
    if key not in body or value is None:
        errors.append(FieldError(key, "is required"))
    elif not isinstance(value, str):
        errors.append(FieldError(key, "must be a string"))
    elif not value.strip():
        errors.append(FieldError(key, "must not be empty"))
    else:
        return value
    return None


def _bot_status_value(value: Any, errors: list[FieldError]) -> str | None:
    if value not in BOT_STATUSES:
        errors.append(FieldError("bot_status", f"must be one of {', '.join(BOT_STATUSES)}"))
        return None
    return str(value)


def _unassign_value(value: Any, assigning: bool, errors: list[FieldError]) -> bool:
    if not isinstance(value, bool):
        errors.append(FieldError("unassign_user", "must be true or false"))
        return False
    if value and assigning:
        # Both at once is contradictory; refusing it surfaces the client bug instead of picking one.
        errors.append(FieldError("unassign_user", "cannot be combined with assigned_user"))
        return False
    return value


def _note_value(value: Any, errors: list[FieldError]) -> str | None:
    if not isinstance(value, str):
        errors.append(FieldError("note", "must be a string"))
        return None
    if len(value) > NOTE_MAX:
        errors.append(FieldError("note", f"must be at most {NOTE_MAX} characters (got {len(value)})"))
        return None
    return value


def _field_problem(spec: CustomField, value: Any) -> str | None:
    """Why ``value`` does not fit the field's type, or None. Values travel as strings, as the docs show."""
    if spec.type == "checkbox":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "a checkbox field takes a list of strings"
        wrong = [v for v in value if v not in spec.options]
        return f"{', '.join(map(repr, wrong))} not among the options {list(spec.options)}" if wrong else None
    if not isinstance(value, str):
        return f"a {spec.type} field takes a string"
    if spec.type == "email" and not _EMAIL.fullmatch(value):
        return f"{value!r} is not an email address"
    if spec.type == "number" and not _NUMBER.fullmatch(value):
        return f"{value!r} is not a decimal number"
    if spec.type == "date":
        if not _DATE.fullmatch(value):
            return f"{value!r} is not a date in YYYY-MM-DD form"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a real date"
    if spec.type == "dropdown" and value not in spec.options:
        return f"{value!r} is not among the options {list(spec.options)}"
    return None
