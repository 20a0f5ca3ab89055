"""The Callbell account: tags, users, custom fields, teams and channels.

The API cannot list tags, custom fields or users, so the account is described by a TOML file that the user
keeps (the format in the project's API notes). The importer and the sandbox read the same file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, get_args

from importer.i18n.message import N_, Message

FieldType = Literal["text", "email", "number", "date", "dropdown", "checkbox"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
_UUID = re.compile(r"^[0-9a-f]{32}$")


# The commands that need an account file say how to get one.
NO_ACCOUNT_FILE = N_("no --account-file: write one with `importer account pull -o account.toml`")


class AccountFileError(ValueError):
    """The account file is missing, not TOML, or describes an impossible account. Its message is a Message
    (str() of the error is English), rendered in the run's language where it is printed."""

    @property
    def message(self) -> Message | str:
        said = self.args[0] if self.args else ""
        return said if isinstance(said, Message) else str(said)


@dataclass(frozen=True)
class CustomField:
    name: str
    type: FieldType
    options: tuple[str, ...] = ()

    @cached_property
    def options_by_fold(self) -> dict[str, str]:
        """Options by their case-folded spelling: rows match options whatever their case."""
        return {o.casefold(): o for o in self.options}


@dataclass(frozen=True)
class Team:
    uuid: str
    name: str
    members: tuple[str, ...] = ()
    default: bool = False


@dataclass(frozen=True)
class Channel:
    uuid: str
    title: str
    type: str
    main: bool = False


@dataclass(frozen=True)
class Account:
    tags: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    custom_fields: dict[str, CustomField] = field(default_factory=dict)
    teams: tuple[Team, ...] = ()
    channels: tuple[Channel, ...] = ()

    @property
    def all_users(self) -> tuple[str, ...]:
        """Users named in the file plus team members (the API's only view of users), deduplicated."""
        by_fold: dict[str, str] = {}
        for email in (*self.users, *(m for t in self.teams for m in t.members)):
            by_fold.setdefault(email.casefold(), email)
        return tuple(by_fold.values())

    def main_channel(self, channel_type: str = "whatsapp") -> Channel | None:
        candidates = [c for c in self.channels if c.type == channel_type]
        return next((c for c in candidates if c.main), candidates[0] if candidates else None)


def load_account(path: str | Path) -> Account:
    """Read an account file; every problem is an AccountFileError naming the file and the entry."""
    path = Path(path)
    if not path.exists():
        raise AccountFileError(
            N_("{path}: no such account file: write one with `importer account pull -o {path}`", path=str(path))
        )
    data = read_toml(path, N_("account file"), AccountFileError)
    try:
        return parse_account(data)
    except AccountFileError as exc:
        raise AccountFileError(N_("{path}: {error}", path=str(path), error=exc.message)) from None


def read_toml(path: Path, what: Message | str, error: type[Exception]) -> dict[str, Any]:
    """A TOML file's contents; a missing, non-UTF-8 or invalid file is one `error` naming it (`what`: the kind
    of file, N_("account file"), as the message says it)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(N_("{path}: cannot read {what} ({reason})", path=str(path), what=what,
                       reason=exc.strerror or str(exc))) from None  # fmt: skip
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise error(N_("{path}: {what} is not UTF-8 text", path=str(path), what=what)) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(N_("{path}: not valid TOML ({reason})", path=str(path), reason=str(exc))) from None


def parse_account(data: dict[str, Any]) -> Account:
    known = {"tags", "users", "custom_fields", "teams", "channels"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AccountFileError(
            N_("unknown key(s) {keys}; expected {expected}", keys=", ".join(unknown), expected=", ".join(sorted(known)))
        )
    tags = _strings(data.get("tags", []), "tags")
    users = _strings(data.get("users", []), "users")
    for email in users:
        if "@" not in email:
            raise AccountFileError(N_("{key}: {email!r} is not an email address", key="users", email=email))

    fields_raw = data.get("custom_fields", {})
    if not isinstance(fields_raw, dict):
        raise AccountFileError(N_('custom_fields must be a table of [custom_fields."Name"] entries'))
    custom_fields: dict[str, CustomField] = {}
    for name, spec in fields_raw.items():
        where = f'custom_fields."{name}"'
        if not isinstance(spec, dict):
            raise AccountFileError(N_("{where} must be a table with a type", where=where))
        ftype = spec.get("type")
        if ftype not in FIELD_TYPES:
            raise AccountFileError(
                N_(
                    "{where}: type {type!r} is not one of {types}",
                    where=where,
                    type=ftype,
                    types=", ".join(FIELD_TYPES),
                )
            )
        options = _strings(spec.get("options", []), f"{where}.options")
        if ftype in ("dropdown", "checkbox") and not options:
            raise AccountFileError(N_("{where}: a {type} field needs options", where=where, type=ftype))
        custom_fields[name] = CustomField(name=name, type=ftype, options=options)

    teams = tuple(
        Team(
            uuid=_uuid(t, f"teams[{i}]"),
            name=_required_str(t, "name", f"teams[{i}]"),
            members=_strings(t.get("members", []), f"teams[{i}].members"),
            default=bool(t.get("default", False)),
        )
        for i, t in enumerate(_tables(data.get("teams", []), "teams"))
    )
    channels = tuple(
        Channel(
            uuid=_uuid(c, f"channels[{i}]"),
            title=_required_str(c, "title", f"channels[{i}]"),
            type=_required_str(c, "type", f"channels[{i}]"),
            main=bool(c.get("main", False)),
        )
        for i, c in enumerate(_tables(data.get("channels", []), "channels"))
    )
    return Account(tags=tags, users=users, custom_fields=custom_fields, teams=teams, channels=channels)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AccountFileError(N_("{where} must be a list of strings", where=where))
    return tuple(value)


def _tables(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise AccountFileError(N_("{where} must be written as [[{where}]] tables", where=where))
    return value


def _required_str(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AccountFileError(N_("{where}: {key} is required", where=where, key=key))
    return value


def _uuid(table: dict[str, Any], where: str) -> str:
    value = _required_str(table, "uuid", where)
    if not _UUID.match(value):
        raise AccountFileError(
            N_("{where}: uuid {value!r} is not 32 lowercase hex characters", where=where, value=value)
        )
    return value
