"""Undo a run: delete the contacts it created, give the contacts it updated back their earlier values, and
reverse what `--on-missing` did (remove the tag it added; re-create a contact it deleted, from its last known
fields: a new contact, with a new uuid).

Everything comes from the run's state file (importer.state.ledger): `contacts` says which contacts a run created,
`before` what a contact looked like before the run PATCHed it. Contacts the run only skipped or found are
never touched.

The undo is itself resumable and exactly-once: its plan is written into the state's `undo` table before the
first request, each contact's outcome is committed as it arrives, and a deleted contact's `contacts` record
goes in the same transaction (so a later import creates that row again). A killed undo, run again, does what
is left; a finished one, run again, changes nothing. DELETE and a restoring PATCH are idempotent: a lost
answer is sent again, and a 404 on a DELETE means the contact is already gone. A signal lets the requests on the
wire finish and be recorded and starts no other: a contact whose request had not started is left to do as it was
(a re-create's intent withdrawn: its POST never left), and the next undo does it.
"""

from __future__ import annotations

import asyncio
import csv
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.callbell.client import ApiError, CallbellClient, ClientConfig, OutcomeUnknown, Stopped
from importer.callbell.credentials import NO_TOKEN
from importer.callbell.pacing import rest
from importer.delivery._signals import stop_on_signals
from importer.delivery.preflight import preflight
from importer.delivery.reconcile import reconcile
from importer.delivery.snapshot import restore_body, snapshot
from importer.errors import AccountError, ConfigError
from importer.i18n.message import N_, Text
from importer.i18n.translator import Translator
from importer.options import default
from importer.progress import NoProgress, Progress
from importer.state.ledger import Ledger, RunRecord
from importer.state.undo import Planned

BATCH = 500
UNDO_COLUMNS = ("row", "uuid", "action", "status", "error", "new_uuid")


@dataclass(frozen=True)
class UndoOptions:
    results: Path
    state: Path | None = None  # default: <results stem>.state.db beside the results, as for an import
    run: str | None = None  # a run id or a unique prefix of one; default: the last finished run
    dry_run: bool = False
    client: ClientConfig | None = None  # required unless dry_run
    # Seconds after a create's intent before its look-up trusts a "not found" (reads may lag); as for import.
    settle: float = default("settle")
    lang: str = "en"  # the language of the undo file's error cells (--lang)

    @property
    def state_path(self) -> Path:
        return state_path(self.results, self.state)

    @property
    def undo_path(self) -> Path:
        return self.results.with_name(f"{self.results.stem}.undo.csv")


@dataclass(frozen=True)
class RunSummary:
    run: RunRecord
    to_delete: int  # contacts the run created that are still there (as far as the state knows)
    to_restore: int  # contacts the run updated that were not yet restored
    undone: int  # contacts an earlier undo of this run already dealt with
    to_untag: int = 0  # contacts the run tagged (--on-missing tag:NAME): the tag removed
    to_recreate: int = 0  # contacts the run deleted (--on-missing delete): re-created, with a new uuid

    @property
    def anything(self) -> bool:
        return bool(self.to_delete or self.to_restore or self.to_untag or self.to_recreate)

    @property
    def what_undo_does(self) -> Text:
        if not self.anything:
            return N_("undone") if self.undone else N_("nothing to undo")
        what = N_("delete {deleted}, restore {restored}", deleted=self.to_delete, restored=self.to_restore)
        if self.to_untag:
            what = N_("{what}, untag {n}", what=what, n=self.to_untag)
        if self.to_recreate:
            what = N_("{what}, re-create {n}", what=what, n=self.to_recreate)
        return what


@dataclass
class UndoReport:
    run: RunRecord | None  # None: the state has no finished run
    plan: RunSummary | None
    counts: Counter[str] = field(default_factory=Counter)  # per status of this invocation's contacts
    recreated: list[tuple[str, str]] = field(default_factory=list)  # (old uuid, new uuid) of re-created contacts
    planned: list[Planned] = field(default_factory=list)  # a dry run's list
    undo_path: Path | None = None
    declined: bool = False
    unresolved: int = 0  # a dry run's count of creates whose outcome the run never learnt (settled by the undo)
    signal: int | None = None
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.signal is not None:
            return 128 + self.signal  # 130, 143 or 129, as shells report them
        return 1 if self.counts.get("failed") or self.counts.get("todo") else 0


def state_path(results: Path, state: Path | None) -> Path:
    return state or results.with_name(f"{results.stem}.state.db")


# --- reading the state -------------------------------------------------------------------------------------


def open_state(results: Path, state: Path | None, *, lock: bool) -> Ledger:
    path = state_path(results, state)
    if not path.is_file():
        raise ConfigError(
            N_(
                "{path}: no state file (was {results} written by `importer import`? else use --state)",
                path=str(path),
                results=str(results),
            )
        )
    ledger = Ledger.open(path) if lock else Ledger(path)
    try:
        recorded = ledger.get_meta("results")
        if recorded is not None and Path(recorded) != results.resolve():
            raise ConfigError(
                N_(
                    "{path}: this state file belongs to another import (its results are {results})",
                    path=str(path),
                    results=recorded,
                )
            )
    except BaseException:
        ledger.close()
        raise
    return ledger


def summarize(ledger: Ledger, run: RunRecord) -> RunSummary:
    counts = ledger.undo.counts_of(run.id)
    return RunSummary(
        run,
        to_delete=counts.to_delete,
        to_restore=counts.to_restore,
        undone=counts.undone,
        to_untag=counts.to_untag,
        to_recreate=counts.to_recreate,
    )


def list_runs(results: Path, state: Path | None = None) -> list[RunSummary]:
    """The runs of the state beside `results`, oldest first, with what an undo of each would do."""
    with open_state(results, state, lock=False) as ledger:
        return [summarize(ledger, run) for run in ledger.runs.all()]


def choose_run(ledger: Ledger, wanted: str | None) -> RunRecord | None:
    """The run named by `wanted` (an id or a unique prefix), else the last finished one (None: there is none)."""
    runs = ledger.runs.all()
    if wanted is None:
        finished = [r for r in runs if r.finished is not None]
        return finished[-1] if finished else None
    matches = [r for r in runs if r.id.startswith(wanted.strip().lower())] if wanted.strip() else []
    if len(matches) != 1:
        known = ", ".join(r.id[:8] for r in runs)
        template = (
            N_("{path}: --run {run!r} matches several runs (runs: {known}; see `importer runs`)")
            if matches
            else N_("{path}: --run {run!r} is not a run of this state (runs: {known}; see `importer runs`)")
        )
        raise ConfigError(template.with_params(path=str(ledger.path), run=wanted, known=known or N_("none")))
    return matches[0]


def _preflight(config: ClientConfig) -> ClientConfig:
    """The token checked before the first write, the concurrency sized from the API's latency."""
    return asyncio.run(preflight(config))[0]


# --- undoing -----------------------------------------------------------------------------------------------


def run_undo(
    options: UndoOptions,
    *,
    confirm: Callable[[RunSummary], bool] | None = None,
    progress: Progress | None = None,
) -> UndoReport:
    """Undo one run of the state beside `options.results`; raises ImporterError subclasses for what stops it.

    `confirm` is asked (with what the undo would do) after the checks and before anything is sent; False
    leaves everything as it is. Without it, the undo goes ahead.
    """
    progress = progress or NoProgress()
    tr = Translator.for_lang(options.lang)  # the undo file's error cells and the notes its reconcile writes
    if not options.dry_run and options.client is None:
        raise AccountError(NO_TOKEN)
    started = time.monotonic()
    with open_state(options.results, options.state, lock=not options.dry_run) as ledger:
        if options.client is not None:
            ledger.check_fingerprint({"base_url": options.client.base_url})  # the state's contacts live there
        run = choose_run(ledger, options.run)
        if run is None:
            return UndoReport(None, None)
        if options.dry_run:
            report = UndoReport(run, summarize(ledger, run))
            report.planned = list(ledger.undo.planned(run.id))  # what it would still do, nothing written
            report.counts = Counter(f"would {p.action}" for p in report.planned)
            report.unresolved = len(ledger.contacts.unresolved(run.id))
            return report
        assert options.client is not None
        config: ClientConfig | None = None
        report = UndoReport(run, None)
        if ledger.contacts.unresolved(run.id) or ledger.uncertain.open():
            # A killed or failed run may have left creates whose answer it never saw, or extras its reconcile
            # pass did not get to: settle them first, so that everything the run made is undone.
            config = _preflight(options.client)
            asyncio.run(_resolve(ledger, run.id, config, options.settle, tr, report))
        summary = summarize(ledger, run)
        report.plan = summary
        if summary.anything and report.signal is None:  # stopped while settling: the next undo does the rest
            config = config or _preflight(options.client)
            if confirm is not None and not confirm(summary):
                report.declined = True
                return report
            ledger.undo.write_plan(run.id)  # committed before the first request: a killed undo resumes from it
            asyncio.run(_undo(ledger, run.id, config, report, progress, tr))
        report.counts = _counts(ledger, run.id)
        report.recreated = [(uuid, new) for _, uuid, action, status, _, new in ledger.undo.outcomes(run.id) if new]
        report.undo_path = write_undo_csv(ledger, run.id, options.undo_path)
    report.seconds = time.monotonic() - started
    return report


async def _resolve(
    ledger: Ledger, run: str, config: ClientConfig, settle: float, tr: Translator, report: UndoReport
) -> None:
    """Rows whose create was uncertain: the reconcile pass an import ends with (extras deleted, the oldest kept
    as the run's), then each POST intent without its answer looked up as the next import would, no sooner than
    `settle` seconds after it was written (reads may trail writes): recorded as created by the run when found
    (then undone with the rest), or forgotten when not (nothing was created). A signal stops it (report.signal):
    what it did not settle stays for the next undo."""
    stop = asyncio.Event()
    with stop_on_signals(stop, report):
        async with CallbellClient(config, stop=stop) as client:
            if ledger.uncertain.open():
                await reconcile(client, ledger, run, settle, stop, NoProgress(), tr)
            await _look_up_intents(client, ledger, run, settle, stop)


async def _look_up_intents(
    client: CallbellClient, ledger: Ledger, run: str, settle: float, stop: asyncio.Event
) -> None:
    unresolved = ledger.contacts.unresolved(run)
    newest = max((intent.since for intent in unresolved), default=0.0)
    if newest + settle > time.time():
        await rest(newest + settle - time.time(), stop)  # the settle time, as after a lost answer
    for intent in unresolved:
        source, identifier = intent.source, intent.identifier
        if source != "whatsapp":
            continue  # only phone numbers can be looked up; the next import settles it
        try:
            found = await client.find_contact_by_phone("".join(c for c in identifier if c.isdigit()))
        except Stopped:
            return  # stopped: this intent and those after it stay, for the next undo
        except ApiError as exc:
            raise AccountError(
                N_("looking up a contact the run may have created failed: {error}", error=exc.text)
            ) from None
        if found is None:
            ledger.contacts.forget(source, identifier)
        else:
            uuid = str(found.get("uuid", ""))
            ledger.contacts.remember(source, identifier, uuid, str(found.get("href") or ""), run=run)


async def _undo(
    ledger: Ledger, run: str, config: ClientConfig, report: UndoReport, progress: Progress, tr: Translator
) -> None:
    stop = asyncio.Event()
    concurrency = config.concurrency or 8
    progress.start(ledger.undo.count_left(run), N_("Undoing"))
    try:
        with stop_on_signals(stop, report):
            async with CallbellClient(config, stop=stop) as client:
                queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue(maxsize=concurrency * 2)
                await asyncio.gather(
                    _produce(ledger, run, queue, stop, concurrency),
                    *(_work(client, ledger, run, queue, stop, progress, tr) for _ in range(concurrency)),
                )
                report.requests, report.retries = client.counters.requests, client.counters.retries
    finally:
        progress.close()
    report.counts = _counts(ledger, run)


async def _produce(
    ledger: Ledger, run: str, queue: asyncio.Queue[tuple[str, str] | None], stop: asyncio.Event, workers: int
) -> None:
    last = ""
    while not stop.is_set():
        # Batches by key: never iterate a cursor over rows that are being updated meanwhile.
        batch = ledger.undo.left_after(run, last, BATCH)
        if not batch:
            break
        for uuid, action in batch:
            if stop.is_set():
                break
            await queue.put((uuid, action))
        last = batch[-1][0]
    for _ in range(workers):
        await queue.put(None)


async def _work(
    client: CallbellClient,
    ledger: Ledger,
    run: str,
    queue: asyncio.Queue[tuple[str, str] | None],
    stop: asyncio.Event,
    progress: Progress,
    tr: Translator,
) -> None:
    unreachable = 0
    while (item := await queue.get()) is not None:
        if stop.is_set():
            continue  # left to do: the next undo does it
        uuid, action = item
        new_uuid = ""
        error: Text
        try:
            if action == "recreate":
                status, error, new_uuid = await _recreate(client, ledger, run, uuid)
            elif action == "untag":
                status, error = await _untag(client, ledger, run, uuid)
            elif action == "delete":
                status, error = await _delete(client, uuid)
            else:
                status, error = await _restore(client, ledger, run, uuid)
            unreachable = 0
        except Stopped:
            continue  # its request could not start: left to do as it was, for the next undo
        except ApiError as exc:
            status, error = "failed", exc.message
            unreachable = unreachable + 1 if exc.unreachable else 0
        except OutcomeUnknown as exc:  # not raised for idempotent calls; kept so a change there costs one row
            status, error = "failed", exc.message
        except Exception as exc:  # a bug must cost one contact, never the undo's record
            status, error = "failed", N_("internal error: {error}", error=repr(exc))
        # With what it changes in the rest of the state (records forgotten), in one transaction; the error in
        # the run's language, as the undo file shows it.
        ledger.undo.record(run, uuid, action, status, tr.render(error), new_uuid)
        progress.advance()
        if unreachable >= 8:
            stop.set()  # the API is gone: stop instead of spending every contact's retries on it


async def _delete(client: CallbellClient, uuid: str) -> tuple[str, str]:
    return ("deleted", "") if await client.delete_contact(uuid) else ("gone", "")


async def _restore(client: CallbellClient, ledger: Ledger, run: str, uuid: str) -> tuple[str, str]:
    before = ledger.runs.before(run, uuid)
    if before is None:  # the plan comes from `before`: not reached
        raise ConfigError(
            N_("{path}: no earlier values of {uuid} for run {run}", path=str(ledger.path), uuid=uuid, run=run)
        )
    try:
        await client.update_contact(uuid, restore_body(before))
    except ApiError as exc:
        if exc.status == 404:
            return "gone", ""  # deleted meanwhile (by an undo of the run that created it, or by hand)
        raise
    return "restored", ""


async def _untag(client: CallbellClient, ledger: Ledger, run: str, uuid: str) -> tuple[str, str]:
    """The tag --on-missing added, removed (the contact's other tags, agents' too, stay)."""
    found = ledger.removals.for_undo(run, uuid)
    if found is None:  # the plan comes from `removals`: not reached
        raise ConfigError(N_("{path}: no removal of {uuid} for run {run}", path=str(ledger.path), uuid=uuid, run=run))
    tag = found[4]
    try:
        tags = snapshot(await client.get_contact(uuid))["tags"]
        if tag in tags:
            await client.update_contact(uuid, {"tags": [t for t in tags if t != tag]})
    except ApiError as exc:
        if exc.status == 404:
            return "gone", ""  # deleted meanwhile
        raise
    return "untagged", ""


async def _recreate(client: CallbellClient, ledger: Ledger, run: str, uuid: str) -> tuple[str, Text, str]:
    """A contact --on-missing deleted, created again from its last known fields: a new contact, with a new uuid.
    The intent is committed before the POST (which is not idempotent): a killed undo looks the number up first."""
    found = ledger.removals.for_undo(run, uuid)
    if found is None:
        raise ConfigError(N_("{path}: no removal of {uuid} for run {run}", path=str(ledger.path), uuid=uuid, run=run))
    source, identifier, last, _, _ = found
    if not last:
        return "gone", N_("it was already gone from Callbell when the run deleted it: nothing to re-create"), ""
    was = ledger.undo.status_of(run, uuid) or "todo"
    # A killed undo's intent, or a re-create that failed (its answer may have been lost after the contact was made):
    # looked up before posting again.
    if was in ("sending", "failed") and source == "whatsapp":
        again = await client.find_contact_by_phone("".join(c for c in identifier if c.isdigit()))
        if again is not None:
            return "recreated", "", str(again.get("uuid", ""))
    payload: dict[str, Any] = {"identifier": identifier, "source": source, "name": last.get("name") or identifier}
    for key, name in (("tags", "tags"), ("custom_fields", "custom_fields"), ("assigned_user", "assigned_user")):
        if last.get(key):
            payload[name] = last[key]
    if last.get("team"):
        payload["team_uuid"] = last["team"]
    if last.get("note"):
        payload["note"] = last["note"]
    ledger.undo.sending(run, uuid)  # committed before the POST leaves
    try:
        contact = await client.create_contact(payload)
    except Stopped:
        # Nothing was created: the POST never left, or met only 429s (a create is not retried after an attempt
        # that may have landed). Its status as it stood: the next undo posts it as this one would have.
        ledger.undo.unsend(run, uuid, was)
        raise
    except OutcomeUnknown as exc:
        return "failed", N_("no answer to the re-create ({error}); run the undo again to check", error=exc.message), ""
    return "recreated", "", str(contact.get("uuid", ""))


def _counts(ledger: Ledger, run: str) -> Counter[str]:
    return Counter(ledger.undo.status_counts(run))


def write_undo_csv(ledger: Ledger, run: str, path: Path) -> Path:
    """Every contact an undo of `run` dealt with, in sheet-row order: row, uuid, action, status, error."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(UNDO_COLUMNS)
        for row, uuid, action, status, error, new_uuid in ledger.undo.outcomes(run):
            writer.writerow(("" if row is None else row, uuid, action, status, error, new_uuid))
    tmp.replace(path)  # never a half-written file where the last complete one was
    return path
