"""What the API shows of an account: the scan behind `importer account pull`.

The API cannot list tags, custom fields or all users. This reads what it can (teams and their members,
channels) and pages through the contacts for the rest: tags they carry, custom fields they have a value for
(typed with include_field_types=true), users they are assigned to. importer.account.file writes the result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from importer.account.model import Channel, Team
from importer.account.walk import member_email, walk_account
from importer.callbell.client import ApiError, CallbellClient, ClientConfig
from importer.errors import AccountError
from importer.i18n.message import N_, Message

PAGE_WINDOW = 4  # contact pages asked for at once: paging a large account stays latency-bound otherwise


@dataclass
class SeenField:
    name: str
    type: str | None  # as the API reported it (None: it did not say); may be one the importer does not know
    options: list[str] = field(default_factory=list)  # the API's options for the field, then values seen
    contacts: int = 0  # contacts read with a value for it


@dataclass
class SeenUser:
    email: str
    teams: list[str] = field(default_factory=list)  # names of the teams listing them as a member
    assigned: int = 0  # contacts read assigned to them


@dataclass
class AccountScan:
    """The account as the API shows it, with where each thing was seen."""

    source: str  # the API it came from (base URL), for the file's comments
    contacts: int = 0  # contacts read
    pages: int = 0  # contact pages read
    complete: bool = True  # False when --max-pages stopped the scan before the last page
    tags: dict[str, int] = field(default_factory=dict)  # tag -> contacts carrying it
    fields: dict[str, SeenField] = field(default_factory=dict)
    users: dict[str, SeenUser] = field(default_factory=dict)  # by case-folded email
    teams: list[Team] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)

    def add_contact(self, contact: dict[str, Any]) -> None:
        self.contacts += 1
        for tag in _tag_names(contact.get("tags")):
            self.tags[tag] = self.tags.get(tag, 0) + 1
        email = member_email(contact.get("assignedUser"))
        if email:
            self._user(email).assigned += 1
        meta = contact.get("customFieldsMetadata")
        meta = meta if isinstance(meta, dict) else {}
        values = contact.get("customFields")
        values = values if isinstance(values, dict) else {}
        for name in dict.fromkeys((*values, *meta)):
            spec = meta.get(name) if isinstance(meta.get(name), dict) else {}
            value = spec.get("value", values.get(name))
            seen = self.fields.get(name)
            if seen is None:
                seen = self.fields[name] = SeenField(name=str(name), type=None)
            ftype = spec.get("type")
            if seen.type is None and isinstance(ftype, str) and ftype:
                seen.type = ftype
            _add_options(seen.options, spec.get("options"))
            if _has_value(value):
                seen.contacts += 1
                if seen.type in ("dropdown", "checkbox"):
                    _add_options(seen.options, value if isinstance(value, list) else [value])

    def add_member(self, email: str, team: str) -> None:
        user = self._user(email)
        if team not in user.teams:
            user.teams.append(team)

    def _user(self, email: str) -> SeenUser:
        return self.users.setdefault(email.casefold(), SeenUser(email=email))


PageCallback = Callable[[int, int], None]  # (contact pages read, contacts read)


async def scan_account(
    client: CallbellClient, *, max_pages: int | None = None, on_page: PageCallback | None = None
) -> AccountScan:
    """Teams, members, channels, then every contact page (or the first `max_pages`); raises ApiError."""
    scan = AccountScan(source=client.config.base_url)
    listed = await walk_account(client)
    for team in listed.teams:
        for email in team.members:
            scan.add_member(email, team.name)
    scan.teams, scan.channels = list(listed.teams), list(listed.channels)
    await _scan_contacts(client, scan, max_pages, on_page)
    return scan


async def _scan_contacts(
    client: CallbellClient, scan: AccountScan, max_pages: int | None, on_page: PageCallback | None
) -> None:
    page = 1
    previous: list[str] | None = None
    while max_pages is None or page <= max_pages:
        last = page + PAGE_WINDOW - 1 if max_pages is None else min(page + PAGE_WINDOW - 1, max_pages)
        batch = await asyncio.gather(
            *(client.contacts_page(n, include_field_types=True) for n in range(page, last + 1))
        )
        for contacts in batch:
            uuids = [str(c.get("uuid")) for c in contacts]
            # The docs say: page until a page comes back empty. A server that ignores ?page would repeat itself.
            if not contacts or uuids == previous:
                return
            previous = uuids
            for contact in contacts:
                scan.add_contact(contact)
            scan.pages += 1
            if on_page is not None:
                on_page(scan.pages, scan.contacts)
        page = last + 1
    # Stopped by max_pages: the scan is complete only if the next page is empty.
    scan.complete = not await client.contacts_page(page)


def pull_account(
    config: ClientConfig, *, max_pages: int | None = None, on_page: PageCallback | None = None
) -> AccountScan:
    """scan_account with its own client and event loop; a refused token or failing API is an AccountError."""

    async def run() -> AccountScan:
        async with CallbellClient(config) as client:
            await _checked(client.probe(), "GET /auth/me")
            scanning = scan_account(client, max_pages=max_pages, on_page=on_page)
            return await _checked(scanning, N_("reading the account"))

    return asyncio.run(run())


async def _checked(call: Awaitable[Any], what: Message | str) -> Any:
    try:
        return await call
    except ApiError as exc:
        if exc.status in (401, 403):
            raise AccountError(
                N_(
                    "the API refused the token (HTTP {status}): check CALLBELL_API_TOKEN or --token-file",
                    status=str(exc.status),
                )
            ) from None
        # The API's own words (the client's) stay as they are: a Message when the client gives one.
        cause = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Message) else str(exc)
        raise AccountError(N_("{what} failed: {error}", what=what, error=cause)) from None


def _tag_names(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    names = [t.get("name") if isinstance(t, dict) else t for t in value]  # plain names, as documented, or objects
    return list(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))


def _has_value(value: Any) -> bool:
    return value not in (None, "", [], {})


def _add_options(options: list[str], values: Any) -> None:
    for value in values if isinstance(values, list) else ():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value).strip()
            if text and text not in options:
                options.append(text)
