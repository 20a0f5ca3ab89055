"""The words of `importer account pull`: the comments it writes into the account file and the summary it
prints, in the run's language. The TOML itself (keys, values, the examples in the comments) is the same in every
language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from importer.account.model import FIELD_TYPES
from importer.account.pull import AccountScan, SeenField, SeenUser
from importer.errors import capped
from importer.i18n.message import N_, NP_
from importer.i18n.translator import Translator


def skeleton(scan: AccountScan, now: datetime, tr: Translator | None = None) -> str:
    """A new file: what was read and from where, what the API cannot show, and empty lists to fill; its comments
    in `tr`'s language, the TOML (keys, examples) as it is."""
    tr = tr or Translator()
    if scan.complete:
        read = tr.ngettext(
            "read every contact: {contacts} on {n} page.",
            "read every contact: {contacts} on {n} pages.",
            scan.pages,
            contacts=scan.contacts,
        )
    else:
        read = tr.ngettext(
            "PARTIAL scan, stopped by --max-pages after {contacts} contacts on {n} page:\n"
            "contacts not read may carry tags, custom fields and assigned users that are not listed here.",
            "PARTIAL scan, stopped by --max-pages after {contacts} contacts on {n} pages:\n"
            "contacts not read may carry tags, custom fields and assigned users that are not listed here.",
            scan.pages,
            contacts=scan.contacts,
        )
    when = now.strftime("%Y-%m-%d %H:%M")
    header = [
        tr.gettext("Callbell account for `importer import`, `validate` and `mapping`."),
        tr.gettext(
            "Written by `importer account pull` on {when} UTC from {source};", when=when,
            source=where_from(scan.source),
        ),
        read,
        tr.gettext(
            "The API cannot list an account's tags, custom fields or users. This file holds what it does show: teams"
            " and\ntheir members, channels, and the tags, custom fields and assigned users seen on the contacts read."
        ),
        tr.gettext(
            "Edit it freely: running `importer account pull -o THIS_FILE` again only adds, and keeps your entries and"
            " comments."
        ),
    ]  # fmt: skip
    tags = tr.gettext(
        "Tags carried by the contacts read. Tags no contact carries yet are invisible to the API:\n"
        "add them from Settings -> Tags, e.g. {example}.",
        example='tags = ["VIP", "Call back"]',
    )
    users = tr.gettext(
        "Users: team members (GET /teams/:uuid/members) and users assigned to the contacts read.\n"
        "Users in no team and assigned to no contact are invisible to the API: add them from Settings -> Users."
    )
    fields = tr.gettext(
        "Custom fields with a value on a contact read, with the type the API reports (include_field_types=true).\n"
        "Custom fields no contact has a value for are invisible to the API: add them from Settings -> Custom fields:"
    )
    example = (
        '#   [custom_fields."Plan"]\n'
        '#   type = "dropdown"            # text | email | number | date | dropdown | checkbox\n'
        '#   options = ["Basic", "Pro"]'
    )
    return f"""\
{_comment(*header)}

{_comment(tags)}
tags = []

{_comment(users)}
users = []

{_comment(fields)}
{example}
"""


def _comment(*paragraphs: str) -> str:
    """Text as TOML comment lines: every line of every paragraph after `# `."""
    return "\n".join(("# " + line).rstrip() for text in paragraphs for line in text.splitlines())


SECTION_COMMENTS = {
    "teams": N_("Teams (GET /teams) and their members (GET /teams/:uuid/members)."),
    "channels": N_("Channels (GET /channels; discarded channels are left out)."),
}


@dataclass(frozen=True)
class Wording:
    """The comments a pull writes beside each entry, in the run's language."""

    scan: AccountScan
    tr: Translator

    def seen(self, n: int) -> str:
        tr, contacts = self.tr, self.scan.contacts
        if not n:
            return tr.ngettext(
                "no value on the {n} contact read; typed by the API",
                "no value on the {n} contacts read; typed by the API",
                contacts,
            )
        if self.scan.complete:
            return tr.ngettext("on {seen} of {n} contact read", "on {seen} of {n} contacts read", contacts, seen=n)
        return tr.ngettext(
            "on {seen} of {n} contact read (partial scan)",
            "on {seen} of {n} contacts read (partial scan)",
            contacts,
            seen=n,
        )

    def user_note(self, user: SeenUser) -> str:
        tr = self.tr
        parts = []
        if user.teams:
            names = tr.render(capped(user.teams))
            parts.append(tr.ngettext("team {names}", "teams {names}", len(user.teams), names=names))
        if user.assigned:
            parts.append(tr.ngettext("assigned to {n} contact read", "assigned to {n} contacts read", user.assigned))
        return "; ".join(parts)

    def field_type(self, seen: SeenField) -> tuple[str, str]:
        """The type to write and a note when it is a guess."""
        if seen.type in FIELD_TYPES:
            return str(seen.type), ""
        if seen.type is None:
            return "text", "; " + self.tr.gettext("the API did not report its type: text assumed, check it")
        return "text", "; " + self.tr.gettext(
            "the API reports type {type!r}, unknown to the importer: text assumed, check it", type=seen.type
        )


def summary_text(changes: Any, tr: Translator) -> str:
    """What a pull changed (importer.account.file's Changes), in `tr`'s language."""
    say = tr.render
    tags = NP_("+ {n} tag: {names}", "+ {n} tags: {names}", len(changes.tags), names=names_of(changes.tags))
    users = NP_("+ {n} user: {names}", "+ {n} users: {names}", len(changes.users), names=names_of(changes.users))
    parts = [
        say(tags) if changes.tags else tr.gettext("tags unchanged"),
        say(users) if changes.users else tr.gettext("users unchanged"),
    ]
    fields = [tr.gettext("+ custom field {name!r} ({type})", name=n, type=t) for n, t in changes.fields]
    fields += [
        tr.ngettext("+ {n} option for {name!r}: {names}", "+ {n} options for {name!r}: {names}", len(o), name=n,
                    names=names_of(o))
        for n, o in changes.options.items()
    ]  # fmt: skip
    parts.append("; ".join(fields) or tr.gettext("custom fields unchanged"))
    teams = [
        tr.ngettext("+ {n} team: {names}", "+ {n} teams: {names}", len(changes.teams), names=names_of(changes.teams))
    ] if changes.teams else []  # fmt: skip
    teams += [
        tr.ngettext("+ {n} member of {name!r}: {names}", "+ {n} members of {name!r}: {names}", len(m), name=n,
                    names=names_of(m))
        for n, m in changes.members.items()
    ]  # fmt: skip
    parts.append("; ".join(teams) or tr.gettext("teams unchanged"))
    channels = NP_("+ {n} channel: {names}", "+ {n} channels: {names}", len(changes.channels),
                   names=names_of(changes.channels))  # fmt: skip
    parts.append(say(channels) if changes.channels else tr.gettext("channels unchanged"))
    return "; ".join(parts)


def where_from(url: str) -> str:
    parts = urlsplit(url)  # never a user:password@ part, should a URL carry one
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"


def names_of(names: list[str]) -> Any:
    return capped(names)  # a string, or a Message once capped says "and N more" in the language
