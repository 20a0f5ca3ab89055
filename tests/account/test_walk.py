"""importer.account.walk: every page of teams, members and channels, against a real sandbox that pages them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from importer.account.model import Account, Team, load_account
from importer.account.walk import discover, listing, walk_account
from importer.callbell.client import CallbellClient, ClientConfig

PAGE = 5  # the sandbox's --page-size: 12 teams are 3 pages, 7 members 2, 6 channels 2


def write_account(path: Path, teams: int = 12, channels: int = 6) -> Path:
    lines = ["tags = []"]
    for n in range(1, teams + 1):
        members = ", ".join(f'"agent{n}.{m}@example.com"' for m in range(1, 8 if n == teams else 2))
        lines += ["[[teams]]", f'uuid = "{n:032x}"', f'name = "Team {n}"', f"members = [{members}]"]
    for n in range(1, channels + 1):
        lines += ["[[channels]]", f'uuid = "{n:032x}"', f'title = "Channel {n}"', 'type = "whatsapp"']
        lines += [f"main = {'true' if n == 1 else 'false'}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(sandbox: Any, call: Any) -> Any:
    async def go() -> Any:
        async with CallbellClient(ClientConfig(token=sandbox.token, base_url=sandbox.base_url)) as client:
            return await call(client)

    return asyncio.run(go())


def test_the_walker_reads_every_page_of_teams_members_and_channels(sandbox_factory, tmp_path: Path) -> None:
    served = load_account(write_account(tmp_path / "account.toml"))
    sandbox = sandbox_factory("--page-size", str(PAGE), account_file=tmp_path / "account.toml")
    first, pages = run(sandbox, lambda c: c.listing_page("teams", "teams", 1))
    assert (len(first), pages) == (PAGE, 3)  # the sandbox pages teams, as the API does

    listed = run(sandbox, walk_account)
    assert listed.teams == served.teams  # uuid, name, members (7 of the last: two pages), default
    assert listed.channels == served.channels
    assert run(sandbox, lambda c: walk_account(c, channels=False)).channels == ()


def test_the_import_pre_flight_learns_teams_past_the_first_page(sandbox_factory, tmp_path: Path) -> None:
    served = load_account(write_account(tmp_path / "account.toml"))
    sandbox = sandbox_factory("--page-size", str(PAGE), account_file=tmp_path / "account.toml")
    mine = Team(uuid=f"{12:032x}", name="Team 12 (ours)", members=("boss@example.com",))
    learned = run(sandbox, lambda c: discover(c, Account(teams=(mine,))))
    by_uuid = {t.uuid: t for t in learned.teams}
    assert set(by_uuid) == {t.uuid for t in served.teams}
    assert by_uuid[mine.uuid].name == "Team 12 (ours)"  # the file wins where both speak; members add up
    assert by_uuid[mine.uuid].members == ("boss@example.com", *served.teams[-1].members)
    assert learned.channels == served.channels


class Repeating:
    """A server that ignores ?page but claims many pages: the walker stops at the first repeat."""

    def __init__(self) -> None:
        self.calls = 0

    async def listing_page(self, path: str, key: str, page: int) -> tuple[list[dict[str, Any]], int | None]:
        self.calls += 1
        return [{"uuid": "a" * 32, "name": "Only"}], 999

    async def team_members(self, team_uuid: str, page: int) -> list[dict[str, Any]]:
        self.calls += 1
        return [{"email": "same@example.com"}]


def test_a_server_repeating_its_first_page_is_read_once() -> None:
    server = Repeating()
    assert len(asyncio.run(listing(server, "teams", "teams"))) == 1  # type: ignore[arg-type]
    listed = asyncio.run(walk_account(server, channels=False))  # type: ignore[arg-type]
    assert listed.teams == (Team(uuid="a" * 32, name="Only", members=("same@example.com",)),)
    assert server.calls == 2 + 2 + 2  # each listing: page 1, then its repeat
