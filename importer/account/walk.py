"""What the API lists of an account: every page of GET /teams, each team's members, and GET /channels.

One walker for `importer account pull` and the import's pre-flight (importer.account.model.discover): the
pre-flight once read only the first page of teams, and refused rows for teams the pull had found.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from importer.account.model import FIELD_TYPES, Account, Channel, CustomField, Team

if TYPE_CHECKING:  # the sandbox shares the account package and must not need the client
    from importer.callbell.client import CallbellClient

MAX_LISTING_PAGES = 1000  # a guard for paging against a server that ignores ?page


@dataclass(frozen=True)
class Listed:
    """The teams (with their members) and the channels not discarded, as the API lists them."""

    teams: tuple[Team, ...] = ()
    channels: tuple[Channel, ...] = ()


async def walk_account(client: CallbellClient, *, channels: bool = True) -> Listed:
    """Every team with its members, then (unless `channels` is false) every channel; raises ApiError.

    The listings go at once, then every team's members at once: far from the API (250 ms), one after the other
    they cost a round trip each before the first contact is sent."""

    async def no_channels() -> list[dict[str, Any]]:
        return []

    raw_teams, raw_channels = await asyncio.gather(
        listing(client, "teams", "teams"), listing(client, "channels", "channels") if channels else no_channels()
    )
    named = [(str(raw.get("uuid") or ""), str(raw.get("name") or ""), raw) for raw in raw_teams]
    named = [(uuid, name, raw) for uuid, name, raw in named if uuid]
    members = await asyncio.gather(*(team_members(client, uuid) for uuid, _, _ in named))
    teams = tuple(
        Team(uuid=uuid, name=name or uuid, members=tuple(found), default=bool(raw.get("default")))
        for (uuid, name, raw), found in zip(named, members, strict=True)
    )
    found_channels = tuple(
        Channel(
            uuid=str(c["uuid"]),
            title=str(c.get("title") or c["uuid"]),
            type=str(c.get("type") or "whatsapp"),
            main=bool(c.get("main")),
        )
        for c in raw_channels
        if c.get("uuid") and not c.get("discardedAt")
    )
    return Listed(teams=teams, channels=found_channels)


async def listing(client: CallbellClient, path: str, key: str) -> list[dict[str, Any]]:
    """Every item of GET /teams or /channels, following meta.pages when the API gives it; a page equal to the
    one before (a server ignoring ?page) ends it."""
    items, pages = await client.listing_page(path, key, 1)
    previous = items
    for page in range(2, min(pages or 1, MAX_LISTING_PAGES) + 1):
        more, _ = await client.listing_page(path, key, page)
        if not more or more == previous:
            break
        previous = more
        items = items + more
    return items


async def team_members(client: CallbellClient, team_uuid: str) -> list[str]:
    """A team's member emails, deduplicated, paging until a page is empty or repeats the one before."""
    members: list[str] = []
    previous: list[dict[str, Any]] | None = None
    for page in range(1, MAX_LISTING_PAGES + 1):
        batch = await client.team_members(team_uuid, page)
        if not batch or batch == previous:
            break
        previous = batch
        members += [email for u in batch if (email := member_email(u))]
    return list(dict.fromkeys(members))


async def discover(client: CallbellClient, account: Account) -> Account:
    """The account file completed with what the API exposes: teams and their members (the only API view of
    users), channels, and custom field types seen on existing contacts. The file wins where both speak."""
    # The listings and the first contacts page at once (see walk_account).
    listed, contacts = await asyncio.gather(
        walk_account(client, channels=not account.channels),  # the file's channels win: not read
        client.contacts_page(1, include_field_types=True),
    )
    teams = {t.uuid: t for t in account.teams}
    for team in listed.teams:
        known = teams.get(team.uuid)
        teams[team.uuid] = (
            team if known is None else replace(known, members=tuple(dict.fromkeys((*known.members, *team.members))))
        )
    custom_fields = dict(account.custom_fields)
    for contact in contacts:
        meta = contact.get("customFieldsMetadata")
        for name, spec in meta.items() if isinstance(meta, dict) else ():
            if name not in custom_fields and isinstance(spec, dict) and spec.get("type") in FIELD_TYPES:
                options = tuple(str(o) for o in spec.get("options") or ())
                custom_fields[name] = CustomField(name=name, type=spec["type"], options=options)
    channels = account.channels or listed.channels
    return replace(account, teams=tuple(teams.values()), channels=channels, custom_fields=custom_fields)


def member_email(value: Any) -> str | None:
    """An email from an assignedUser or member entry: a string as documented, or an object carrying one."""
    if isinstance(value, dict):
        value = value.get("email")
    return value.strip() if isinstance(value, str) and "@" in value else None
