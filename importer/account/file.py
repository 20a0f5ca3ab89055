"""Write an account file from an AccountScan, or merge the scan into one the user already keeps.

The merge only adds: tags, users, custom fields, options, teams, team members and channels the file lacks.
Nothing in the file is dropped or rewritten, and its comments and layout stay (tomlkit edits the document in
place). Where the file and the API disagree on a field's type, the file wins: the user wrote it, maybe from
Settings, and the API only reports types of fields that have values; the disagreement is printed.

The comments written into the file and the summary and warnings of a pull are in the run's language (a
Translator); the keys, values and code examples in the comments are TOML, the same in every language.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array, Table

from importer.account._file_text import SECTION_COMMENTS, Wording, skeleton, summary_text
from importer.account.model import FIELD_TYPES, AccountFileError, Channel, Team, load_account, parse_account
from importer.account.pull import AccountScan, SeenField
from importer.errors import AccountError, ConfigError
from importer.i18n.message import N_, Message
from importer.i18n.translator import Translator

_UUID = re.compile(r"^[0-9a-f]{32}$")
_CHOICE = ("dropdown", "checkbox")


@dataclass
class Changes:
    """What a pull added to the file, and what it noticed but left alone."""

    tags: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    options: dict[str, list[str]] = field(default_factory=dict)  # field -> options added
    teams: list[str] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)  # team name -> members added
    channels: list[str] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)  # str() of each is English
    created: bool = False  # there was no file: it was written whole

    @property
    def changed(self) -> bool:
        return bool(self.tags or self.users or self.fields or self.options or self.teams or self.members) or bool(
            self.channels
        )

    def summary(self, tr: Translator | None = None) -> str:
        """E.g. "+ 3 tags: A, B, C; users unchanged; + custom field 'Plan' (dropdown); teams unchanged", in `tr`'s
        language (English by default)."""
        return summary_text(self, tr or Translator())


def write_account_file(
    path: Path, scan: AccountScan, *, now: datetime | None = None, tr: Translator | None = None
) -> Changes:
    """Write (or merge into) the account file at `path`, its comments in `tr`'s language; the file is replaced
    whole or not at all.

    An existing file that is not a valid account file is an AccountError (exit 3) and is left as it was; a
    file that cannot be written is a ConfigError (exit 2). When nothing changes the file is not touched.
    """
    path = _target(path)
    existing = _existing_text(path)
    text, changes = merge_account_text(existing, scan, now=now, tr=tr)
    changes.created = existing is None
    if changes.created or changes.changed:
        _replace(path, text)
    return changes


def check_output(path: Path) -> None:
    """What write_account_file would refuse that needs no API: a directory, a missing directory, an existing
    file that is not an account file. Checked before the API is asked, so a wrong `-o` is told first (exit 2,
    or 3 for a broken existing file) and a long scan of the account is not thrown away."""
    target = _target(path)
    if not target.parent.is_dir():
        raise ConfigError(_no_directory(target))
    _existing_text(target)


def _target(path: Path) -> Path:
    if path.is_symlink():
        path = path.resolve()  # write through a link to the file it names, not over the link
    if path.is_dir():
        raise ConfigError(
            N_("{path}: is a directory; give the account file's name, e.g. {example}", path=str(path),
               example=str(path / "account.toml"))
        )  # fmt: skip
    return path


def _existing_text(path: Path) -> str | None:
    """The text of the account file already at `path` (None: there is none), checked to be one."""
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        load_account(path)  # every problem with the user's file, one line naming it and the entry
        return path.read_bytes().decode("utf-8-sig")
    except AccountFileError as exc:
        raise AccountError(N_("{error} (not changed; fix it or write to another file)", error=exc.message)) from None
    except OSError as exc:
        raise AccountError(
            N_("{path}: cannot read account file ({reason})", path=str(path), reason=exc.strerror or str(exc))
        ) from None


def _no_directory(path: Path) -> Message:
    return N_(
        "{path}: cannot write the account file: {directory} is not an existing directory",
        path=str(path),
        directory=str(path.parent),
    )


def merge_account_text(
    existing: str | None, scan: AccountScan, *, now: datetime | None = None, tr: Translator | None = None
) -> tuple[str, Changes]:
    """The account file text: `existing` (None: a new file) with what `scan` found added, and what was added;
    the comments in `tr`'s language (English by default)."""
    tr = tr or Translator()
    merging = existing is not None
    doc = tomlkit.parse(existing if merging else skeleton(scan, now or datetime.now(UTC), tr))
    day = f"{(now or datetime.now(UTC)):%Y-%m-%d}"
    stamp = "; " + tr.gettext("added by `importer account pull` {date}", date=day) if merging else ""
    words = Wording(scan, tr)
    changes = Changes()
    _merge_tags(doc, words, changes, stamp)
    _merge_users(doc, words, changes, stamp)
    _merge_fields(doc, words, changes, stamp)
    _merge_teams(doc, scan, changes, tr)
    _merge_channels(doc, scan, changes, tr)
    text = doc.as_string()
    try:
        parse_account(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, AccountFileError) as exc:  # a bug here, not the user's: say so plainly
        raise RuntimeError(f"the merged account file does not load ({exc})") from None
    return text, changes


# --- sections ----------------------------------------------------------------------------------------------


def _merge_tags(doc: Any, words: Wording, changes: Changes, stamp: str) -> None:
    ranked = sorted(words.scan.tags.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    new = _add_strings(doc, "tags", [(tag, words.seen(n) + stamp) for tag, n in ranked])
    changes.tags += new


def _merge_users(doc: Any, words: Wording, changes: Changes, stamp: str) -> None:
    users = sorted(words.scan.users.values(), key=lambda u: u.email.casefold())
    changes.users += _add_strings(doc, "users", [(u.email, words.user_note(u) + stamp) for u in users])


def _merge_fields(doc: Any, words: Wording, changes: Changes, stamp: str) -> None:
    scan, tr = words.scan, words.tr
    if not scan.fields:
        return
    if "custom_fields" not in doc:
        doc.add("custom_fields", tomlkit.table(is_super_table=True))
    table = doc["custom_fields"]
    for name, seen in sorted(scan.fields.items(), key=lambda kv: kv[0].casefold()):
        if name in table:
            _merge_field(table[name], seen, changes)
            continue
        ftype, note = words.field_type(seen)
        options = seen.options if ftype in _CHOICE else []
        if ftype in _CHOICE and not options:
            changes.warnings.append(
                N_("custom field {name!r} is a {type} but no option was seen: add it by hand", name=name, type=ftype)
            )
            continue
        entry = tomlkit.table()
        entry.comment(words.seen(seen.contacts) + note + stamp)
        entry.add("type", ftype)
        if options:
            array = tomlkit.array()
            array.extend(options)
            array.comment(tr.gettext("options the API showed and values seen: the list may be incomplete"))
            entry.add("options", array)
        entry.add(tomlkit.nl())
        table.add(name, entry)
        changes.fields.append((name, ftype))


def _merge_field(entry: Any, seen: SeenField, changes: Changes) -> None:
    kept = entry.get("type")
    if seen.type in FIELD_TYPES and seen.type != kept:
        changes.warnings.append(
            N_(
                "custom field {name!r}: kept the file's type {kept!r} (the API reports {reported!r})",
                name=seen.name,
                kept=kept,
                reported=seen.type,
            )
        )
    if kept not in _CHOICE or seen.type not in (None, kept):
        return  # options of another type mean nothing for the file's
    options = entry.get("options")
    have = set(options or ())
    added = [o for o in seen.options if o not in have]
    if added and options is not None:
        options.extend(added)
        changes.options[seen.name] = added


def _merge_teams(doc: Any, scan: AccountScan, changes: Changes, tr: Translator) -> None:
    tables = doc.get("teams")
    by_uuid = {str(t.get("uuid")): t for t in tables if isinstance(t, dict)} if tables is not None else {}
    for team in scan.teams:
        if not _valid_uuid(team.uuid, N_("team {name!r}", name=team.name), changes):
            continue
        known = by_uuid.get(team.uuid)
        if known is None:
            tables = _append_table(doc, "teams", _team_entry(team), tables, tr)
            changes.teams.append(team.name)
            continue
        if str(known.get("name")) != team.name:
            changes.warnings.append(
                N_(
                    "team {uuid}: kept the file's name {kept!r} (the API calls it {name!r})",
                    uuid=team.uuid,
                    kept=known.get("name"),
                    name=team.name,
                )
            )
        if "members" not in known:
            known["members"] = tomlkit.array()
        have = {str(m).casefold() for m in known["members"]}
        added = [m for m in team.members if m.casefold() not in have]
        if added:
            known["members"].extend(added)
            changes.members[str(known.get("name", team.name))] = added


def _merge_channels(doc: Any, scan: AccountScan, changes: Changes, tr: Translator) -> None:
    tables = doc.get("channels")
    have = {str(t.get("uuid")) for t in tables or () if isinstance(t, dict)}
    for channel in scan.channels:
        if channel.uuid in have or not _valid_uuid(channel.uuid, N_("channel {title!r}", title=channel.title), changes):
            continue
        tables = _append_table(doc, "channels", _channel_entry(channel), tables, tr)
        changes.channels.append(f"{channel.title} ({channel.type})")


# --- tomlkit helpers -----------------------------------------------------------------------------------------


def _add_strings(doc: Any, key: str, entries: list[tuple[str, str]]) -> list[str]:
    """Add the (value, comment) entries whose value the list lacks (compared case-insensitively)."""
    current = doc.get(key)
    have = {str(v).casefold() for v in current or ()}
    new = [(v, c) for v, c in entries if v.casefold() not in have]
    if not new:
        return []
    if isinstance(current, Array) and "\n" in current.as_string():
        for value, comment in new:  # a list written one per line: add lines, keep everything else
            current.add_line(value, comment=comment)
    else:
        # A one-line list (or none) has nowhere for comments: rewrite it one item per line, same items.
        array = tomlkit.array()
        for value in current or ():
            array.add_line(value)
        for value, comment in new:
            array.add_line(value, comment=comment)
        array.add_line(indent="")
        if isinstance(current, Array):
            array.trivia.comment_ws, array.trivia.comment = current.trivia.comment_ws, current.trivia.comment
        doc[key] = array
    return [v for v, _ in new]


def _append_table(doc: Any, key: str, entry: Table, tables: Any, tr: Translator) -> Any:
    if tables is None:
        if not doc.as_string().endswith("\n\n"):
            doc.add(tomlkit.nl())
        doc.add(tomlkit.comment(tr.render(SECTION_COMMENTS[key])))
        doc.add(key, tomlkit.aot())
        tables = doc[key]
    if isinstance(tables, AoT):
        if len(tables) and not tables.as_string().endswith("\n\n"):
            entry.trivia.indent = "\n"  # a blank line between tables, as a person writes them
        tables.append(entry)
    else:  # written as an inline array of tables: add one more of the same kind
        tables.append(entry.unwrap())
    return tables


def _team_entry(team: Team) -> Table:
    entry = tomlkit.table()
    entry.add("uuid", team.uuid)
    entry.add("name", team.name)
    if team.default:
        entry.add("default", True)
    members = tomlkit.array()
    members.extend(team.members)
    entry.add("members", members)
    return entry


def _channel_entry(channel: Channel) -> Table:
    entry = tomlkit.table()
    entry.add("uuid", channel.uuid)
    entry.add("title", channel.title)
    entry.add("type", channel.type)
    entry.add("main", channel.main)
    return entry


# --- wording -------------------------------------------------------------------------------------------------


def _valid_uuid(uuid: str, what: Message, changes: Changes) -> bool:
    if _UUID.match(uuid):
        return True
    changes.warnings.append(N_("{what}: uuid {uuid!r} is not 32 lowercase hex characters; left out", what=what,
                               uuid=uuid))  # fmt: skip
    return False


# --- writing -------------------------------------------------------------------------------------------------


def _cannot_write(path: Path, exc: OSError) -> Message:
    return N_("{path}: cannot write the account file ({reason})", path=str(path), reason=exc.strerror or str(exc))


def _replace(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over: never a half-written account file."""
    directory = path.parent
    if not directory.is_dir():
        raise ConfigError(_no_directory(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(_cannot_write(path, exc)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(_cannot_write(path, exc)) from None
