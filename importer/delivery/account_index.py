"""Which numbers the account already holds, learned before the sending: by paging the account into the state
file's `account_index` table (importer.state.account_index) when that costs fewer requests than a look-up per
row, else by look-up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

from importer.callbell.client import CallbellClient
from importer.delivery.snapshot import snapshot
from importer.state.ledger import Ledger

T = TypeVar("T")


class AccountIndex:
    """Which numbers the account already has: paged in full when that is cheaper than a look-up per row."""

    def __init__(self, client: CallbellClient, ledger: Ledger) -> None:
        self.client = client
        self.ledger = ledger
        self.complete = False

    async def prepare(self, rows_to_check: int, window: int = 8) -> None:
        # Paging costs one request per page and the account's size is unknown: page while it costs fewer
        # requests than half the look-ups it would replace, else fall back to look-ups.
        budget = max(1, rows_to_check // 2)
        self.complete = False  # until the listing's end is reached (an earlier prepare's index is dropped)
        self.ledger.index.clear()
        # The account holds at least the contacts this state knows: up to their last page, as many pages in
        # flight as the rate allows; near the end, a narrow window (pages past the end are wasted requests).
        known, per_page = self.ledger.contacts.count_known(), 0
        wide = max(window, self.client.config.concurrency or window)
        page = 1
        while page <= budget:
            if per_page and known / per_page > budget:
                break  # more pages than the budget for certain: look up instead, now
            size = wide if per_page and page + wide <= known / per_page else window
            batch = range(page, min(page + (size if per_page else 1), budget + 1))  # page 1 alone: its size
            pages = await every(self.client.contacts_page(p) for p in batch)
            for contacts in pages:
                if not contacts:
                    self.complete = True
                    return
                per_page = per_page or len(contacts)
                self.ledger.index.add(
                    (
                        digits(c.get("phoneNumber")),
                        str(c.get("uuid", "")),
                        str(c.get("href", "")),
                        snapshot(c),  # what --on-existing update compares with
                    )
                    for c in contacts
                    if c.get("phoneNumber") and c.get("uuid")
                )
            page += len(batch)
        self.ledger.index.clear()

    async def find(self, source: str, identifier: str) -> tuple[str, str, dict[str, Any] | None] | None:
        """(uuid, href, the contact in snapshot form) of the account's contact with this number, or None."""
        if source != "whatsapp":
            return None  # only phone numbers can be looked up
        if self.complete:
            found = self.ledger.index.find(digits(identifier))
            return None if found is None else (*found, self.current(source, identifier, found[0]))
        contact = await self.client.find_contact_by_phone(digits(identifier))
        return None if contact is None else (*contact_ids(contact), snapshot(contact))

    def current(self, source: str, identifier: str, uuid: str) -> dict[str, Any] | None:
        """The contact as the listing showed it, when the account was paged (else unknown: None)."""
        if not self.complete or source != "whatsapp":
            return None
        return self.ledger.index.contact(digits(identifier), uuid)


async def every(steps: Iterable[Awaitable[T]]) -> list[T]:
    """asyncio.gather, but the first error is raised only once all have ended: when the run stops, the pages
    already requested are answered before the client closes, rather than cut off."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]  # no exception among them


def digits(value: object) -> str:
    return "".join(c for c in str(value or "") if c.isdigit())


def contact_ids(contact: dict[str, Any], href: str = "") -> tuple[str, str]:
    """(uuid, href) of a contact of the API, the href made from the uuid when the API gave none."""
    uuid = str(contact.get("uuid", ""))
    return uuid, str(contact.get("href") or href or (f"https://dash.callbell.eu/contacts/{uuid}" if uuid else ""))
