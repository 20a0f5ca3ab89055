"""`--on-missing tag:NAME|delete`: the contacts this job knows that left the source, after the rows were sent.

The contacts a job knows are those its state file holds as created by it or found for one of its rows
(importer.state.removals). Missing are those whose (source, identifier) is none of this run's rows, whatever the
row's status: a row present but invalid tonight keeps its contact, and so does an invalid row whose phone could
not be read when the digits of its phone cell are the contact's (or their end: the same number written without
its country code). Guard rails, because a broken export looks exactly like everyone leaving:

- an input with no rows removes nothing;
- more missing than --max-missing (N, or P% of the contacts the job knows) and nothing is removed: the run says
  why and exits 1, with everything else done;
- contacts the job never created or synced are never looked at.

Each removal is planned in the ledger before the first request and its intent committed before its own request,
as sends are: a run killed mid-way resumes with what is left, and tags nothing twice. A signal lets the requests
on the wire finish and be recorded and starts no other: a removal whose request had not started is left planned
as it was (its intent withdrawn unless an earlier attempt may have landed). A contact tagged on an earlier night
that comes back among the rows has the tag removed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from importer.callbell.client import ApiError, CallbellClient, ClientConfig, OutcomeUnknown, Stopped
from importer.delivery._signals import stop_on_signals
from importer.delivery.account_index import digits
from importer.delivery.options import DeliveryOptions, MissingPolicy, max_missing_limit
from importer.delivery.snapshot import snapshot
from importer.errors import ConfigError
from importer.i18n.message import N_, NP_, Message, Text
from importer.i18n.translator import Translator
from importer.state.ledger import Ledger, Missing, Removal, Returned

if TYPE_CHECKING:
    from importer.account.model import Account
    from importer.progress import Progress

MIN_SUFFIX = 6  # digits of a phone cell that can stand for a national number written without its country code


@dataclass
class MissingReport:
    """What --on-missing did in one run, for the summary, the report and the terminal."""

    policy: str  # keep | tag:NAME | delete
    known: int = 0  # contacts the job knows
    missing: int = 0  # of them, to remove in this run (not already tagged by an earlier one)
    limit: int | None = None  # --max-missing, as a number of contacts
    held_back: Text = ""  # why nothing was removed ('' = not held back): a Message, shown in the run's language
    returned: int = 0  # contacts tagged on an earlier night that came back: their tag removed
    requests: int = 0
    signal: int | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "on_missing": self.policy,
            "known": self.known,
            "missing": self.missing,
            "max_missing": self.limit,
            "held_back": self.held_back or None,
            "returned": self.returned,
        }


@dataclass
class _Run:
    ledger: Ledger
    run: str
    tr: Translator = field(default_factory=Translator)  # the removals' error cells, in the run's language
    stop: asyncio.Event = field(default_factory=asyncio.Event)


def check_missing_tag(policy: MissingPolicy, account: Account) -> MissingPolicy:
    """tag:NAME with NAME as the account spells it; a ConfigError when the account has no such tag (the API
    refuses a tag it does not know)."""
    if policy.action != "tag":
        return policy
    tags = {t.casefold(): t for t in account.tags}
    found = tags.get(policy.tag.casefold())
    if found is None:
        raise ConfigError(
            N_(
                "--on-missing tag:{tag}: {tag!r} is not a tag of the account; create it in Callbell (Settings > Tags)"
                " and add it to the account file",
                tag=policy.tag,
            )
        )
    return MissingPolicy("tag", found)


def handle_missing(
    ledger: Ledger,
    config: ClientConfig | None,
    run: str,
    options: DeliveryOptions,
    rows_read: int,
    progress: Progress,
) -> MissingReport:
    """Untag the contacts that came back, then find the missing ones and remove them (a dry run only plans
    them: its results list them). `run` is '' for a dry run."""
    policy = options.missing
    report = MissingReport(str(policy))
    # (With --on-missing keep and nothing tagged, the usual case, this costs no query over the rows.)
    if config is not None and not options.dry_run and ledger.removals.any_tagged() and ledger.removals.returned():
        asyncio.run(_untag_returned(ledger, config, report, options.translator))
        if report.signal is not None:
            return report  # stopped: nothing is removed, the next run (which resumes this one) does it
    if policy.action == "keep":
        return report
    missing = _missing(ledger, policy)
    done = ledger.removals.count_done(run) if run else 0  # an earlier attempt of this run (resumed)
    # A contact that was in Callbell before this job first met it is never deleted (irreversible), only tagged.
    created_only = policy.action == "delete"
    report.known = ledger.removals.count_known(created_only) + (done if created_only else 0)
    report.missing = len(missing) + done
    report.limit = max_missing_limit(options.max_missing, report.known)
    if not missing:
        pass
    elif rows_read == 0:
        report.held_back = NP_(
            "the input has no rows: the {n} contact this job knows was not removed (--on-missing {policy})",
            "the input has no rows: none of the {n} contacts this job knows was removed (--on-missing {policy})",
            report.known,
            policy=str(policy),
        )
    elif report.missing > report.limit:
        share = 100 * report.missing / report.known if report.known else 100.0
        report.held_back = NP_(
            "{missing} of the {n} contact this job knows is missing ({share}%), more than --max-missing {max}"
            " allows ({limit}): nothing removed; check the input, or raise --max-missing for one run",
            "{missing} of the {n} contacts this job knows are missing ({share}%), more than --max-missing {max}"
            " allows ({limit}): nothing removed; check the input, or raise --max-missing for one run",
            report.known,
            missing=report.missing,
            share=_one_decimal(share),
            max=options.max_missing,
            limit=report.limit,
        )
    if report.held_back or not missing:
        return report
    ledger.removals.plan(run, ((m.uuid, m.source, m.identifier, m.href, policy.action, policy.tag) for m in missing))
    if config is not None and not options.dry_run:
        asyncio.run(_remove(_Run(ledger, run, options.translator), config, report, progress))
    return report


def _one_decimal(value: float) -> Message:
    """A number with one decimal as a Message, so that it is written as the language of wherever the sentence is
    shown writes it (40.0 in summary.json, 40,0 in a Spanish report): the decimal separator is the translation's."""
    units, tenths = divmod(round(value * 10), 10)
    return N_("{units}.{tenths}", units=units, tenths=str(tenths))


def _missing(ledger: Ledger, policy: MissingPolicy) -> list[Missing]:
    """The known contacts missing from this run's rows that this policy has yet to remove."""
    raw = {d.lstrip("0") for d in ledger.rows.phone_digits()}
    raw.discard("")

    def present_as_digits(contact: Missing) -> bool:
        number = digits(contact.identifier)
        # The number itself, or its national part (the cell without the country code): every suffix long enough.
        return bool(raw) and any(number[i:] in raw for i in range(0, max(1, len(number) - MIN_SUFFIX + 1)))

    found = ledger.removals.missing(policy.tag, created_only=policy.action == "delete")
    return [m for m in found if not m.tagged and not present_as_digits(m)]


# --- the requests ----------------------------------------------------------------------------------------------


async def _remove(state: _Run, config: ClientConfig, report: MissingReport, progress: Progress) -> None:
    left = state.ledger.removals.left(state.run)
    progress.start(len(left), N_("Removing missing contacts"))
    try:
        with stop_on_signals(state.stop, report):
            async with CallbellClient(config, stop=state.stop) as client:
                queue: asyncio.Queue[Removal | None] = asyncio.Queue()
                for item in left:
                    queue.put_nowait(item)
                workers = max(1, min(config.concurrency or 8, len(left)))
                for _ in range(workers):
                    queue.put_nowait(None)

                async def work() -> None:
                    while (item := await queue.get()) is not None:
                        if state.stop.is_set():
                            continue  # left to do: the next run (which resumes this one) does it
                        await _one(client, state, item)
                        progress.advance()

                await asyncio.gather(*(work() for _ in range(workers)))
                report.requests += client.counters.requests
    finally:
        progress.close()


async def _one(client: CallbellClient, state: _Run, item: Removal) -> None:
    removals, run = state.ledger.removals, state.run
    try:
        if item.action == "tag":
            await _tag(client, state, item)
        else:
            await _delete(client, state, item)
    except Stopped:
        pass  # a request of it could not start: left to do, for the next run
    except (ApiError, OutcomeUnknown) as exc:
        removals.failed(run, item.uuid, state.tr.render(exc.message))
    except Exception as exc:  # a bug must cost one contact, never the run's results
        removals.failed(run, item.uuid, state.tr.gettext("internal error: {error}", error=repr(exc)))


async def _current(client: CallbellClient, uuid: str) -> dict[str, Any] | None:
    """The contact as Callbell has it now; None when it is gone."""
    try:
        return await client.get_contact(uuid)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise


async def _tag(client: CallbellClient, state: _Run, item: Removal) -> None:
    removals, run = state.ledger.removals, state.run
    contact = await _current(client, item.uuid)
    if contact is None:
        gone = state.tr.gettext("not in Callbell any more (deleted there?): forgotten by the state file")
        removals.vanished(run, item.uuid, gone)
        return
    tags = snapshot(contact)["tags"]
    if item.tag in tags:
        # Already there: ours when an earlier attempt's PATCH landed (its intent says so), else someone else's,
        # which an undo must leave.
        removals.tagged(run, item.uuid, added=item.state == "sending")
        return
    removals.intend(run, item.uuid)  # committed before the PATCH leaves
    with _unsent(state, item):
        # PATCH replaces the tag list: the contact's tags, plus ours.
        await client.update_contact(item.uuid, {"tags": [*tags, item.tag]})
    removals.tagged(run, item.uuid, added=True)


async def _delete(client: CallbellClient, state: _Run, item: Removal) -> None:
    removals, run = state.ledger.removals, state.run
    if item.state != "sending":  # a resumed intent already holds the last known fields
        contact = await _current(client, item.uuid)
        if contact is None:
            removals.intend(run, item.uuid, {})  # gone already: nothing an undo could re-create
        else:
            last = snapshot(contact)
            last |= {"source": item.source, "identifier": item.identifier, "phone": contact.get("phoneNumber")}
            removals.intend(run, item.uuid, last)  # committed before the DELETE leaves
    with _unsent(state, item):
        await client.delete_contact(item.uuid)  # a 404 means it is gone already: the same outcome
    removals.deleted(run, item.uuid)


@contextlib.contextmanager
def _unsent(state: _Run, item: Removal) -> Iterator[None]:
    """Around the request after this attempt's intent: when the run stops before it leaves (and no attempt of it
    may have landed), the intent goes and the removal is planned as it was. An intent an earlier run left stays
    as it stood: its request may have landed."""
    try:
        yield
    except Stopped as exc:
        if not exc.landed and item.state == "todo":
            state.ledger.removals.unsend(state.run, item.uuid)
        raise


async def _untag_returned(ledger: Ledger, config: ClientConfig, report: MissingReport, tr: Translator) -> None:
    """Contacts an earlier run tagged that are back among the rows: the tag removed (unless it is gone already),
    a warning on their row. A signal stops it as it stops the removals: those not done yet are found again by the
    next run."""
    stop = asyncio.Event()
    with stop_on_signals(stop, report):
        async with CallbellClient(config, stop=stop) as client:
            for back in ledger.removals.returned():
                if stop.is_set():
                    break
                await _untag_one(client, ledger, back, report, tr)
            report.requests += client.counters.requests


async def _untag_one(
    client: CallbellClient, ledger: Ledger, back: Returned, report: MissingReport, tr: Translator
) -> None:
    if not back.added:  # the tag was there before the job tagged it: it stays
        ledger.removals.set_returned(back.run, back.uuid)
        return
    try:
        contact = await _current(client, back.uuid)
        if contact is not None:
            tags = snapshot(contact)["tags"]
            if back.tag in tags:
                await client.update_contact(back.uuid, {"tags": [t for t in tags if t != back.tag]})
    except Stopped:
        return  # its request could not start: still recorded as tagged, so the next run finds it back again
    except (ApiError, OutcomeUnknown) as exc:
        why = exc.text if isinstance(exc, ApiError) else exc.message
        note = tr.gettext("back in the source, but removing tag {tag!r} failed: {error}", tag=back.tag, error=why)
        ledger.rows.add_warning(back.row, note)
        return
    ledger.removals.set_returned(back.run, back.uuid)
    ledger.rows.add_warning(back.row, tr.gettext("back in the source: tag {tag!r} removed", tag=back.tag))
    report.returned += 1
