"""`importer runs RESULTS` and `importer undo RESULTS`: a thin layer over importer.delivery.undo."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from importer.callbell.credentials import read_token, require_token
from importer.commands.api_options import client_config, show_api_notices
from importer.commands.flags import command_flags, named_flags
from importer.delivery.undo import RunSummary, UndoOptions, UndoReport, list_runs, run_undo
from importer.errors import ConfigError, ImporterError
from importer.i18n.translator import Translator, detect_lang
from importer.progress import TqdmProgress
from importer.state.ledger import RunRecord


@click.command("runs")
@click.argument("results", type=click.Path(path_type=Path, dir_okay=False))
@named_flags("state", command="runs")
def runs_command(results: Path, state: Path | None) -> None:
    """List the runs recorded in the state beside RESULTS: id, start, counts, and what `importer undo` would do.

    Exit codes: 0 listed; 2 no state file, or one of another import.
    """
    summaries = _guarded(lambda: list_runs(results, state))
    if not summaries:
        click.echo("No runs recorded.")
        return
    last = next((s.run.id for s in reversed(summaries) if s.run.finished is not None), None)
    click.echo(f"{'run':<9} {'started':<26} {'counts':<40} undo")
    for summary in summaries:
        run = summary.run
        mark = " (last)" if run.id == last else ""
        status = "" if run.finished is not None else " (interrupted)"
        click.echo(
            f"{run.id[:8]:<9} {(run.started or '?'):<26} {(_counts(run) + status):<40} {summary.what_undo_does}{mark}"
        )


@click.command("undo")
@click.argument("results", type=click.Path(path_type=Path, dir_okay=False))
@command_flags("undo")
def undo_command(results: Path, run: str | None, yes: bool, dry_run: bool, progress: bool | None, **kw: Any) -> None:
    """Undo the last finished import recorded beside RESULTS (or --run ID): delete the contacts it created,
    give the contacts it updated (--on-existing update) their earlier values back, remove the tag --on-missing
    added and re-create the contacts --on-missing deleted (new contacts: their uuids change). Contacts it
    skipped or found are never touched. Writes RESULTS.undo.csv (row, uuid, action, status, error, new_uuid);
    running it again resumes a killed undo and changes nothing after a finished one.

    Exit codes: 0 all undone or nothing to do; 1 some contacts failed (run it again); 2 usage, no state, a
    state of another import, or no --yes without a terminal; 3 token, API or the state in use by another run.
    """

    # The run's language (--lang, else the locale): the progress words so far; the rest of its messages are
    # still English (to convert: _print, _describe, _plan below).
    tr = Translator.for_lang(kw.get("lang") or detect_lang(os.environ))

    def confirm(summary: RunSummary) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise ConfigError("not at a terminal: give --yes to undo without being asked")
        click.echo(f"Run {_describe(summary.run)}: {_plan(summary)}.")
        return click.confirm("Undo it?", default=False)

    def go() -> UndoReport:
        show_api_notices()
        token = read_token(kw["token_file"]) if dry_run else require_token(kw["token_file"])
        client = client_config(token, kw) if token else None
        options = UndoOptions(
            results=results, state=kw["state"], run=run, dry_run=dry_run, client=client, settle=kw["settle"]
        )
        options = dataclasses.replace(options, lang=tr.lang)  # the undo file's error cells in the run's language
        return run_undo(options, confirm=confirm, progress=_progress(progress, tr))

    report = _guarded(go)
    _print(report, dry_run)
    sys.exit(report.exit_code)


def _guarded(action: Any) -> Any:
    try:
        return action()
    except ImporterError as exc:
        _fail(str(exc), int(exc.exit_code))
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except click.Abort:
        _fail("interrupted: nothing undone", 130)


def _print(report: UndoReport, dry_run: bool) -> None:
    if report.run is None or report.plan is None:
        click.echo("No finished run to undo.")
        return
    described = _describe(report.run)
    if dry_run:
        if not report.planned and not report.unresolved:
            click.echo(f"Dry run: run {described}: nothing left to undo.")
            return
        click.echo(f"Dry run: run {described}: would {_plan(report.plan)}; nothing sent.")
        for item in report.planned:
            click.echo(f"  {item.action} {item.uuid}" + (f" (row {item.row})" if item.row is not None else ""))
        if report.unresolved:
            click.echo(f"  and {report.unresolved} contacts the run may have created: the undo looks them up first")
        return
    if report.declined:
        click.echo("Nothing undone.")
        return
    done = ", ".join(f"{n} {status}" for status, n in sorted(report.counts.items()))
    if not report.plan.anything:
        click.echo(f"Run {described}: nothing left to undo" + (f" ({done})." if done else "."))
    else:
        click.echo(f"Undid run {described}: {done or 'nothing'} in {report.seconds:.1f}s.")
        click.echo(f"API: {report.requests} requests, {report.retries} retries.")
    for old, new in report.recreated:
        click.echo(f"Re-created a contact the run deleted; its uuid changed: {old} -> {new}")
    if report.counts.get("failed") or report.counts.get("todo"):
        click.echo("Some contacts were not undone (see the error column); run the same command again to retry them.")
    if report.signal is not None:
        click.echo("Stopped by a signal: run the same command again to finish.")
    if report.undo_path is not None:
        click.echo(f"Undo results: {report.undo_path}")


def _describe(run: RunRecord) -> str:
    return f"{run.id[:8]} (started {run.started or 'before runs were recorded'}; {_counts(run)})"


def _counts(run: RunRecord) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(run.counts.items())) or "no counts"


def _plan(summary: RunSummary) -> str:
    plan = f"delete {summary.to_delete} contacts it created, restore {summary.to_restore} it updated"
    if summary.to_untag:
        plan += f", remove the tag it added to {summary.to_untag} that left the source"
    if summary.to_recreate:
        plan += f", re-create {summary.to_recreate} it deleted (with new uuids)"
    return plan


def _progress(flag: bool | None, tr: Translator) -> Any:
    if not (sys.stderr.isatty() if flag is None else flag):
        return None
    return TqdmProgress(unit="contact", render=tr.render)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"importer: error: {message}", err=True)
    sys.exit(code)
