"""Stage 2b, the reconcile pass: no uncertain row leaves two contacts behind.

A row is uncertain when a POST's answer was lost, or when a run finds an intent without its answer
(importer.state.uncertain keeps them in the state file). Its re-send waits --settle seconds so that the look-up
before it can see the first contact; when reads trail writes by longer than that, the look-up misses it and
the re-send makes a second one. At the end of every run that sent rows, this pass:

1. waits until --settle has passed since the last uncertain POST ended;
2. pages `GET /contacts?source=whatsapp` once (the API cannot list by number), keeping the contacts with an
   uncertain row's number. While a contact this state knows it made for such a row is missing from the
   listing, reads trail by more than that: it waits and pages again (a listing that shows a contact shows
   every contact created before it);
3. per row, takes the contacts provably made by this importer for it — that number; created (`createdAt`)
   no earlier than the row's intent and no later than its last POST ended, allowing CLOCK_SLACK for the
   clocks; not a contact this state only ever updated; and no more of them than the POSTs that may have
   landed — keeps the oldest, deletes the others, and records the kept one (the results' uuid) with a note
   in the row's warning. Whatever it cannot prove ours it leaves alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
import time
from typing import TYPE_CHECKING, Any

from importer.callbell.client import ApiError, CallbellClient, Stopped
from importer.delivery.account_index import contact_ids, digits, every
from importer.i18n.message import N_
from importer.i18n.translator import Translator
from importer.state.ledger import Ledger
from importer.state.uncertain import Doubt, Uncertain

if TYPE_CHECKING:
    from importer.progress import Progress

CLOCK_SLACK = 2.0  # seconds: createdAt has whole seconds, and the server's clock is not quite ours
LISTINGS = 4  # listings taken at most, waiting settle, 2 x settle, 4 x settle between them


async def pause(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds`, less when stopped meanwhile (a signal); False when stopped."""
    if seconds > 0 and not stop.is_set():
        with contextlib.suppress(TimeoutError):  # the time is up: not stopped
            await asyncio.wait_for(stop.wait(), timeout=seconds)
    return not stop.is_set()


async def reconcile(
    client: CallbellClient,
    ledger: Ledger,
    run: str,
    settle: float,
    stop: asyncio.Event,
    progress: Progress,
    translator: Translator | None = None,
) -> int:
    """Reconcile every open doubt (whichever run raised it) and report them in this run's rows; returns the
    number of extra contacts deleted. A doubt it cannot settle now (stopped, API errors) stays for the next run.
    The rows' notes are written in the language of `translator` (English without one)."""
    tr = translator or Translator()
    uncertain = ledger.uncertain
    doubts = uncertain.open()
    removed = 0
    if doubts:
        progress.start(len(doubts), N_("Reconciling uncertain rows"))
        try:
            removed = await _reconcile(client, ledger, uncertain, doubts, run, settle, stop, progress, tr)
        except (ApiError, Stopped):
            pass  # the listing kept failing, or the run stopped: the open doubts are taken up by the next run
        finally:
            progress.close()
    uncertain.report(run)
    return removed


async def _reconcile(
    client: CallbellClient,
    ledger: Ledger,
    uncertain: Uncertain,
    doubts: list[Doubt],
    run: str,
    settle: float,
    stop: asyncio.Event,
    progress: Progress,
    tr: Translator,
) -> int:
    phones = [d for d in doubts if d.source == "whatsapp"]
    for doubt in doubts:
        if doubt.source != "whatsapp":  # only phone numbers can be found in a listing
            uncertain.close(doubt, run, doubt.note)
            progress.advance()
    if not phones or not await pause(stop, min(settle, max(d.last for d in phones) + settle - time.time())):
        return 0
    # What the listing must show before it is trusted: the contact this state knows it made for each row, or,
    # for a row still without one (no answer, or a refusal the look-up could not explain), some contact of ours;
    # for a row whose contact a look-up found after several POSTs, when the first listing shows that reads lag
    # more than --settle, a contact made after its last POST ended.
    made = {}
    for doubt in phones:
        known = ledger.contacts.known(doubt.source, doubt.identifier)
        if known is not None and known.state in ("done", "sending"):
            made[doubt] = known.uuid if known.state == "done" else ""
    wait, lagging = max(settle, 0.5), False
    for attempt in range(LISTINGS):
        listed, newest = await _listing(client, {digits(d.identifier) for d in phones}, ledger.contacts.count_known())
        lagging = lagging or _lagging(made, listed)
        horizon = newest if lagging else float("inf")
        unseen = {d for d, uuid in made.items() if not _shown(d, uuid, listed.get(digits(d.identifier), []), horizon)}
        if not unseen or attempt == LISTINGS - 1:
            break
        if not await pause(stop, wait * 2**attempt):
            return 0
    slots = asyncio.Semaphore(max(1, client.config.concurrency or 8))

    async def one(doubt: Doubt) -> int:
        number = digits(doubt.identifier)
        async with slots:
            if stop.is_set():
                return 0  # stays open for the next run
            removed = 0
            if doubt in unseen and made[doubt] and not doubt.found:
                note = tr.gettext(
                    "not checked for a duplicate: the account's listing did not show its contact {uuid} after"
                    " {tries} tries (reads lag more than --settle {settle} s)",
                    uuid=made[doubt],
                    tries=LISTINGS,
                    settle=format(settle, "g"),
                )
                uncertain.close(doubt, run, note, made[doubt])
            else:
                caveat = (
                    tr.gettext(
                        "a duplicate made by its last requests may remain: the listing showed no contact made after"
                        " them in {tries} tries (reads lag more than --settle {settle} s)",
                        tries=LISTINGS,
                        settle=format(settle, "g"),
                    )
                    if doubt in unseen and doubt.found
                    else ""
                )
                try:
                    contacts = listed.get(number, [])
                    removed = await _settle_row(client, ledger, uncertain, doubt, run, contacts, caveat, tr)
                except (ApiError, Stopped):
                    return 0  # a delete kept failing, or could not start: the doubt stays open for the next run
            progress.advance()
            return removed

    return sum(await asyncio.gather(*(one(d) for d in phones)))


async def _listing(
    client: CallbellClient, numbers: set[str], known: int
) -> tuple[dict[str, list[dict[str, Any]]], float]:
    """The account's WhatsApp contacts with one of `numbers`, in listing order, and the newest createdAt of all
    the listing shows (epoch seconds: it shows every contact made before that). The account holds at least the
    `known` contacts of this state: up to their last page, as many pages in flight as the concurrency allows,
    then a few at a time (pages past the end are wasted requests)."""
    found: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    newest = float("-inf")
    page, per_page, wide = 1, 0, max(1, client.config.concurrency or 8)
    while True:
        ahead = math.ceil(known / per_page) - page + 1 if per_page else 1  # page 1 alone: its size
        batch = range(page, page + max(1 if not per_page else 2, min(wide, ahead)))
        pages = await every(client.contacts_page(p, source="whatsapp") for p in batch)
        for contacts in pages:
            if not contacts:
                return found, newest
            per_page = per_page or len(contacts)
            for contact in contacts:
                newest = max(newest, _created(contact))
                number, uuid = digits(contact.get("phoneNumber")), str(contact.get("uuid") or "")
                if number in numbers and uuid and uuid not in seen:
                    seen.add(uuid)
                    found.setdefault(number, []).append(contact)
        page += len(batch)


async def _settle_row(
    client: CallbellClient,
    ledger: Ledger,
    uncertain: Uncertain,
    doubt: Doubt,
    run: str,
    contacts: list[dict[str, Any]],
    caveat: str = "",
    tr: Translator | None = None,
) -> int:
    tr = tr or Translator()
    ours = sorted((c for c in contacts if _ours(ledger, doubt, c)), key=_created)  # stable: listing order on ties
    known = ledger.contacts.known(doubt.source, doubt.identifier)
    if len(ours) > doubt.posts:
        uuids = ", ".join(str(c["uuid"]) for c in ours)
        note = tr.ngettext(
            "{made} contacts with this number were made while its create was uncertain, more than the {n} request"
            " sent: none deleted, check them by hand ({uuids})",
            "{made} contacts with this number were made while its create was uncertain, more than the {n} requests"
            " sent: none deleted, check them by hand ({uuids})",
            doubt.posts,
            made=len(ours),
            uuids=uuids,
        )
        uncertain.close(doubt, run, note, known.uuid if known is not None and known.state == "done" else "")
        return 0
    if not ours:  # nothing made: a failed row stays failed, its intent makes the next run look again
        uncertain.close(doubt, run, doubt.note)
        return 0
    uuid, href = contact_ids(ours[0])
    extras = [str(c["uuid"]) for c in ours[1:]]
    note = doubt.note  # an interrupted pass's note names what it deleted
    if extras:
        note = tr.ngettext(
            "{n} duplicate created after a lost answer deleted (uuid {uuids}); kept the first, {uuid}",
            "{n} duplicates created after a lost answer deleted (uuids {uuids}); kept the first, {uuid}",
            len(extras),
            uuids=", ".join(extras),
            uuid=uuid,
        )
    note = "; ".join(n for n in (note, caveat) if n and (n == note or n not in note))
    if extras:
        uncertain.plan(doubt, note)
    for extra in extras:
        # False: already gone (this DELETE's lost answer retried, or an earlier pass's): gone either way.
        await client.delete_contact(extra)
    with ledger.transaction():
        made_by = known.run if known is not None and known.state == "done" and known.run else doubt.run
        # The row's contact: the oldest.
        ledger.contacts.remember(doubt.source, doubt.identifier, uuid, href, run=made_by)
        uncertain.close(doubt, run, note, uuid, href)
    return len(extras)


def _lagging(made: dict[Doubt, str], listed: dict[str, list[dict[str, Any]]]) -> bool:
    """Does the listing, taken --settle after the last uncertain request, show that reads trail by more? A row
    with more than one contact of ours (a look-up missed the first), one without the contact the state knows
    it made, or one without a contact in the state but with one in the listing (the last look-up missed it)."""
    for doubt, uuid in made.items():
        mine = [c for c in listed.get(digits(doubt.identifier), []) if _in_window(doubt, c)]
        if len(mine) > 1 or (uuid and all(c["uuid"] != uuid for c in mine)) or (not uuid and mine):
            return True
    return False


def _shown(doubt: Doubt, uuid: str, contacts: list[dict[str, Any]], newest: float) -> bool:
    """Does the listing show the contact `uuid` (or, without one, any contact made in the row's window; or, after
    a look-up found it, a contact made after the row's last POST, and so everything made before)?"""
    if doubt.found:
        return newest >= doubt.last + CLOCK_SLACK
    if uuid:
        return any(c["uuid"] == uuid for c in contacts)
    return any(_in_window(doubt, c) for c in contacts)


def _in_window(doubt: Doubt, contact: dict[str, Any]) -> bool:
    return doubt.since - CLOCK_SLACK <= _created(contact) <= doubt.last + CLOCK_SLACK


def _ours(ledger: Ledger, doubt: Doubt, contact: dict[str, Any]) -> bool:
    """Made by this importer for the row: created between its intent and its last POST's end, and not a contact
    that a run of this state updated (those were the account's own)."""
    if not _in_window(doubt, contact):
        return False
    return not ledger.runs.ever_updated(str(contact["uuid"]))


def _created(contact: dict[str, Any]) -> float:
    """createdAt as epoch seconds; -inf when missing or unreadable (never provably ours)."""
    try:
        when = dt.datetime.fromisoformat(str(contact.get("createdAt") or "").replace("Z", "+00:00"))
    except ValueError:
        return float("-inf")
    if when.tzinfo is None:
        return float("-inf")  # no zone: cannot be placed on our clock
    return when.timestamp()
