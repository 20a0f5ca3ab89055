"""importer/delivery/account_index.py on its own: which numbers the account holds, paged into the state file when
that is cheaper than a look-up per row, else looked up per row, against a real sandbox with small pages."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from importer.callbell.client import CallbellClient, ClientConfig
from importer.delivery.account_index import AccountIndex, contact_ids, digits
from importer.state.ledger import Ledger

T = TypeVar("T")
_numbers = itertools.count(34622200001)
PAGE = 2  # contacts per page of the sandboxes here


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "state.db") as opened:
        yield opened


def post(running: Any, number: str, **fields: Any) -> dict[str, Any]:
    body = {"identifier": number, "source": "whatsapp", "name": "Persona", **fields}
    response = httpx.post(f"{running.base_url}/contacts", json=body, headers=running.headers, timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json()["contact"][0])


def account(running: Any, size: int) -> list[dict[str, Any]]:
    return [post(running, str(next(_numbers)), tags=["VIP"]) for _ in range(size)]


def gets(running: Any) -> int:
    return int(running.stats()["by_method"].get("GET", 0))


def with_index(running: Any, ledger: Ledger, action: Callable[[AccountIndex], Awaitable[T]]) -> T:
    async def go() -> T:
        async with CallbellClient(ClientConfig(token=running.token, base_url=running.base_url)) as client:
            return await action(AccountIndex(client, ledger))

    return asyncio.run(go())


async def prepared(index: AccountIndex, rows: int, *numbers: str) -> tuple[bool, list[Any]]:
    await index.prepare(rows)
    return index.complete, [await index.find("whatsapp", n) for n in numbers]


def test_an_account_cheaper_to_page_than_to_look_up_is_indexed(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--page-size", str(PAGE))
    contacts = account(running, 5)  # 3 pages, and an empty 4th: fewer than half of 20 look-ups
    missing = str(next(_numbers))
    number = contacts[3]["phoneNumber"]
    before = gets(running)
    complete, found = with_index(running, ledger, lambda i: prepared(i, 20, number, missing))
    assert complete
    paged = gets(running) - before
    assert 4 <= paged <= 10  # the pages, none a look-up
    uuid, href, current = found[0]
    assert (uuid, href) == (contacts[3]["uuid"], contacts[3]["href"])
    assert current is not None and current["tags"] == ["VIP"]  # as the listing showed it, for --on-existing update
    assert found[1] is None
    assert gets(running) - before == paged  # both answered from the index: no request


def test_an_account_dearer_to_page_is_looked_up_per_row(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--page-size", str(PAGE))
    contacts = account(running, 5)
    number = contacts[0]["phoneNumber"]
    before = gets(running)
    # 4 rows: a budget of 2 pages, and the account has more; the index is dropped, each row is looked up.
    complete, found = with_index(running, ledger, lambda i: prepared(i, 4, number))
    assert not complete
    assert found[0][:2] == (contacts[0]["uuid"], contacts[0]["href"])
    assert gets(running) - before == 2 + 1  # the budget's pages, then one look-up


def test_paging_stops_at_once_when_the_state_knows_more_contacts_than_the_budget(
    sandbox_factory, ledger: Ledger
) -> None:
    running = sandbox_factory("--page-size", str(PAGE))
    contacts = account(running, 5)
    for c in contacts:  # this state made them: the account has at least 3 pages
        ledger.contacts.remember("whatsapp", digits(c["phoneNumber"]), c["uuid"], c["href"], run="run0")
    before = gets(running)
    complete, _ = with_index(running, ledger, lambda i: prepared(i, 4))
    assert not complete
    assert gets(running) - before == 1  # page 1 for its size, then no more


def test_a_second_prepare_that_gives_up_forgets_the_first_index(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--page-size", str(PAGE))
    contacts = account(running, 5)
    number = contacts[0]["phoneNumber"]

    async def twice(index: AccountIndex) -> tuple[bool, Any]:
        await index.prepare(20)
        assert index.complete
        await index.prepare(2)  # budget 1 page: gives up
        return index.complete, index.current("whatsapp", digits(number), contacts[0]["uuid"])

    complete, current = with_index(running, ledger, twice)
    assert not complete and current is None
    fresh = with_index(running, ledger, lambda i: i.find("whatsapp", number))  # looked up: the API answers
    assert fresh is not None and fresh[0] == contacts[0]["uuid"]


def test_a_number_held_twice_answers_the_oldest_contact(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--page-size", str(PAGE), "--on-duplicate", "create")
    number = str(next(_numbers))
    oldest, _newer = post(running, number), post(running, number)
    complete, found = with_index(running, ledger, lambda i: prepared(i, 20, number))
    assert complete and found[0][0] == oldest["uuid"]


def test_only_phone_numbers_are_looked_up(sandbox, ledger: Ledger) -> None:
    before = gets(sandbox)
    assert with_index(sandbox, ledger, lambda i: i.find("email", "ana@example.com")) is None
    assert gets(sandbox) == before


def test_contact_ids_makes_the_href_from_the_uuid_when_the_api_gives_none() -> None:
    assert contact_ids({"uuid": "u1", "href": "https://x/u1"}) == ("u1", "https://x/u1")
    assert contact_ids({"uuid": "u1"}) == ("u1", "https://dash.callbell.eu/contacts/u1")
    assert contact_ids({"uuid": "u1"}, "https://given") == ("u1", "https://given")
    assert contact_ids({}) == ("", "")
    assert digits("+34 622-00 11") == "346220011" and digits(None) == ""
