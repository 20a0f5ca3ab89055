"""Stage 1, check: read the sheet in chunks, validate them on every core, and record each row in the ledger.

Every problem is found before anything is sent. Chunks travel to worker processes as plain tuples and come back
in order, with the problems of their rows already grouped (importer.validation.problems) and a few phone examples.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from importer.account.model import Account
from importer.i18n.message import N_
from importer.i18n.translator import Translator
from importer.mapping.columns import Mapping
from importer.pipeline._duplicates import settle_duplicates
from importer.progress import Progress
from importer.reading.files import Batch, SourceRow, Table, TextBatch
from importer.results.writer import CsvLine
from importer.state.ledger import PENDING, Ledger, NewRow
from importer.validation.merge import DuplicatesMode
from importer.validation.problems import Tally
from importer.validation.validator import Options, Validator

CHUNK_ROWS = 4000
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # the parent's to handle, never a worker's
# What a worker sends back per row: the ledger's row as it is recorded (importer.state.rows.NewRow: row, status,
# identifier, source, payload JSON or None when invalid, uuid, href, error, cells, warning), so that the parent
# hands a chunk to SQLite as it comes.
Checked = NewRow
PlainRow = tuple[int, tuple[str, ...], tuple[str, ...]]  # a row as it travels to a worker: (number, values, extra)
PHONE_EXAMPLES = 10  # before -> after examples of phone normalization, of different shapes
_SHAPE = re.compile(r"\d")
_EXAMPLE_SCAN = 400  # rows per chunk looked at for new phone shapes: the examples cost nothing on big files


@dataclass
class ChunkResult:
    rows: list[Checked]
    tally: Tally
    phone_examples: list[dict[str, Any]]
    phone_digits: list[tuple[int, str]] = field(default_factory=list)  # (row, digits): phones that could not be read


@dataclass
class CheckResult:
    """What the check stage learned beyond the rows it recorded in the ledger."""

    tally: Tally = field(default_factory=Tally)
    phone_examples: list[dict[str, Any]] = field(default_factory=list)


def check(
    table: Table,
    account: Account,
    mapping: Mapping,
    validation: Options,
    ledger: Ledger,
    progress: Progress,
    *,
    want_payload: bool = True,
    workers: int | None = None,
    duplicates: DuplicatesMode = "first",
    translator: Translator | None = None,
    to_send: str = PENDING,
) -> CheckResult:
    """Check every row and record it in the ledger (pending, invalid; then duplicates, or merged), in row order;
    the error and warning cells in the language of `translator` (English without one). `to_send`: the status of a
    row to send (an offline dry run records them `valid` at once, instead of rewriting every row after)."""
    if to_send != PENDING and duplicates == "merge":
        raise ValueError("--duplicates merge merges the pending rows")
    result = CheckResult()
    shapes: set[str] = set()
    translator = translator or Translator()
    # A workbook knows its rows; a CSV's count is estimated again at each chunk from the bytes read so far.
    progress.start(table.estimated_rows() or 0, N_("Checking rows"))
    done = 0
    try:
        for chunk in checked_chunks(table, account, mapping, validation, want_payload, workers, translator, to_send):
            record(ledger, chunk)
            result.tally.merge(chunk.tally)
            for example in chunk.phone_examples:
                shape = _SHAPE.sub("9", example["before"])
                if len(result.phone_examples) < PHONE_EXAMPLES and shape not in shapes:
                    shapes.add(shape)
                    result.phone_examples.append(example)
            done += len(chunk.rows)
            progress.advance(len(chunk.rows), table.estimated_rows())
        progress.advance(0, done)  # every row read: the exact count (blank rows were in the estimates)
        settle_duplicates(ledger, duplicates, account, mapping, result.tally, translator, to_send)
    finally:
        progress.close()
    return result


def record(ledger: Ledger, chunk: ChunkResult) -> None:
    """A checked chunk's rows into the ledger."""
    ledger.rows.add(chunk.rows)
    if chunk.phone_digits:
        ledger.rows.set_phone_digits(chunk.phone_digits)


def scan(table: Table, account: Account, mapping: Mapping, validation: Options, workers: int | None = None) -> Tally:
    """The grouped problems of every row of `table`, with no ledger and no results (for `importer mapping`)."""
    tally = Tally()
    for chunk in checked_chunks(table, account, mapping, validation, False, workers):
        tally.merge(chunk.tally)
    return tally


def checked_chunks(
    table: Table,
    account: Account,
    mapping: Mapping,
    validation: Options,
    want_payload: bool,
    workers: int | None,
    translator: Translator | None = None,
    to_send: str = PENDING,
) -> Iterator[ChunkResult]:
    # The rows' problems are Messages; they become the error and warning cells here, in the run's language (the
    # translator travels to the worker processes as its language alone, each loading the catalog once).
    translator = translator or Translator()
    workers = workers or os.cpu_count() or 1
    # On several processes a CSV's rows go out as their lines, split by the worker; in this one, as rows.
    batches = table.batches(CHUNK_ROWS, text=workers > 1)
    head: list[Batch] = []  # the first CHUNK_ROWS rows (the sample read for the mapping is a batch of its own)
    read = 0
    for batch in batches:
        head.append(batch)
        read += _count(batch)
        if read >= CHUNK_ROWS:
            break
    if workers <= 1 or read < CHUNK_ROWS:  # a small file: starting processes would cost more than it saves
        validator = Validator(account, mapping, validation)
        for batch in chain(head, batches):
            yield check_chunk(validator, _rows(batch), want_payload, translator, to_send)
        return
    # Phone parsing is pure Python and CPU-bound: spread chunks over processes, at most a few ahead so memory
    # stays flat, and take the answers back in order. Rows travel as plain tuples: they pickle 3x faster.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    # Each worker gets the account, mapping and options once, when it starts (inherited through fork, not
    # pickled), and keeps one Validator (its look-ups remembered) for all its chunks: a chunk travels as its rows.
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(account, mapping, validation, want_payload, translator, to_send),
    )
    try:
        window: deque[Future[ChunkResult]] = deque()
        for batch in chain(head, batches):
            # A CSV's rows travel as their lines (a worker splits them: importer.reading._csv_body.TextRows).
            plain = plain_rows(batch) if isinstance(batch, list) else batch
            if window:
                window.append(pool.submit(_check_chunk, plain))
            else:
                # The first submit forks the workers: hold the stop signals meanwhile, so that none reaches a
                # worker before it ignores them (a forked child starts with the parent's handlers). The parent
                # gets any that came once they are unblocked.
                held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
                try:
                    window.append(pool.submit(_check_chunk, plain))
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)
            if len(window) > workers * 2:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Worker:
    validator: Validator
    want_payload: bool
    translator: Translator
    to_send: str


# The one piece of module state: a pool worker's own, set by its initializer in the worker process (a process of
# the pool does nothing else), so that a chunk carries its rows only.
_worker: _Worker | None = None


def _start_worker(
    account: Account, mapping: Mapping, validation: Options, want_payload: bool, translator: Translator, to_send: str
) -> None:
    global _worker
    _leave_ctrl_c_to_the_parent()
    _worker = _Worker(_worker_validator(account, mapping, validation), want_payload, translator, to_send)


def _leave_ctrl_c_to_the_parent() -> None:
    # Ctrl-C, systemd's stop and a closed terminal signal the whole process group: the parent stops the run.
    # A worker must neither print a traceback nor run the parent's SIGTERM handler (inherited through fork), which
    # broke the pool and could leave the parent waiting for it.
    for signum in _STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked by the parent while it forked us


def _check_chunk(rows: list[PlainRow] | TextBatch) -> ChunkResult:
    worker = _worker
    assert worker is not None, "a pool worker starts with _start_worker"
    batch = source_rows(rows) if isinstance(rows, list) else rows.rows()
    return check_chunk(worker.validator, batch, worker.want_payload, worker.translator, worker.to_send)


def _count(batch: Batch) -> int:
    return len(batch) if isinstance(batch, list) else batch.count


def _rows(batch: Batch) -> list[SourceRow]:
    return batch if isinstance(batch, list) else batch.rows()


def plain_rows(batch: list[SourceRow]) -> list[PlainRow]:
    return [(r.number, r.values, r.extra) for r in batch]


def source_rows(plain: list[PlainRow]) -> list[SourceRow]:
    return [SourceRow(*r) for r in plain]


def _worker_validator(account: Account, mapping: Mapping, validation: Options) -> Validator:
    return Validator(account, mapping, validation)


def check_rows(validator: Validator, rows: list[SourceRow], want_payload: bool = True) -> list[Checked]:
    return check_chunk(validator, rows, want_payload).rows


def check_chunk(
    validator: Validator,
    rows: list[SourceRow],
    want_payload: bool = True,
    translator: Translator | None = None,
    to_send: str = PENDING,
) -> ChunkResult:
    out: list[Checked] = []
    text = (translator or Translator()).render  # a catalog look-up per message: no Babel call per row
    tally = Tally()
    examples: list[dict[str, Any]] = []
    digits: list[tuple[int, str]] = []
    shapes: set[str] = set()
    line = CsvLine()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for n, row in enumerate(rows):
        draft = validator.check(row)
        source = str(draft.payload.get("source", ""))
        cells = line.format(row.values + row.extra)
        warning = ""
        if draft.warnings:
            warning = "; ".join(p.render_with(text) for p in draft.warnings)
            for problem in draft.warnings:
                tally.add(row.number, problem)
        if draft.problems:
            for problem in draft.problems:
                tally.add(row.number, problem)
            error = "; ".join(p.render_with(text) for p in draft.problems)
            out.append((row.number, "invalid", draft.identifier or "", source, None, "", "", error, cells, warning))
            if draft.phone_digits and not draft.identifier:
                digits.append((row.number, draft.phone_digits))
            continue
        payload = dumps(draft.payload) if want_payload else ""
        out.append((row.number, to_send, draft.identifier or "", source, payload, "", "", "", cells, warning))
        if n < _EXAMPLE_SCAN and draft.phone_raw and draft.phone_raw != draft.identifier:
            shape = _SHAPE.sub("9", draft.phone_raw)
            if shape not in shapes:
                shapes.add(shape)
                examples.append(
                    {
                        "row": row.number,
                        "column": draft.phone_column,
                        "before": draft.phone_raw,
                        "after": draft.identifier,
                    }
                )
    return ChunkResult(out, tally, examples, digits)
