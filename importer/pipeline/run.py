"""The import as stages, each over the ledger:

1. check: read the sheet in chunks, validate them on every core, record each row (invalid, duplicate,
   pending) in the ledger — every problem is found before anything is sent;
2. send: deliver the pending rows exactly once (importer.delivery.send);
3. results: walk the sheet again beside the ledger, in row order, and write the results and errors files.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from importer.account.model import Account, AccountFileError, load_account
from importer.callbell.credentials import NO_TOKEN
from importer.delivery.missing import check_missing_tag, handle_missing
from importer.delivery.options import missing_policy
from importer.delivery.preflight import preflight
from importer.delivery.send import deliver
from importer.errors import AccountError
from importer.i18n.message import N_
from importer.i18n.translator import Translator
from importer.mapping.columns import build_mapping
from importer.mapping.headers import vocabulary
from importer.mapping.hints import require_columns
from importer.mapping.values import ValueRules, resolve_value_rules
from importer.pipeline._inputs import fetch, input_name, reading_errors
from importer.pipeline.check import check, check_rows, scan
from importer.pipeline.options import ImportOptions, OnExisting
from importer.progress import NoProgress, Progress
from importer.reading.files import Table, open_table
from importer.results.html import write_html_report
from importer.results.report import OK_STATUSES, Report, grouped_problems, removal_status, rows_to_fix
from importer.results.writer import ResultsWriter
from importer.state.ledger import PENDING, VALID, Ledger
from importer.validation.problems import rendered

# Re-exported: the stages' entry points, for callers that knew them here.
__all__ = [
    "OK_STATUSES", "ImportOptions", "NoProgress", "OnExisting", "Progress", "Report",
    "check_rows", "run_import", "scan",
]  # fmt: skip


def run_import(options: ImportOptions, progress: Progress | None = None, table: Table | None = None) -> Report:
    """Run one import (or dry run); raises ImporterError subclasses for problems that stop it.

    `table`: rows that do not come from `options.file` (importer.reading.records); `options.file` then only names them.
    """
    progress = progress or NoProgress()
    translator = Translator.for_lang(options.lang or "en")  # the error and warning cells, the report
    started = time.monotonic()
    started_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    account = _load_account(options.account_file)
    if not options.dry_run and options.client is None:
        raise AccountError(NO_TOKEN)
    # Records (a `table` given) have no file: their name is what a state file remembers of them. Any other input
    # is read from a local file: its own, or the snapshot of a URL's, standard input's or a query's rows. A
    # snapshot is named as the input was given (without secrets), not as the copy: in messages, the summary's
    # "file" and the report; `snapshot` says where the copy is.
    fetched, source_id, label, notes = None, str(options.file), "", ()
    file: Path | str = options.file
    snapshot: Path | None = None
    if table is None:
        fetched, source_id = fetch(options)
        file, notes = (input_name(options.input_spec) if fetched.snapshot else fetched.path), fetched.notes
        snapshot = fetched.path if fetched.snapshot else None
        label = str(file) if fetched.snapshot else ""
        with reading_errors(fetched, str(file)):
            table = _open(options, fetched.path)  # a bad file is reported before any request
    client = options.client
    if client is not None:
        client, learnt = asyncio.run(preflight(client, account))
        account = learnt or account
    # --on-missing tag:NAME: a tag the account has, as it spells it (checked before any row, like the rows' tags).
    options = replace(options, on_missing=str(check_missing_tag(missing_policy(options.on_missing), account)))
    # The headers, then the first rows' values where the headers do not say (importer.mapping.inference).
    sample = [row.values for row in table.sample()]
    mapping = build_mapping(table.headers, account, options.mapping_config, sample, options.validation.default_region)
    require_columns(file, mapping, options.mapping_config)  # the input named: the headers are in the message
    rules = options.mapping_config.values if options.mapping_config else ValueRules()
    # Checked against the account before any row: a wrong right side would fail every row it touches.
    options = replace(options, validation=replace(options.validation, values=resolve_value_rules(rules, account)))
    report = Report(
        source=N_("{source}, from {file}", source=table.description, file=label) if label else table.description,
        mapping=mapping,
        results_path=options.results_path,
        file=file,
        snapshot=snapshot,
        dry_run=options.dry_run,
        started_at=started_at,
        lang=translator.lang,
    )

    fingerprint = {"file": source_id}
    if options.client is not None:
        fingerprint["base_url"] = options.client.base_url
    if options.dry_run and options.state_path.exists():
        # A dry run keeps no state, but must not overwrite the results of another import either.
        with Ledger(options.state_path) as existing:
            existing.check_fingerprint(fingerprint)
    ledger = Ledger.throwaway() if options.dry_run else Ledger.open(options.state_path)
    with ledger:
        if not options.dry_run:
            run, report.resumed = ledger.begin_run(fingerprint, started_at)
            ledger.set_meta("results", str(options.results_path.resolve()))  # which results `importer undo` takes
        ledger.rows.reset()
        # A dry run that asks the API nothing and merges nothing records its rows to send `valid` at once.
        offline = options.dry_run and options.client is None and options.duplicates != "merge"
        to_send = VALID if offline else PENDING
        with reading_errors(fetched, str(file)):  # the rows are read as they are checked: a damaged row stops it here
            checked = check(
                table,
                account,
                mapping,
                options.validation,
                ledger,
                progress,
                # An offline dry run never sends: no payloads to build, unless rows are merged (from their payloads).
                want_payload=options.client is not None or options.duplicates == "merge",
                workers=options.workers,
                duplicates=options.duplicates,
                translator=translator,
                to_send=to_send,
            )
        report.phone_examples = checked.phone_examples

        settled = False  # no row left pending, known without counting them (a scan of every row)
        if client is not None and ledger.rows.count_pending():
            stats = asyncio.run(deliver(ledger, client, "" if options.dry_run else run, options.delivery, progress))
            report.requests, report.retries = stats.requests, stats.retries
            report.rate_limited, report.send_seconds = stats.rate_limited, stats.seconds
            report.duplicates_removed = stats.duplicates_removed
            report.created_this_run = stats.created
            report.signal = stats.signal
            if stats.signal is not None or stats.unreachable:
                if stats.signal:
                    why = translator.gettext("stopped by {signal}", signal=signal.Signals(stats.signal).name)
                else:
                    why = translator.gettext("the API stopped answering")
                ledger.rows.explain_pending(
                    translator.gettext("not sent: {why}; run the same command again to send it", why=why)
                )
        elif options.dry_run and to_send == PENDING:
            ledger.rows.pending_to_valid()
            settled = True

        if options.duplicates == "merge":  # a merged row: the contact its group's first row went into
            ledger.rows.share_merged_outcomes(translator.gettext("merged into row {row}, which failed", row="{row}"))
        run_id = "" if options.dry_run else run
        # A stopped run removes nothing: it resumes.
        if report.signal is None and (settled or not ledger.rows.count_pending()):
            if options.dry_run and options.on_missing != "keep" and options.state_path.exists():
                # What the job knows is in the real state file; copied now, after the dry run's look-ups.
                with Ledger(options.state_path) as existing:
                    ledger.removals.copy_known(existing.removals.known_records())
            rows_read = sum(ledger.rows.status_counts().values()) if options.on_missing != "keep" else 0
            missing = handle_missing(ledger, client, run_id, options.delivery, rows_read, progress)
            report.requests += missing.requests
            report.signal = missing.signal
            report.missing = missing.summary() if missing.policy != "keep" or missing.returned else None

        report.notes = [*notes, *table.notes]  # complete now that every row was read
        report.errors_path = write_results(table.headers, ledger, options, run_id, translator)
        report.counts = Counter(ledger.rows.status_counts())
        report.removals = Counter(removal_status(*o[:2], options.dry_run) for o in ledger.removals.outcomes(run_id))
        report.problem_groups = grouped_problems(checked.tally, ledger, mapping, options.duplicates, report.counts)
        report.problems = rendered(report.problem_groups)  # English, as summary.json and API callers read them
        report.rows_to_fix = rows_to_fix(ledger)
        if not options.dry_run:
            # An interrupted run is resumed by the next one, under the same run id.
            # The run's record counts its removals too (a failed one with the failed rows).
            ledger.end_run(dict(report.counts + report.removals), finished=report.signal is None)
    report.duration = time.monotonic() - started
    summary = report.summary()
    # default=str: a Message (the source, the notes) is written in English, as summary.json always is.
    report.summary_path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    write_html_report(report.summary(translator), options.report_path, translator)
    report.report_path = options.report_path
    return report


def _load_account(path: Path) -> Account:
    try:
        return load_account(path)
    except AccountFileError as exc:
        raise AccountError(exc.args[0] if len(exc.args) == 1 else str(exc)) from None  # a Message keeps its language


def _open(options: ImportOptions, path: Path) -> Table:
    return open_table(
        path,
        encoding=options.encoding,
        delimiter=options.delimiter,
        sheet=options.sheet,
        header_score=vocabulary().header_score,  # the header row is the one that reads as headers
    )


# --- stage 3: results --------------------------------------------------------------------------------------


def write_results(
    headers: list[str], ledger: Ledger, options: ImportOptions, run: str = "", translator: Translator | None = None
) -> Path | None:
    """Results in row order from the ledger, which holds each row's original cells too; then the run's removals
    (--on-missing), each a row without a row number."""
    errors_path = options.errors_path
    tr = translator or Translator()
    with ResultsWriter(options.results_path, errors_path, headers) as writer:
        writer.write_rows(ledger)
        for action, state, uuid, identifier, href, error, warning in ledger.removals.outcomes(run):
            status = removal_status(action, state, options.dry_run)
            if status == "pending":
                error = error or tr.gettext("not sent: the run was stopped; run the same command again to finish")
            writer.write_removal(status, uuid, identifier, error, href, tr.render(warning))
        wrote_errors = writer.error_rows > 0
    if not wrote_errors:
        errors_path.unlink(missing_ok=True)  # an old errors file would mislead
        return None
    return errors_path
