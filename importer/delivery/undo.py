"""Undo a run: delete the contacts it created, give the contacts it updated back their earlier values.

Everything comes from the run's state file (importer.state.ledger): `contacts` says which contacts a run created,
`before` what a contact looked like before the run PATCHed it. Contacts the run only skipped or found are
never touched.

The undo is itself resumable and exactly-once: its plan is written into the state's `undo` table before the
first request, each contact's outcome is committed as it arrives, and a deleted contact's `contacts` record
goes in the same transaction (so a later import creates that row again). A killed undo, run again, does what
is left; a finished one, run again, changes nothing. DELETE and a restoring PATCH are idempotent: a lost
answer is sent again, and a 404 on a DELETE means the contact is already gone.
"""

from __future__ import annotations

import asyncio
import csv
import json
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.callbell.client import ApiError, CallbellClient, ClientConfig, OutcomeUnknown
from importer.delivery.preflight import preflight
from importer.delivery.reconcile import reconcile
from importer.delivery.snapshot import restore_body
from importer.errors import AccountError, ConfigError
from importer.progress import NoProgress, Progress
from importer.state.ledger import Ledger, RunRecord
from importer.state.uncertain import Uncertain

DONE = ("deleted", "gone", "restored")  # statuses that need nothing more
BATCH = 500
UNDO_COLUMNS = ("row", "uuid", "action", "status", "error")


@dataclass(frozen=True)
class UndoOptions:
    results: Path
    state: Path | None = None  # default: <results stem>.state.db beside the results, as for an import
    run: str | None = None  # a run id or a unique prefix of one; default: the last finished run
    dry_run: bool = False
    client: ClientConfig | None = None  # required unless dry_run
    settle: float = 3.0  # seconds after a create's intent before its look-up trusts a "not found" (reads may lag)

    @property
    def state_path(self) -> Path:
        return state_path(self.results, self.state)

    @property
    def undo_path(self) -> Path:
        return self.results.with_name(f"{self.results.stem}.undo.csv")


@dataclass(frozen=True)
class Planned:
    """One contact an undo acts on."""

    row: int | None  # the sheet row it came from, when the state still knows it
    uuid: str
    action: str  # delete | restore


@dataclass(frozen=True)
class RunSummary:
    run: RunRecord
    to_delete: int  # contacts the run created that are still there (as far as the state knows)
    to_restore: int  # contacts the run updated that were not yet restored
    undone: int  # contacts an earlier undo of this run already dealt with

    @property
    def what_undo_does(self) -> str:
        if not self.to_delete and not self.to_restore:
            return "undone" if self.undone else "nothing to undo"
        return f"delete {self.to_delete}, restore {self.to_restore}"


@dataclass
class UndoReport:
    run: RunRecord | None  # None: the state has no finished run
    plan: RunSummary | None
    counts: Counter[str] = field(default_factory=Counter)  # per status of this invocation's contacts
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
        raise ConfigError(f"{path}: no state file (was {results} written by `importer import`? else use --state)")
    ledger = Ledger.open(path) if lock else Ledger(path)
    try:
        recorded = ledger.get_meta("results")
        if recorded is not None and Path(recorded) != results.resolve():
            raise ConfigError(f"{path}: this state file belongs to another import (its results are {recorded})")
    except BaseException:
        ledger.close()
        raise
    return ledger


def summarize(ledger: Ledger, run: RunRecord) -> RunSummary:
    def count(sql: str, *args: str) -> int:
        return int(ledger.db.execute(sql, (run.id, *args)).fetchone()[0])

    return RunSummary(
        run,
        to_delete=count("SELECT COUNT(*) FROM contacts WHERE state = 'done' AND run = ? AND uuid != ''"),
        to_restore=count(
            "SELECT COUNT(*) FROM before b WHERE run = ? AND NOT EXISTS "
            "(SELECT 1 FROM undo u WHERE u.run = b.run AND u.uuid = b.uuid AND u.status IN (?, ?, ?))",
            *DONE,
        ),
        undone=count("SELECT COUNT(*) FROM undo WHERE run = ? AND status IN (?, ?, ?)", *DONE),
    )


def list_runs(results: Path, state: Path | None = None) -> list[RunSummary]:
    """The runs of the state beside `results`, oldest first, with what an undo of each would do."""
    with open_state(results, state, lock=False) as ledger:
        return [summarize(ledger, run) for run in ledger.runs()]


def choose_run(ledger: Ledger, wanted: str | None) -> RunRecord | None:
    """The run named by `wanted` (an id or a unique prefix), else the last finished one (None: there is none)."""
    runs = ledger.runs()
    if wanted is None:
        finished = [r for r in runs if r.finished is not None]
        return finished[-1] if finished else None
    matches = [r for r in runs if r.id.startswith(wanted.strip().lower())] if wanted.strip() else []
    if len(matches) != 1:
        known = ", ".join(r.id[:8] for r in runs) or "none"
        why = "matches several runs" if matches else "is not a run of this state"
        raise ConfigError(f"{ledger.path}: --run {wanted!r} {why} (runs: {known}; see `importer runs`)")
    return matches[0]


# The rows table is rebuilt by each import and carries each row's uuid: the sheet row a contact came from.
_ROW_OF_UUID = "SELECT uuid, MIN(row) AS row FROM rows WHERE uuid != '' GROUP BY uuid"
# The contacts the run created or updated that the undo table does not hold yet.
_NEW_ITEMS = f"""
    SELECT c.uuid AS uuid, r.row AS row, 'delete' AS action
    FROM contacts c LEFT JOIN ({_ROW_OF_UUID}) r ON r.uuid = c.uuid
    WHERE c.state = 'done' AND c.run = :run AND c.uuid != ''
      AND NOT EXISTS (SELECT 1 FROM undo u WHERE u.run = :run AND u.uuid = c.uuid)
    UNION ALL
    SELECT b.uuid, r.row, 'restore' FROM before b LEFT JOIN ({_ROW_OF_UUID}) r ON r.uuid = b.uuid
    WHERE b.run = :run AND NOT EXISTS (SELECT 1 FROM undo u WHERE u.run = :run AND u.uuid = b.uuid)
"""


def planned(ledger: Ledger, run: str) -> Iterator[Planned]:
    """What an undo of `run` would still do, without writing anything (for --dry-run)."""
    cursor = ledger.db.execute(
        f"""SELECT uuid, row, action FROM (
                SELECT uuid, row, action FROM undo WHERE run = :run AND status NOT IN ('deleted', 'gone', 'restored')
                UNION ALL {_NEW_ITEMS})
            ORDER BY row IS NULL, row, uuid""",
        {"run": run},
    )
    for uuid, row, action in cursor:
        yield Planned(row, uuid, action)


def write_plan(ledger: Ledger, run: str) -> None:
    """The undo's plan, committed before its first request: a killed undo resumes from it."""
    with ledger.transaction():
        ledger.db.execute(
            f"INSERT OR IGNORE INTO undo (run, uuid, row, action, status) "
            f"SELECT :run, uuid, row, action, 'todo' FROM ({_NEW_ITEMS})",
            {"run": run},
        )


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
    if not options.dry_run and options.client is None:
        raise AccountError("no API token: set CALLBELL_API_TOKEN (or use --dry-run)")
    started = time.monotonic()
    with open_state(options.results, options.state, lock=not options.dry_run) as ledger:
        if options.client is not None:
            ledger.check_fingerprint({"base_url": options.client.base_url})  # the state's contacts live there
        run = choose_run(ledger, options.run)
        if run is None:
            return UndoReport(None, None)
        if options.dry_run:
            report = UndoReport(run, summarize(ledger, run))
            report.planned = list(planned(ledger, run.id))
            report.counts = Counter(f"would {p.action}" for p in report.planned)
            report.unresolved = len(_unresolved(ledger, run.id))
            return report
        assert options.client is not None
        config: ClientConfig | None = None
        if _unresolved(ledger, run.id) or Uncertain(ledger).open():
            # A killed or failed run may have left creates whose answer it never saw, or extras its reconcile
            # pass did not get to: settle them first, so that everything the run made is undone.
            config = _preflight(options.client)
            asyncio.run(_resolve(ledger, run.id, config, options.settle))
        summary = summarize(ledger, run)
        report = UndoReport(run, summary)
        if summary.to_delete or summary.to_restore:
            config = config or _preflight(options.client)
            if confirm is not None and not confirm(summary):
                report.declined = True
                return report
            write_plan(ledger, run.id)
            asyncio.run(_undo(ledger, run.id, config, report, progress))
        report.counts = _counts(ledger, run.id)
        report.undo_path = write_undo_csv(ledger, run.id, options.undo_path)
    report.seconds = time.monotonic() - started
    return report


def _unresolved(ledger: Ledger, run: str) -> list[tuple[str, str, float]]:
    return ledger.db.execute(
        "SELECT source, identifier, updated FROM contacts WHERE state = 'sending' AND run = ?", (run,)
    ).fetchall()


async def _resolve(ledger: Ledger, run: str, config: ClientConfig, settle: float) -> None:
    """Rows whose create was uncertain: the reconcile pass an import ends with (extras deleted, the oldest kept
    as the run's), then each POST intent without its answer looked up as the next import would, no sooner than
    `settle` seconds after it was written (reads may trail writes): recorded as created by the run when found
    (then undone with the rest), or forgotten when not (nothing was created)."""
    async with CallbellClient(config) as client:
        if Uncertain(ledger).open():
            await reconcile(client, ledger, run, settle, asyncio.Event(), NoProgress())
        unresolved = _unresolved(ledger, run)
        newest = max((at for *_, at in unresolved), default=0.0)
        if newest + settle > time.time():
            await asyncio.sleep(newest + settle - time.time())  # the settle time, as after a lost answer
        for source, identifier, _ in unresolved:
            if source != "whatsapp":
                continue  # only phone numbers can be looked up; the next import settles it
            try:
                found = await client.find_contact_by_phone("".join(c for c in identifier if c.isdigit()))
            except ApiError as exc:
                raise AccountError(f"looking up a contact the run may have created failed: {exc}") from None
            if found is None:
                ledger.forget(source, identifier)
            else:
                uuid = str(found.get("uuid", ""))
                ledger.remember(source, identifier, uuid, str(found.get("href") or ""), run=run)


async def _undo(ledger: Ledger, run: str, config: ClientConfig, report: UndoReport, progress: Progress) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        try:
            loop.add_signal_handler(signum, _on_signal, stop, report, signum)
            handled.append(signum)
        except (RuntimeError, ValueError, NotImplementedError):  # not the main thread (library use)
            pass
    concurrency = config.concurrency or 8
    total = ledger.db.execute(
        "SELECT COUNT(*) FROM undo WHERE run = ? AND status NOT IN (?, ?, ?)", (run, *DONE)
    ).fetchone()[0]
    progress.start(int(total), "Undoing")
    try:
        async with CallbellClient(config) as client:
            queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue(maxsize=concurrency * 2)
            await asyncio.gather(
                _produce(ledger, run, queue, stop, concurrency),
                *(_work(client, ledger, run, queue, stop, progress) for _ in range(concurrency)),
            )
            report.requests, report.retries = client.counters.requests, client.counters.retries
    finally:
        progress.close()
        for signum in handled:
            loop.remove_signal_handler(signum)
    report.counts = _counts(ledger, run)


def _on_signal(stop: asyncio.Event, report: UndoReport, signum: int) -> None:
    report.signal = signum  # stop taking contacts; what is in flight finishes and is recorded
    stop.set()


async def _produce(
    ledger: Ledger, run: str, queue: asyncio.Queue[tuple[str, str] | None], stop: asyncio.Event, workers: int
) -> None:
    last = ""
    while not stop.is_set():
        # Batches by key: never iterate a cursor over rows that are being updated meanwhile.
        batch = ledger.db.execute(
            "SELECT uuid, action FROM undo WHERE run = ? AND uuid > ? AND status NOT IN (?, ?, ?) "
            "ORDER BY uuid LIMIT ?",
            (run, last, *DONE, BATCH),
        ).fetchall()
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
) -> None:
    unreachable = 0
    while (item := await queue.get()) is not None:
        if stop.is_set():
            continue  # left to do: the next undo does it
        uuid, action = item
        try:
            status, error = await (_delete(client, uuid) if action == "delete" else _restore(client, ledger, run, uuid))
            unreachable = 0
        except ApiError as exc:
            status, error = "failed", exc.message
            unreachable = unreachable + 1 if exc.unreachable else 0
        except OutcomeUnknown as exc:  # not raised for idempotent calls; kept so a change there costs one row
            status, error = "failed", str(exc)
        except Exception as exc:  # a bug must cost one contact, never the undo's record
            status, error = "failed", f"internal error: {exc!r}"
        with ledger.transaction():
            ledger.db.execute(
                "UPDATE undo SET status = ?, error = ? WHERE run = ? AND uuid = ?", (status, error, run, uuid)
            )
            if status in ("deleted", "gone", "restored"):
                # What the state last sent no longer holds: a later import compares the file with Callbell again.
                ledger.forget_synced(uuid)
            if action == "delete" and status in ("deleted", "gone"):
                # Forgotten: a later import of the same sheet creates the row again.
                ledger.db.execute("DELETE FROM contacts WHERE uuid = ? AND run = ? AND state = 'done'", (uuid, run))
        progress.advance()
        if unreachable >= 8:
            stop.set()  # the API is gone: stop instead of spending every contact's retries on it


async def _delete(client: CallbellClient, uuid: str) -> tuple[str, str]:
    return ("deleted", "") if await client.delete_contact(uuid) else ("gone", "")


async def _restore(client: CallbellClient, ledger: Ledger, run: str, uuid: str) -> tuple[str, str]:
    found = ledger.db.execute("SELECT contact FROM before WHERE run = ? AND uuid = ?", (run, uuid)).fetchone()
    before: dict[str, Any] = json.loads(found[0])
    try:
        await client.update_contact(uuid, restore_body(before))
    except ApiError as exc:
        if exc.status == 404:
            return "gone", ""  # deleted meanwhile (by an undo of the run that created it, or by hand)
        raise
    return "restored", ""


def _counts(ledger: Ledger, run: str) -> Counter[str]:
    return Counter(dict(ledger.db.execute("SELECT status, COUNT(*) FROM undo WHERE run = ? GROUP BY status", (run,))))


def write_undo_csv(ledger: Ledger, run: str, path: Path) -> Path:
    """Every contact an undo of `run` dealt with, in sheet-row order: row, uuid, action, status, error."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(UNDO_COLUMNS)
        cursor = ledger.db.execute(
            "SELECT row, uuid, action, status, error FROM undo WHERE run = ? ORDER BY row IS NULL, row, uuid", (run,)
        )
        for row, uuid, action, status, error in cursor:
            writer.writerow(("" if row is None else row, uuid, action, status, error))
    tmp.replace(path)  # never a half-written file where the last complete one was
    return path
