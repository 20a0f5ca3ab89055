"""Where a dry-run row's CPU time goes, stage by stage: the table of BENCHMARKS.md ("Dry run of a big CSV").

    .venv/bin/python bench/profile_dry_run.py [--rows 200000] [--repeat 3] [--file CSV]

Runs each stage of `importer validate` (offline: no payload JSON) on the same rows of bench_dry_run.py's generated
sheet, in this one process, and times it in CPU seconds (time.process_time: what other work on a shared machine
does not inflate much); each stage is repeated and the fastest run kept. Stages, in the order a row meets them:

parent   read        the CSV parsed once (row numbers, errors, notes) and cut into batches of CHUNK_ROWS records kept
                     as their lines (TextRows); rows read ahead for the header as plain tuples
parent   send        pickling a batch's call to a worker (what ProcessPoolExecutor does per batch)
worker   receive     unpickling it in the worker and splitting its lines into SourceRows (csv module)
worker   phone       normalize_phone (importer.phones: parse, is_valid, format) on each row's phone cell
worker   validation  Validator.check without the phone (name, tags, users, teams, custom fields, the payload dict)
worker   cells       the row's original cells as one CSV line (the results file's right half)
worker   rest        check_chunk's own work: messages rendered for rows with problems, the tally, the tuples
worker   return      pickling the chunk's answer in the worker
parent   collect     unpickling the answer in the parent
parent   ledger      inserting the chunk's rows into the state file (SQLite)
parent   tail        duplicates marked, the results and errors files written from the ledger (lines built by SQLite)

The per-row figure is microseconds of CPU per input row. The parent's and the workers' sums say how the 2 cores
are shared: the run cannot go faster than the busier side allows.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dry_run import ACCOUNT_FILE, write_contacts  # noqa: E402

from importer.account.model import load_account  # noqa: E402
from importer.i18n.translator import Translator  # noqa: E402
from importer.mapping.columns import build_mapping  # noqa: E402
from importer.mapping.headers import vocabulary  # noqa: E402
from importer.mapping.values import ValueRules, resolve_value_rules  # noqa: E402
from importer.pipeline import check as check_module  # noqa: E402
from importer.pipeline._duplicates import settle_duplicates  # noqa: E402
from importer.reading.files import SourceRow, open_table  # noqa: E402
from importer.results.writer import CsvLine, ResultsWriter  # noqa: E402
from importer.state.ledger import Ledger  # noqa: E402
from importer.validation import validator as validator_module  # noqa: E402
from importer.validation.validator import Options, Validator  # noqa: E402

STAGES = (
    ("parent", "read"),
    ("parent", "send"),
    ("worker", "receive"),
    ("worker", "phone"),
    ("worker", "validation"),
    ("worker", "cells"),
    ("worker", "rest"),
    ("worker", "return"),
    ("parent", "collect"),
    ("parent", "ledger"),
    ("parent", "tail"),
)


def cpu(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def profile(path: Path, repeat: int) -> tuple[int, dict[str, float]]:
    account = load_account(ACCOUNT_FILE)
    translator = Translator()

    def open_it():  # type: ignore[no-untyped-def]
        return open_table(path, header_score=vocabulary().header_score)

    table = open_it()
    sample = [row.values for row in table.sample()]
    mapping = build_mapping(table.headers, account, None, sample, None)
    validation = Options(values=resolve_value_rules(ValueRules(), account))
    size = check_module.CHUNK_ROWS

    best: dict[str, float] = {}

    def keep(stage: str, seconds: float) -> None:
        best[stage] = min(best.get(stage, seconds), seconds)

    def one_round() -> int:
        calls: list[object] = []  # what goes to a worker: a CSV's lines (TextRows), or plain rows

        def read() -> None:
            for batch in open_it().batches(size):
                calls.append(check_module.plain_rows(batch) if isinstance(batch, list) else batch)

        keep("read", cpu(read))
        # A worker gets the account, mapping and options once, when it starts: a call is its batch.
        sent: list[bytes] = []
        keep("send", cpu(lambda: sent.extend(pickle.dumps(c, pickle.HIGHEST_PROTOCOL) for c in calls)))
        batches: list[list[SourceRow]] = []

        def receive() -> None:
            for blob in sent:
                call = pickle.loads(blob)
                batches.append(check_module.source_rows(call) if isinstance(call, list) else call.rows())

        keep("receive", cpu(receive))
        rows = sum(len(b) for b in batches)
        validator = Validator(account, mapping, validation)
        # The phone cells as the validator hands them to normalize_phone, recorded once (not timed).
        phone_calls: list[tuple[str, str | None, str]] = []
        real = validator_module.normalize_phone
        validator_module.normalize_phone = lambda *a: phone_calls.append(a) or real(*a)  # type: ignore[assignment]
        try:
            for batch in batches:
                for row in batch:
                    validator.check(row)
        finally:
            validator_module.normalize_phone = real
        keep("phone", cpu(lambda: [real(*a) for a in phone_calls]))
        checked = validator.check
        whole = cpu(lambda: [checked(row) for batch in batches for row in batch])
        keep("validation", whole - best["phone"])
        line = CsvLine()
        cells = cpu(lambda: [line.format(row.values + row.extra) for batch in batches for row in batch])
        keep("cells", cells)
        results: list[check_module.ChunkResult] = []
        total = cpu(
            lambda: results.extend(check_module.check_chunk(validator, b, False, translator, "valid") for b in batches)
        )
        keep("rest", max(0.0, total - whole - cells))
        answers: list[bytes] = []
        keep("return", cpu(lambda: answers.extend(pickle.dumps(r, pickle.HIGHEST_PROTOCOL) for r in results)))
        back: list[check_module.ChunkResult] = []
        keep("collect", cpu(lambda: back.extend(pickle.loads(a) for a in answers)))
        with tempfile.TemporaryDirectory(prefix="profile-dry-run-") as tmp, Ledger.throwaway() as ledger:

            def insert() -> None:
                for chunk in back:
                    check_module.record(ledger, chunk)

            keep("ledger", cpu(insert))

            def tail() -> None:
                settle_duplicates(ledger, "first", account, mapping, check_module.Tally(), translator, "valid")
                out = Path(tmp) / "results.csv"
                with ResultsWriter(out, Path(tmp) / "errors.csv", table.headers) as writer:
                    writer.write_rows(ledger)
                ledger.rows.status_counts()

            keep("tail", cpu(tail))
        return rows

    rows = 0
    for _ in range(repeat):
        rows = one_round()
    return rows, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--file", type=Path, help="a sheet of bench_dry_run.py's generator (else one is written)")
    parser.add_argument("--no-header", action="store_true", help="the table's rows only (bench/run.py adds the header)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profile-dry-run-") as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / "contacts.csv"
            write_contacts(path, args.rows)
        rows, best = profile(path, args.repeat)
    load = os.getloadavg()
    print(f"{rows:,} rows, best of {args.repeat}, CPU seconds; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if not args.no_header:
        print("| side | stage | CPU s | us per row | share |")
        print("|---|---|---|---|---|")
    total = sum(best.values())
    for side, stage in STAGES:
        seconds = best[stage]
        print(f"| {side} | {stage} | {seconds:.2f} | {seconds / rows * 1e6:.1f} | {seconds / total:.0%} |")
    for side in ("parent", "worker"):
        seconds = sum(best[stage] for s, stage in STAGES if s == side)
        print(f"| {side} | **all** | {seconds:.2f} | {seconds / rows * 1e6:.1f} | {seconds / total:.0%} |")


if __name__ == "__main__":
    main()
