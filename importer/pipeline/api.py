"""The importer as a Python library: a file or records in, a `Report` out. The `importer` command is a client of
these functions; README "Using it from Python" shows them at work.

Options are keyword arguments named as the command's flags (`--on-existing update` is `on_existing="update"`,
`--results` is `results=`); see the table in `importer.options`. A `config=` file's [options] may set any of them
(and `account_file`) under what the call gives; the defaults apply after it. A problem that stops a run raises an
`ImporterError` subclass whose `exit_code` is the one the command exits with.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from importer.errors import ImporterError
from importer.notify.notifier import NotifySettings
from importer.options import api_keywords
from importer.pipeline.notifying import input_name, notify_settings, watched
from importer.pipeline.options import ImportOptions
from importer.pipeline.run import run_import
from importer.pipeline.run_options import build_options, check_names, is_given, load_config
from importer.progress import Progress, ProgressCallback, as_progress
from importer.reading.files import Table
from importer.reading.records import RECORDS_NAME, records_table
from importer.results.report import Report

PathLike = str | os.PathLike[str]
# Each function's keywords, from the options table (importer.options).
_FILE_OPTIONS = set(api_keywords(dry_run=False))
_IMPORT_OPTIONS = set(api_keywords())
_RECORDS_OPTIONS = set(api_keywords(files=False))  # no encoding, delimiter, sheet: records are not a file


def validate_file(
    path: PathLike | None = None,
    *,
    account_file: PathLike | None = None,
    token: str | None = None,
    base_url: str | None = None,
    progress: Progress | ProgressCallback | None = None,
    **options: Any,
) -> Report:
    """Check every row of a CSV or Excel file (or any input `import_file` takes) as `importer validate` does, and
    send nothing.

    Writes the results, errors file, summary and HTML report as a dry run does (`results=` says where). With a
    token (argument, `token_file=`, or CALLBELL_API_TOKEN) it also looks up, read-only, which rows the account
    already has. Options: those of `import_file` but `dry_run`.
    """
    check_names("validate_file", options, _FILE_OPTIONS)
    return import_file(
        path, account_file=account_file, token=token, base_url=base_url, progress=progress, dry_run=True, **options
    )


def import_file(
    path: PathLike | None = None,
    *,
    account_file: PathLike | None = None,
    token: str | None = None,
    base_url: str | None = None,
    progress: Progress | ProgressCallback | None = None,
    **options: Any,
) -> Report:
    """Import a CSV or Excel file as `importer import` does; returns the Report (its `exit_code` is the command's).

    `path` is a local file, "-" (standard input), an http(s) URL (a Google Sheets link reads its sheet as CSV), or
    an fsspec URL (sftp://, s3://, gs://; their extras); or None with `query=` (or `query_file=`) and `db=` (else
    IMPORTER_DB_URL): the query's rows are the input. A non-local input is first copied to a snapshot beside the
    results (`<results stem>.input.csv`, .xlsx, ...), which a resumed run reads again; its results go to the
    current folder by default, named after it (contacts.csv -> contacts.results.csv; `query`, `stdin`).

    The token is `token`, else `token_file`'s, else CALLBELL_API_TOKEN's; `base_url` defaults to
    CALLBELL_BASE_URL, else Callbell's API. Options, named as the command's flags: results, report, state, config,
    default_region, phone_format, source, encoding, delimiter, sheet, format, db, query, query_file, token_file,
    duplicates, on_existing, tags, on_missing, max_missing, rate, concurrency, max_retries, timeout, settle, workers,
    notify, notify_on, ping, metrics_file, dry_run, lang. Running it again resumes and creates nothing twice.

    `lang` (en, es, pt, it, fr, de; default: the locale of LC_ALL, LC_MESSAGES or LANG, else en) is the language
    of the error and warning cells and the HTML report; `Report.problems` and summary.json stay English.

    `notify` (a webhook URL or a list of them), `ping` and `metrics_file` tell how the run ended, however it ended
    (README "Telling someone"); one that fails is a warning on the `importer` logger, never an exception.
    """
    check_names("import_file", options, _IMPORT_OPTIONS)
    settings, name, options = _notifications(path, options)  # first: the ping's /start comes before anything else

    def run() -> Report:
        built = build_options(path, account_file=account_file, token=token, base_url=base_url, given=options)
        return _run(built, progress)

    return watched(settings, name, bool(options.get("dry_run")), run)


def _notifications(path: PathLike | None, options: dict[str, Any]) -> tuple[NotifySettings, str, dict[str, Any]]:
    """The notification settings (given, else the config's [options]), the input's name for them, and the options
    with the config read once. A config that cannot be read is told to what the call itself gave: the run raises
    its error again, inside the watch."""
    try:
        config = load_config(options.get("config"))
    except ImporterError:
        return notify_settings(options), _input_name(path), options
    pinned = config.options if config is not None else {}
    settings = notify_settings({**pinned, **{key: value for key, value in options.items() if is_given(value)}})
    if path is None and config is not None:
        path = config.input_spec().get("input")
    return settings, _input_name(path), {**options, "config": config}


def _input_name(path: PathLike | None) -> str:
    return input_name(path) if path is not None else "query"  # the rows of a --query, named so by importer.sources


def import_records(
    records: Iterable[Mapping[str, Any]] | Any,
    *,
    account_file: PathLike | None = None,
    token: str | None = None,
    base_url: str | None = None,
    progress: Progress | ProgressCallback | None = None,
    **options: Any,
) -> Report:
    """Import records: a pandas DataFrame, or an iterable of mappings (header -> cell); `dry_run=True` only checks.

    Cells are read as text, as the Excel reader reads them: a phone column pandas typed float64 gives its digits
    (5511987654321.0 is 5511987654321), one too large to be exact is refused per row; None, NaN and NA are empty.
    The first record is row 2 (as under a header row) and every record gets one results row, in order. Without
    `results=`, the results (and the state file) go to a temporary directory that lives as long as the Report;
    give `results=` to keep them, and to resume an interrupted import. Options: those of `import_file` but
    encoding, delimiter, sheet, format, db, query and query_file.
    """
    check_names("import_records", options, _RECORDS_OPTIONS)
    settings = notify_settings(options)
    keep = None
    config = load_config(options.get("config"))  # read once: its [options] may name the results
    options = {**options, "config": config}
    if options.get("results") is None and not (config and "results" in config.options):
        keep = tempfile.TemporaryDirectory(prefix="importer-records-")
        options = {**options, "results": Path(keep.name) / "records.results.csv"}

    def run() -> Report:
        table = records_table(records)
        built = build_options(RECORDS_NAME, account_file=account_file, token=token, base_url=base_url, given=options)
        return _run(built, progress, table)

    try:
        report = watched(settings, input_name(RECORDS_NAME), bool(options.get("dry_run")), run)
    except BaseException:
        if keep is not None:
            keep.cleanup()
        raise
    report._keep_alive = keep
    return report


def _run(options: ImportOptions, progress: Progress | ProgressCallback | None, table: Table | None = None) -> Report:
    reporter = as_progress(progress)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_import(options, reporter, table)
    # Called from a running event loop (a Jupyter notebook): the run's own loops go to a thread of their own.
    with ThreadPoolExecutor(1, thread_name_prefix="importer") as pool:
        return pool.submit(run_import, options, reporter, table).result()
