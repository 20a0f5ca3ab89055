"""The import as stages, each over the ledger:

1. check: read the sheet in chunks, validate them on every core, record each row (invalid, duplicate,
   pending) in the ledger — every problem is found before anything is sent;
2. send: deliver the pending rows exactly once (importer.send);
3. results: walk the sheet again beside the ledger, in row order, and write the results and errors files.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Literal, Protocol

from importer.account import Account, AccountFileError, discover, load_account
from importer.client import ApiError, CallbellClient, ClientConfig
from importer.errors import AccountError, ExitCode, InputError
from importer.ledger import PENDING, Ledger
from importer.mapping import Mapping, MappingConfig, build_mapping
from importer.read import SourceRow, Table, chunks, open_table
from importer.results import CsvLine, ResultsWriter
from importer.send import auto_concurrency, deliver
from importer.validate import Options, Validator

OK_STATUSES = frozenset({"valid", "created", "updated", "skipped"})
CHUNK_ROWS = 4000
OnExisting = Literal["skip", "update", "fail"]


class Progress(Protocol):
    def start(self, total: int, description: str) -> None: ...  # total 0: unknown
    def advance(self, n: int = 1, total: int | None = None) -> None: ...  # total: a new estimate of it
    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int = 1, total: int | None = None) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class ImportOptions:
    file: Path
    account_file: Path
    results: Path | None = None  # default: <file stem>.results.csv beside the input
    state: Path | None = None  # default: <results>.state.db beside the results
    dry_run: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    mapping_config: MappingConfig | None = None  # --config: pinned columns; default: detected from the headers
    validation: Options = field(default_factory=Options)
    client: ClientConfig | None = None  # required unless dry_run
    on_existing: OnExisting = "skip"
    workers: int | None = None  # validation processes; default: every core

    @property
    def results_path(self) -> Path:
        return self.results or self.file.with_name(f"{self.file.stem}.results.csv")

    @property
    def errors_path(self) -> Path:
        path = self.results_path
        return path.with_name(f"{path.stem}.errors{path.suffix}")

    @property
    def state_path(self) -> Path:
        path = self.results_path
        return self.state or path.with_name(f"{path.stem}.state.db")


@dataclass
class Report:
    source: str  # what was read: "CSV, utf-8, delimiter ','"
    mapping: Mapping
    results_path: Path
    errors_path: Path | None = None
    counts: Counter[str] = field(default_factory=Counter)
    duration: float = 0.0
    resumed: bool = False
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    send_seconds: float = 0.0
    signal: int | None = None  # SIGINT/SIGTERM that stopped the sending
    notes: list[str] = field(default_factory=list)  # what the reader detected or repaired

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def summary_path(self) -> Path:
        return self.results_path.with_name(f"{self.results_path.stem}.summary.json")

    def summary(self) -> dict[str, object]:
        created = self.counts.get("created", 0)
        return {
            "rows": self.rows,
            "counts": dict(sorted(self.counts.items())),
            "exit_code": int(self.exit_code),
            "duration_s": round(self.duration, 3),
            "send_s": round(self.send_seconds, 3),
            "created_per_s": round(created / self.send_seconds, 1) if self.send_seconds else None,
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "resumed": self.resumed,
            "signal": self.signal,
            "source": self.source,
            "notes": self.notes,
            "results": str(self.results_path),
            "errors": str(self.errors_path) if self.errors_path else None,
        }

    @property
    def exit_code(self) -> int:
        if self.signal is not None:
            return 128 + self.signal  # 130 for Ctrl-C, 143 for SIGTERM, as shells report them
        return ExitCode.OK if set(self.counts) <= OK_STATUSES else ExitCode.ROWS_FAILED


def run_import(options: ImportOptions, progress: Progress | None = None) -> Report:
    """Run one import (or dry run); raises ImporterError subclasses for problems that stop it."""
    progress = progress or NoProgress()
    started = time.monotonic()
    account = _load_account(options.account_file)
    if not options.dry_run and options.client is None:
        raise AccountError("no API token: set CALLBELL_API_TOKEN (or use --dry-run)")
    table = _open(options)  # a bad file is reported before any request
    client = options.client
    if client is not None:
        account, latency = asyncio.run(preflight(client, account))
        if client.concurrency is None:
            client = replace(client, concurrency=auto_concurrency(client.rate, latency))
    mapping = build_mapping(table.headers, account, options.mapping_config)
    require_columns(options.file, mapping)
    report = Report(source=table.description, mapping=mapping, results_path=options.results_path)

    fingerprint = {"file": str(options.file.resolve())}
    if options.client is not None:
        fingerprint["base_url"] = options.client.base_url
    if options.dry_run and options.state_path.exists():
        # A dry run keeps no state, but must not overwrite the results of another import either.
        with Ledger(options.state_path) as existing:
            existing.check_fingerprint(fingerprint)
    ledger = Ledger.throwaway() if options.dry_run else Ledger.open(options.state_path)
    with ledger:
        if not options.dry_run:
            run, report.resumed = ledger.begin_run(fingerprint)
        ledger.reset_rows()
        check(table, account, mapping, options, ledger, progress)

        if client is not None and ledger.count_pending():
            stats = asyncio.run(deliver(ledger, client, "" if options.dry_run else run, options, progress))
            report.requests, report.retries = stats.requests, stats.retries
            report.rate_limited, report.send_seconds = stats.rate_limited, stats.seconds
            report.signal = stats.signal
            if stats.signal is not None or stats.unreachable:
                why = f"stopped by {signal.Signals(stats.signal).name}" if stats.signal else "the API stopped answering"
                ledger.explain_pending(f"not sent: {why}; run the same command again to send it")
        elif options.dry_run:
            ledger.db.execute("UPDATE rows SET status = 'valid' WHERE status = ?", (PENDING,))

        report.notes = list(table.notes)  # complete now that every row was read
        report.errors_path = write_results(table.headers, ledger, options)
        report.counts = Counter(ledger.status_counts())
        if not options.dry_run and report.signal is None:
            ledger.finish_run()  # an interrupted run is resumed by the next one, under the same run id
    report.duration = time.monotonic() - started
    report.summary_path.write_text(json.dumps(report.summary(), indent=2) + "\n", encoding="utf-8")
    return report


async def preflight(config: ClientConfig, account: Account) -> tuple[Account, float]:
    """Check the token and learn the account before the first row; returns it and the API's latency."""
    async with CallbellClient(replace(config, concurrency=config.concurrency or 4)) as client:
        try:
            await client.me()
            # Timed a second time: the first answer includes opening the connection.
            started = time.monotonic()
            await client.me()
            latency = time.monotonic() - started
        except ApiError as exc:
            if exc.status in (401, 403):
                raise AccountError(f"the API refused the token (HTTP {exc.status}): check CALLBELL_API_TOKEN") from None
            raise AccountError(f"pre-flight GET /auth/me failed: {exc}") from None
        try:
            account = await discover(client, account)
        except ApiError as exc:
            raise AccountError(f"reading the account from the API failed: {exc}") from None
    return account, latency


def _load_account(path: Path) -> Account:
    try:
        return load_account(path)
    except AccountFileError as exc:
        raise AccountError(str(exc)) from None


def _open(options: ImportOptions) -> Table:
    return open_table(options.file, encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet)


def require_columns(path: Path, mapping: Mapping) -> None:
    found = ", ".join(repr(h) for h in mapping.headers) or "none"
    if "phone" not in mapping.fields:
        raise InputError(f"{path}: no phone column (columns found: {found})")
    if "name" not in mapping.fields and not mapping.name_parts:
        raise InputError(f"{path}: no name column (columns found: {found})")


# --- stage 1: check ----------------------------------------------------------------------------------------

# What a worker sends back per row: (row, identifier, source, payload JSON or None when invalid, error, cells).
Checked = tuple[int, str, str, str | None, str, str]


def check(
    table: Table, account: Account, mapping: Mapping, options: ImportOptions, ledger: Ledger, progress: Progress
) -> None:
    # A workbook knows its rows; a CSV's count is estimated again at each chunk from the bytes read so far.
    progress.start(table.estimated_rows() or 0, "Checking rows")
    done = 0
    try:
        for checked in _checked_chunks(table, account, mapping, options):
            ledger.add_rows(
                (row, PENDING if payload is not None else "invalid", ident, source, payload, "", "", error, cells)
                for row, ident, source, payload, error, cells in checked
            )
            done += len(checked)
            progress.advance(len(checked), table.estimated_rows())
        progress.advance(0, done)  # every row read: the exact count (blank rows were in the estimates)
        ledger.mark_duplicates()
    finally:
        progress.close()


def _checked_chunks(
    table: Table, account: Account, mapping: Mapping, options: ImportOptions
) -> Iterator[list[Checked]]:
    batches = chunks(table, CHUNK_ROWS)
    first = next(batches, None)
    if first is None:
        return
    # An offline dry run never sends: skip building the payloads.
    want_payload = options.client is not None
    workers = options.workers or os.cpu_count() or 1
    if workers <= 1 or len(first) < CHUNK_ROWS:  # a small file: starting processes would cost more than it saves
        validator = Validator(account, mapping, options.validation)
        for batch in chain([first], batches):
            yield check_rows(validator, batch, want_payload)
        return
    # Phone parsing is pure Python and CPU-bound: spread chunks over processes, at most a few ahead so memory
    # stays flat, and take the answers back in order. Rows travel as plain tuples: they pickle 3x faster.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_leave_ctrl_c_to_the_parent)
    try:
        window: deque[Future[list[Checked]]] = deque()
        for batch in chain([first], batches):
            plain = [(r.number, r.values, r.extra) for r in batch]
            window.append(pool.submit(_check_chunk, account, mapping, options.validation, want_payload, plain))
            if len(window) > workers * 2:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _leave_ctrl_c_to_the_parent() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the run; workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_chunk(
    account: Account,
    mapping: Mapping,
    validation: Options,
    want_payload: bool,
    rows: list[tuple[int, tuple[str, ...], tuple[str, ...]]],
) -> list[Checked]:
    validator = Validator(account, mapping, validation)
    return check_rows(validator, [SourceRow(*r) for r in rows], want_payload)


def check_rows(validator: Validator, rows: list[SourceRow], want_payload: bool = True) -> list[Checked]:
    out: list[Checked] = []
    line = CsvLine()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for row in rows:
        draft = validator.check(row)
        source = str(draft.payload.get("source", ""))
        cells = line.format(row.values + row.extra)
        if draft.errors:
            out.append((row.number, draft.identifier or "", source, None, "; ".join(draft.errors), cells))
        else:
            payload = dumps(draft.payload) if want_payload else ""
            out.append((row.number, draft.identifier or "", source, payload, "", cells))
    return out


# --- stage 3: results --------------------------------------------------------------------------------------


def write_results(headers: list[str], ledger: Ledger, options: ImportOptions) -> Path | None:
    """Results in row order from the ledger, which holds each row's original cells too."""
    errors_path = options.errors_path
    with ResultsWriter(options.results_path, errors_path, headers) as writer:
        for outcome in ledger.outcomes():
            writer.write(*outcome)
        wrote_errors = writer.error_rows > 0
    if not wrote_errors:
        errors_path.unlink(missing_ok=True)  # an old errors file would mislead
        return None
    return errors_path
