"""The `importer` command: a thin layer over the Python API, importer.pipeline.api (and importer.sandbox)."""

from __future__ import annotations

import json
import signal
import sys
import time
from typing import Any

import click

from importer.commands._status_counts import status_count
from importer.commands.about import version_option
from importer.commands.account import account_group
from importer.commands.api_options import show_api_notices
from importer.commands.flags import command_flags
from importer.commands.guard import GuardedGroup, command_language, crash_guard, error_message
from importer.commands.mapping import mapping_command
from importer.commands.undo import runs_command, undo_command
from importer.errors import ImporterError, capped
from importer.i18n.message import N_, Text, english
from importer.i18n.translator import Translator
from importer.pipeline.api import import_file, validate_file
from importer.pipeline.run_options import load_config, merged
from importer.progress import TqdmProgress
from importer.results.report import REMOVAL_STATUSES, Report
from importer.sandbox.command import sandbox_command
from importer.validation.problems import problem_lines


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@version_option
def cli() -> None:
    """Bulk-load contacts from CSV and Excel files into a Callbell account.

    Exit codes: 0 every row ok; 1 some rows invalid, duplicated or failed (or --on-missing held back or failed);
    2 usage, config or unreadable input (nothing sent); 3 account or authentication problem (nothing sent);
    4 internal error (a bug); 130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP (the next run resumes).
    """


cli.add_command(sandbox_command)
cli.add_command(mapping_command)
cli.add_command(account_group)
cli.add_command(runs_command)
cli.add_command(undo_command)


# FILE is text, not a click.Path: it may be "-" or a URL (a Path would turn https:// into https:/); it may be left
# out when --query gives the rows. importer.sources.spec parses it.
_FILE = click.argument("file", required=False, metavar="[FILE]")


@cli.command("import")
@_FILE
@command_flags("import")
def import_command(dry_run: bool, **kwargs: Any) -> None:
    """Import the contacts in FILE (CSV, XLSX, XLS, ODS) into Callbell.

    FILE may be - (standard input), an http(s) URL or Google Sheets link, or sftp://, s3://, gs:// (their
    extras); or leave it out and give --db and --query. The API token comes from the CALLBELL_API_TOKEN
    environment variable (or --token-file). Running the same command again resumes an interrupted run (from
    the same copy of a non-local input) and creates nothing twice.
    """
    _run(dry_run=dry_run, **kwargs)


@cli.command("validate")
@_FILE
@command_flags("validate")
def validate_command(**kwargs: Any) -> None:
    """Check FILE as `import --dry-run` does: every problem reported, nothing sent."""
    _run(dry_run=True, **kwargs)


def _run(
    *,
    dry_run: bool,
    progress: bool | None,
    log_format: str | None,
    log_every: float | None,
    file: str | None,
    **kw: Any,
) -> None:
    """The run through the Python API (importer.pipeline.api); `kw` holds its options, named as the flags. A flag
    not given is None: the --config file's [options] may set it, else the table's default applies."""
    # The run's language before anything can fail: --lang, else the --config file's, else the locale.
    tr = Translator.for_lang(command_language(kw.get("lang"), kw.get("config")))
    log = Log(json_lines=log_format == "json", translator=tr)
    show_api_notices(lambda message: log.emit("warning", message))  # a pre-flight retry, as it happens
    # Before the sending stage (which handles signals itself), SIGTERM and SIGHUP (a closed terminal) stop the run
    # like Ctrl-C does.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    # The crash guard every command has, told through the log: a JSON line when --log-format json.
    with crash_guard(lambda message, code: log.error(message, exit_code=code), tr=tr):
        try:
            config = load_config(kw["config"])  # read once, here: the command's own options may come from it
            own, _ = merged(
                {"progress": progress, "log_format": log_format, "log_every": log_every, "lang": kw["lang"]}, config
            )
            log.json_lines = own["log_format"] == "json"
            tr = log.tr = Translator.for_lang(command_language(own["lang"], kw["config"]))
            if own["progress"] if own["progress"] is not None else sys.stderr.isatty():
                reporter: Any = TqdmProgress(render=tr.render)
            else:
                reporter = LogProgress(log, every=own["log_every"], translator=tr)
            run = validate_file if dry_run else import_file
            report = run(file, progress=reporter, **{**kw, "config": config})
        except ImporterError as exc:
            log.error(error_message(exc), exit_code=int(exc.exit_code))
            sys.exit(int(exc.exit_code))
        except (KeyboardInterrupt, _Terminated) as exc:
            code = 128 + exc.signum if isinstance(exc, _Terminated) else 130
            log.error(N_("interrupted before anything was sent"), exit_code=code)
            sys.exit(code)
    _print_report(report, dry_run, log, tr)
    sys.exit(int(report.exit_code))


class _Terminated(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated(signum)


class Log:
    """Lines on stderr for people (text, in the run's language) or schedulers (one JSON object per line, English:
    a message's English text, so that what reads them does not depend on the language)."""

    def __init__(self, json_lines: bool, translator: Translator | None = None) -> None:
        self.json_lines = json_lines
        self.tr = translator or Translator()

    def emit(self, level: str, message: Text, **fields: Any) -> None:
        if self.json_lines:
            record = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "level": level, "message": english(message)}
            click.echo(json.dumps(record | fields, ensure_ascii=False, default=str), err=True)
        else:
            # The labels stay English, as the statuses do: scripts look for `importer: error:`.
            label = f"{level}: " if level in ("error", "warning") else ""
            click.echo(f"importer: {label}{self.tr.render(message)}", err=True)

    def info(self, message: Text, **fields: Any) -> None:
        self.emit("info", message, **fields)

    def error(self, message: Text, **fields: Any) -> None:
        self.emit("error", message, **fields)


class LogProgress:
    """Without a terminal: a log line every few seconds instead of a bar."""

    def __init__(self, log: Log, every: float = 5.0, translator: Translator | None = None) -> None:
        self.log, self.every = log, every
        self.tr = translator or Translator()
        self.total, self.done, self.description = 0, 0, ""
        self.started = self.last = 0.0

    def start(self, total: int, description: Any) -> None:
        # The stage's name as given (a Message): English in the JSON field, the run's language in the text.
        self.total, self.done, self.description = total, 0, description
        self.started = self.last = time.monotonic()

    def advance(self, n: int = 1, total: int | None = None) -> None:
        self.done += n
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._line(now)

    def close(self) -> None:
        if self.done and self.last != self.started:
            self._line(time.monotonic())

    def _line(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        fields: dict[str, Any] = {"stage": str(self.description), "done": self.done, "rate": round(rate, 1)}
        # Plain digits (strings: not grouped), as log readers parse them; the words in the run's language.
        numbers = {"stage": self.description, "done": str(self.done), "rate": str(round(rate))}
        if not self.total:
            self.log.info(N_("{stage}: {done}, {rate} rows/s", **numbers), **fields)
            return
        eta = (self.total - self.done) / rate if rate else None
        fields |= {"total": self.total, "eta_s": round(eta) if eta is not None else None}
        numbers |= {"total": str(self.total), "percent": f"{100 * self.done / self.total:.0f}"}
        if eta is None:
            self.log.info(N_("{stage}: {done}/{total} ({percent}%), {rate} rows/s", **numbers), **fields)
        else:
            line = N_("{stage}: {done}/{total} ({percent}%), {rate} rows/s, ETA {seconds}s", seconds=str(round(eta)))
            self.log.info(line.with_params(**numbers), **fields)


def _print_report(report: Report, dry_run: bool, log: Log, tr: Translator | None = None) -> None:
    """The terminal summary, in the run's language; the JSON summary line (--log-format json) stays English."""
    tr = tr or Translator()
    echo = click.echo
    echo(tr.ngettext("Read {n} row ({source}).", "Read {n} rows ({source}).", report.row_count, source=report.source))
    for note in report.notes:
        echo(f"  {tr.render(note)}")
    for index, why in report.mapping.inferred.items():  # read from the values, not the header: say so
        column, target = report.mapping.column(index), report.mapping.target(index)
        echo("  " + tr.gettext("{header} -> {target}: inferred from the values ({why})", header=column,
                               target=target, why=tr.render(why)))  # fmt: skip
    unmapped = [report.mapping.column(i) for i in report.mapping.unmapped]
    if unmapped:
        echo(tr.gettext("Columns not imported: {columns}", columns=tr.render(capped(unmapped, 20))))
    order = ("created", "updated", "unchanged", "skipped", "valid", "merged", "duplicate", "invalid", "failed",
             "pending")  # fmt: skip
    # Each status in the language's words (English: the results file's own status words, as always).
    parts = [tr.render(status_count(s, report.counts[s])) for s in order if report.counts.get(s)]
    # --on-missing's rows after the file's: tagged, deleted (a dry run: would_tag, would_delete).
    parts += [tr.render(status_count(s, report.removals[s])) for s in REMOVAL_STATUSES if report.removals.get(s)]
    counted = ", ".join(parts) or tr.gettext("no rows")
    took = tr.fixed(report.duration, 1)
    if dry_run:
        echo(tr.gettext("Dry run: {counts} in {seconds}s.", counts=counted, seconds=took))
    else:
        echo(tr.gettext("{counts} in {seconds}s.", counts=counted, seconds=took))
    _print_missing(report, echo, tr)
    if report.problems:
        errors = sum(1 for p in report.problems if p["severity"] == "error")
        warnings = len(report.problems) - errors
        what = [tr.ngettext("{n} kind of problem", "{n} kinds of problem", errors)] if errors else []
        what += [tr.ngettext("{n} kind of warning", "{n} kinds of warning", warnings)] if warnings else []
        told = tr.gettext("{first} and {second}", first=what[0], second=what[1]) if len(what) == 2 else what[0]
        echo(tr.gettext("What to fix ({what}; rows per problem, first rows, what to do):", what=told))
        for line in problem_lines(report.problem_groups or report.problems, translator=tr):
            echo(line)
    if report.requests and dry_run:  # a dry run with a token only reads, to tell which rows already exist
        echo(tr.gettext("API: {n} read-only requests (existing contacts looked up), nothing sent.", n=report.requests))
    elif report.requests:
        echo(
            tr.gettext(
                "API: {requests} requests, {retries} retries, {limited} answered 429; {rate} contacts created per"
                " second.",
                requests=report.requests,
                retries=report.retries,
                limited=report.rate_limited,
                rate=round(report.created_per_second),
            )
        )
    if report.duplicates_removed:
        echo(
            tr.ngettext(
                "Reconciled: {n} duplicate contact made by re-sends after lost answers deleted (the first of each"
                " kept; the rows' warnings name them).",
                "Reconciled: {n} duplicate contacts made by re-sends after lost answers deleted (the first of each"
                " kept; the rows' warnings name them).",
                report.duplicates_removed,
            )
        )
    if report.resumed:
        echo(tr.gettext("Resumed an interrupted run: rows it had finished were not sent again."))
    if report.signal is not None:
        echo(
            tr.gettext("Stopped by a signal: rows marked pending were not sent; run the same command again to finish.")
        )
    if report.snapshot is not None:  # the rows of a URL, standard input or a query were read from this copy
        echo(tr.gettext("Input copy: {path}", path=str(report.snapshot)))
    echo(tr.gettext("Results: {path}", path=str(report.results_path)))
    if report.errors_path is not None:
        echo(tr.gettext("Rows to fix: {path}", path=str(report.errors_path)))
    if report.report_path is not None:
        echo(tr.gettext("Report: {path}", path=str(report.report_path)))
    if log.json_lines:
        log.info("summary", **report.summary())


def _print_missing(report: Report, echo: Any, tr: Translator) -> None:
    """What --on-missing found and did, in a line or two (the removals' own rows are in the results)."""
    missing = report.missing or {}
    if missing.get("returned"):
        echo(
            tr.ngettext(
                "Back in the source: {n} contact tagged on an earlier run, the tag removed.",
                "Back in the source: {n} contacts tagged on an earlier run, the tag removed.",
                missing["returned"],
            )
        )
    if missing.get("held_back"):
        echo(tr.gettext("Contacts that left the source: held back, {why}.", why=tr.render(missing["held_back"])))
    failed, pending = report.removals.get("failed", 0), report.removals.get("pending", 0)
    if failed or pending:
        what = [tr.gettext("{n} failed", n=failed)] if failed else []
        what += [tr.gettext("{n} not done (stopped)", n=pending)] if pending else []
        echo(
            tr.gettext(
                "Contacts that left the source: {what}; see the rows without a row number in the results.",
                what=", ".join(what),
            )
        )


def main() -> None:
    cli()
