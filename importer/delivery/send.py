"""Stage 2: deliver the ledger's pending rows to Callbell, each exactly once.

The API has no idempotency key, so exactly-once rests on the ledger and on look-ups:
- before a POST the intent is committed; after it, the uuid. A run killed in between finds the intent and
  looks the number up before sending again;
- an answer lost in flight (timeout, dropped connection, 5xx) is resolved the same way, by look-up, once a
  read trailing the writes can show the contact (--settle), in a task of its own so no worker waits; the
  doubt is kept in the state file and the reconcile pass at the end of the run (importer.delivery.reconcile)
  removes any extra contact a re-send made all the same;
- a stop (a signal, or the API gone) lets the requests already sent finish and be recorded, and starts no other:
  a row whose request had not started stays pending as it was (a create's intent is withdrawn, an uncertain
  row's doubt kept as it stood), and the next run takes it up;
- contacts already in the account are found first (by paging the account or by look-up, whichever costs
  fewer requests) and handled by --on-existing instead of being created again; `update` sends only what the
  file changed (importer.delivery.changes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from importer.callbell.client import ApiError, CallbellClient, ClientConfig, OutcomeUnknown, Stopped
from importer.delivery._signals import on_stop_signals
from importer.delivery.account_index import AccountIndex
from importer.delivery.account_index import contact_ids as _ids
from importer.delivery.account_index import digits as _digits
from importer.delivery.changes import PATCHABLE, changed_since, current_values, merged_record, patch_body, row_values
from importer.delivery.options import DeliveryOptions
from importer.delivery.reconcile import pause, reconcile
from importer.delivery.snapshot import snapshot
from importer.i18n.message import N_, NP_, Text
from importer.state.ledger import Ledger, RowRecord

if TYPE_CHECKING:
    from importer.progress import Progress

__all__ = ["PATCHABLE", "Courier", "Result", "SendStats", "Unsettled", "deliver"]
BATCH = 500
# A dry run's note on a row whose contact exists: what --on-existing would do with it.
_WOULD = {
    "skip": N_("already in the account: would be skipped (--on-existing skip)"),
    "update": N_("already in the account: would be updated (--on-existing update)"),
    "fail": N_("already in the account: would be failed (--on-existing fail)"),
}


@dataclass
class SendStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    seconds: float = 0.0
    signal: int | None = None  # set when SIGINT/SIGTERM/SIGHUP stopped the sending
    unreachable: bool = False  # set when the API stopped answering and the sending stopped
    duplicates_removed: int = 0  # extra contacts of uncertain rows deleted by the reconcile pass
    # Rows whose contact a POST of this run made, once each (lost answers too). Not the rows a resumed run reports
    # created from what the interrupted run made: the rate of this run's sending is this over `seconds`.
    created: int = 0


@dataclass(frozen=True)
class Result:
    status: str
    uuid: str = ""
    href: str = ""
    error: Text = ""  # rendered in the run's language when it is written into the row
    unreachable: bool = False  # failed because the API could not be reached
    posted: bool = False  # created: by a POST of this run (not found from an earlier, interrupted one)


@dataclass(frozen=True)
class Unsettled:
    """A create whose outcome is not known yet, finished by Courier.settle in a task of its own."""

    record: RowRecord
    payload: dict[str, Any]
    posts: int  # POSTs of it this run sent so far (0: an intent of an earlier attempt, nothing sent yet)
    reason: Text = ""  # why the last answer was lost


async def deliver(
    ledger: Ledger, config: ClientConfig, run: str, options: DeliveryOptions, progress: Progress
) -> SendStats:
    stats = SendStats()
    started = time.monotonic()
    stop = asyncio.Event()
    with on_stop_signals(_on_signal, stop, stats):
        async with CallbellClient(config, stop=stop) as client:
            courier = Courier(client, ledger, run, options)
            courier.settle_unchanged()
            total = ledger.rows.count_pending()
            if total:
                with contextlib.suppress(Stopped):  # stopped while paging the account: no row is sent
                    await courier.index.prepare(total)
                progress.start(total, N_("Checking contacts") if options.dry_run else N_("Sending contacts"))
                try:
                    await _run_workers(courier, ledger, config.concurrency or 16, stop, progress, stats)
                finally:
                    progress.close()
            if not options.dry_run and not stop.is_set():
                # Rows whose create was uncertain, in this run or an interrupted one: no extra contact left.
                stats.duplicates_removed = await reconcile(
                    client, ledger, run, options.settle, stop, progress, courier.tr
                )
                # Rows failed for want of an answer to this run's POSTs whose contact the pass found: created.
                stats.created += ledger.rows.count_status(courier.unanswered, "created")
            stats.requests = client.counters.requests
            stats.retries = client.counters.retries
            stats.rate_limited = client.counters.rate_limited
    stats.seconds = time.monotonic() - started
    return stats


def _on_signal(stop: asyncio.Event, stats: SendStats, signum: int) -> None:
    # Stop taking rows and starting requests; what is in flight finishes, and its outcome is recorded.
    stats.signal = signum
    stop.set()


async def _run_workers(
    courier: Courier, ledger: Ledger, concurrency: int, stop: asyncio.Event, progress: Any, stats: SendStats
) -> None:
    queue: asyncio.Queue[RowRecord | None] = asyncio.Queue(maxsize=concurrency * 2)

    async def produce() -> None:
        last = 0
        while not stop.is_set():
            # Batches by row number: never iterate a cursor over rows that are being updated meanwhile.
            batch = ledger.rows.pending_after(last, BATCH)
            if not batch:
                break
            for record in batch:
                if stop.is_set():
                    break
                await queue.put(record)
            last = batch[-1].row
        for _ in range(concurrency):
            await queue.put(None)

    unreachable = 0  # rows in a row that failed because the API could not be reached
    settling: set[asyncio.Task[None]] = set()  # uncertain creates, finished away from the workers

    async def attempt(step: Awaitable[Result | Unsettled | None]) -> Result | Unsettled | None:
        try:
            return await step
        except Stopped:
            return None  # a request of the row could not start: left pending, the next run takes it up
        except ApiError as exc:  # a look-up that kept failing
            return Result("failed", error=exc.message, unreachable=exc.unreachable)
        except Exception as exc:  # a bug must cost one row, never the run's results
            return Result("failed", error=N_("internal error: {error}", error=repr(exc)))

    def done(record: RowRecord, result: Result) -> None:
        nonlocal unreachable
        unreachable = unreachable + 1 if result.unreachable else 0
        error = courier.tr.render(result.error)  # the cell, in the run's language as it is written
        ledger.rows.set_outcome(record.row, result.status, uuid=result.uuid, href=result.href, error=error)
        if result.posted and result.status == "created":
            stats.created += 1
        progress.advance()
        # As many as were in flight together fail together: past that, the API is plainly gone.
        gate = courier.client.in_flight
        if unreachable >= max(8, gate.limit if gate is not None else concurrency) and not stop.is_set():
            # The API is gone: stop instead of spending every remaining row's retries on it.
            stats.unreachable = True
            stop.set()

    async def settle(unsettled: Unsettled) -> None:
        result = await attempt(courier.settle(unsettled, stop))
        if isinstance(result, Result):  # None: stopped meanwhile, left pending with its doubt recorded
            done(unsettled.record, result)

    async def work() -> None:
        while (record := await queue.get()) is not None:
            if stop.is_set():
                continue  # left pending: the next run sends it
            result = await attempt(courier.deliver(record))
            if isinstance(result, Unsettled):
                task = asyncio.create_task(settle(result))
                settling.add(task)
                task.add_done_callback(settling.discard)
            elif result is not None:
                done(record, result)

    await asyncio.gather(produce(), *(work() for _ in range(concurrency)))
    while settling:
        await asyncio.gather(*settling)


class Courier:
    def __init__(self, client: CallbellClient, ledger: Ledger, run: str, options: DeliveryOptions) -> None:
        self.client = client
        self.ledger = ledger
        self.run = run
        self.options = options
        self.index = AccountIndex(client, ledger)
        self.uncertain = ledger.uncertain
        self.tr = options.translator  # the texts the rows' cells get
        # Rows failed after this run's POSTs got no answer: the reconcile pass may find their contact.
        self.unanswered: set[int] = set()

    def settle_unchanged(self) -> None:
        """`--on-existing update`: a row whose contact this state knows, with nothing changed in the file since
        the record, ends `unchanged` here, in one pass over the ledger: no request, no worker."""
        if self.options.dry_run or self.options.on_existing != "update":
            return
        last = 0
        while batch := self.ledger.synced.pending_with_record(self.run, last, BATCH * 10):
            self.ledger.rows.set_outcomes(
                [
                    ("unchanged", uuid, href, row)
                    for row, payload, uuid, href, record in batch
                    if not changed_since(row_values(json.loads(payload or "{}")), json.loads(record))
                ]
            )
            last = batch[-1][0]

    async def deliver(self, record: RowRecord) -> Result | Unsettled:
        payload: dict[str, Any] = json.loads(record.payload or "{}")
        source, identifier = record.source, record.identifier
        known = self.ledger.contacts.known(source, identifier)
        if known is not None and known.state != "sending":
            ours = known.state == "done" and known.run == self.run  # created by this run before a restart
            return await self._existing(payload, known.uuid, known.href, ours=ours, key=(source, identifier))
        if known is not None:
            # A POST of an earlier attempt may have landed: look (live, not in the index, once a lagging read can
            # show it) before sending again.
            self.uncertain.doubt(source, identifier, self.run)
            return Unsettled(record, payload, posts=0)
        in_account = await self.index.find(source, identifier)
        if in_account is not None:
            uuid, href, current = in_account
            self.ledger.contacts.remember(source, identifier, uuid, href, run="", state="existing")
            if current is not None and self.ledger.synced.get(source, identifier) is None and not self.options.dry_run:
                self.ledger.synced.set(source, identifier, current_values(current))  # first found: as it is
                current_known = True
            else:
                current_known = False
            return await self._existing(
                payload, uuid, href, ours=False, key=(source, identifier), current=current, found=current_known
            )
        if self.options.dry_run:
            return Result("valid")
        result = await self._create(record, payload)
        if isinstance(result, Result) and result.status == "created":
            self.ledger.synced.set(source, identifier, row_values(payload))
        return result

    async def _look_up(self, source: str, identifier: str) -> tuple[str, str] | None:
        """Ask the API now (the account index is a snapshot from before the sending began)."""
        if source != "whatsapp":
            return None  # only phone numbers can be looked up
        found = await self.client.find_contact_by_phone(_digits(identifier))
        return None if found is None else _ids(found)

    async def _existing(
        self,
        payload: dict[str, Any],
        uuid: str,
        href: str,
        *,
        ours: bool,
        key: tuple[str, str],
        current: dict[str, Any] | None = None,
        found: bool = False,
    ) -> Result:
        policy = self.options.on_existing
        if ours:
            if self.ledger.synced.get(*key) is None:  # killed between the create and its record
                self.ledger.synced.set(*key, row_values(payload))
            return Result("created", uuid, href)
        if self.options.dry_run:
            return Result("valid", uuid, href, _WOULD[policy])
        if policy == "skip":
            return Result("skipped", uuid, href)
        if policy == "fail":
            return Result("failed", uuid, href, N_("already in the account (--on-existing fail)"))
        return await self._update(payload, uuid, href, key, current, found)

    async def _update(
        self,
        payload: dict[str, Any],
        uuid: str,
        href: str,
        key: tuple[str, str],
        current: dict[str, Any] | None,
        found: bool,
    ) -> Result:
        """PATCH only what the file changed since this state's record, and of that only what Callbell does not
        already have; `unchanged` when nothing is left. A contact just found is compared with itself as found."""
        row = row_values(payload)
        record = self.ledger.synced.get(*key)
        base = None if found else record  # just found: no record of ours yet, compare with the contact itself
        wanted = changed_since(row, base)
        contact: dict[str, Any] = {}
        try:
            if wanted and current is None:  # the contact as it is: from the listing, else a GET (also for undo)
                current = self.index.current(*key, uuid) or snapshot(await self.client.get_contact(uuid))
            body = patch_body(wanted, current, self.options.tags)
            if body:
                await self._record_before(uuid, current)
                contact = await self.client.update_contact(uuid, body)
        except (ApiError, OutcomeUnknown) as exc:
            why = exc.text if isinstance(exc, ApiError) else exc.message
            return Result("failed", uuid, href, N_("update refused: {error}", error=why))
        synced = merged_record(record if record is not None else _as_record(current), row)
        if synced != record:
            self.ledger.synced.set(*key, synced)
        return Result("updated", *_ids(contact, href)) if body else Result("unchanged", uuid, href)

    async def _record_before(self, uuid: str, current: dict[str, Any] | None = None) -> None:
        """What `importer undo` restores: the contact as the API showed it before this run's first PATCH of it,
        committed before the PATCH leaves (a resumed run already has it, and must not record its own values).
        `current`: the contact already in hand (listing or GET, snapshot form), which saves a GET."""
        if not self.ledger.runs.has_before(self.run, uuid):
            before = current if current is not None else snapshot(await self.client.get_contact(uuid))
            self.ledger.runs.record_before(self.run, uuid, before)

    async def _create(self, record: RowRecord, payload: dict[str, Any]) -> Result | Unsettled:
        source, identifier = record.source, record.identifier
        since = time.time()
        self.ledger.contacts.intend(source, identifier, self.run)  # committed before the POST leaves
        try:
            result = await self._post(payload, (source, identifier), uncertain=False)
        except OutcomeUnknown as exc:
            self.uncertain.doubt(source, identifier, self.run, since)
            return Unsettled(record, payload, posts=1, reason=exc.message)
        except Stopped:  # refused, then stopped before a request after it (the look-up telling why) started
            result = None
        if result is None:
            # Stopped, and nothing created: the POST never left, met only 429s, or was refused. The intent goes
            # (as for a refusal), so the row stays pending as it was and the next run sends it without a look-up.
            self.ledger.contacts.forget(source, identifier)
            raise Stopped
        return result

    async def settle(self, unsettled: Unsettled, stop: asyncio.Event) -> Result | None:
        """The rest of an uncertain create: wait until a read trailing the writes can show what the last POST
        made (--settle, or the backoff when longer), look the number up, and send again only when it is not
        there; a last look before giving up. None when stopped meanwhile (raises Stopped when a look-up could not
        start): the row stays pending, and its intent and doubt in the ledger make the next run look before
        sending."""
        record, payload = unsettled.record, unsettled.payload
        key = (record.source, record.identifier)
        posts, reason = unsettled.posts, unsettled.reason
        attempts = self.client.config.max_retries + 1
        while True:
            backoff = min(30.0, 0.25 * 2 ** (posts - 1)) * random.uniform(0.5, 1.0) if posts else 0.0
            if not await pause(stop, max(self.options.settle, backoff)):
                return None
            found = await self._look_up(*key)
            if found is not None:
                # Ours: the intent proves it, and no run has reported it yet (the last one said "failed").
                self.uncertain.found(*key)
                self.ledger.contacts.remember(*key, *found, run=self.run)
                self.ledger.synced.set(*key, row_values(payload))
                return Result("created", *found, posted=posts > 0)  # posts 0: the interrupted run's POST made it
            if posts >= attempts:
                # The intent and the doubt stay: the reconcile pass and the next run look again.
                self.unanswered.add(record.row)
                return Result(
                    "failed",
                    error=NP_(
                        "no answer after {n} attempt ({reason}); run again to resolve",
                        "no answer after {n} attempts ({reason}); run again to resolve",
                        posts,
                        reason=reason,
                    ),
                )
            self.uncertain.resend(*key)  # committed before the POST leaves
            left = True
            try:
                result = await self._post(payload, key, uncertain=True)
                left = result is not None
            except OutcomeUnknown as exc:
                posts, reason = posts + 1, exc.message
                continue
            finally:
                if left:
                    self.uncertain.ended(*key)
                else:  # stopped before it left: it cannot have landed, and the doubt stays as it stood
                    self.uncertain.unsend(*key)
            if result is None:
                return None
            if result.status == "created":
                self.ledger.synced.set(*key, row_values(payload))
                # Refused as existing: an earlier POST made it, this run's when it had sent one.
                result = replace(result, posted=result.posted or posts > 0)
            return result

    async def _post(self, payload: dict[str, Any], key: tuple[str, str], *, uncertain: bool) -> Result | None:
        """One POST of the row; raises OutcomeUnknown when its answer was lost. `uncertain`: an earlier POST of it
        may have landed. None when the run stopped before the POST left (or while it met only 429s): nothing was
        done; Stopped raised when a request after a refusal (its look-up, an update) could not start."""
        try:
            contact = await self.client.create_contact(payload)
        except Stopped:
            return None
        except ApiError as exc:
            if exc.unreachable:
                return Result("failed", error=exc.message, unreachable=True)
            if 400 <= exc.status < 500:
                # Refused because it exists (the API does not document how it says so)? Then it is there.
                found = await self._look_up(*key)
                if found is not None:
                    uuid, href = found
                    if uncertain:
                        self.uncertain.found(*key)
                    self.ledger.contacts.remember(*key, uuid, href, run=self.run if uncertain else "")
                    return (
                        Result("created", uuid, href)
                        if uncertain
                        else await self._existing(payload, uuid, href, ours=False, key=key)
                    )
            if not uncertain:
                self.ledger.contacts.forget(*key)  # refused for certain: nothing was created
            return Result("failed", error=exc.message)
        uuid, href = _ids(contact)
        self.ledger.contacts.remember(*key, uuid, href, run=self.run)
        return Result("created", uuid, href, posted=True)


def _as_record(current: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if current is None else current_values(current)
