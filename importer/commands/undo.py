"""`importer runs RESULTS` and `importer undo RESULTS`: a thin layer over importer.delivery.undo."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from importer.callbell.credentials import read_token, require_token
from importer.commands._status_counts import status_count
from importer.commands.api_options import client_config, show_api_notices
from importer.commands.flags import command_flags, named_flags
from importer.commands.guard import command_language, error_text, fail
from importer.delivery.undo import RunSummary, UndoOptions, UndoReport, list_runs, run_undo
from importer.errors import ConfigError, ImporterError
from importer.i18n.message import N_
from importer.i18n.translator import Translator
from importer.progress import TqdmProgress
from importer.state.ledger import RunRecord


@click.command("runs")
@click.argument("results", type=click.Path(path_type=Path, dir_okay=False))
@named_flags("state", "lang", command="runs")
def runs_command(results: Path, state: Path | None, lang: str | None) -> None:
    """List the runs recorded in the state beside RESULTS: id, start, counts, and what `importer undo` would do.

    Exit codes: 0 listed; 2 no state file, or one of another import.
    """
    tr = Translator.for_lang(command_language(lang))
    summaries = _guarded(lambda: list_runs(results, state), tr)
    if not summaries:
        click.echo(tr.gettext("No runs recorded."))
        return
    last = next((s.run.id for s in reversed(summaries) if s.run.finished is not None), None)
    # The column titles in the language, padded to the widths of the English ones at least.
    titles = (tr.gettext("run"), tr.gettext("started"), tr.gettext("counts"), tr.gettext("undo"))
    widths = (max(9, len(titles[0]) + 1), max(26, len(titles[1]) + 1), max(40, len(titles[2]) + 1))
    click.echo("".join(t.ljust(w) for t, w in zip(titles, widths, strict=False)) + titles[3])
    for summary in summaries:
        run = summary.run
        mark = " " + tr.gettext("(last)") if run.id == last else ""
        status = " " + tr.gettext("(interrupted)") if run.finished is None else ""
        started = run.started or "?"
        click.echo(
            f"{run.id[:8]:<{widths[0]}}{started:<{widths[1]}}{(_counts(run, tr) + status):<{widths[2]}}"
            f"{_what_undo_does(summary, tr)}{mark}"
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
    tr = Translator.for_lang(command_language(kw.get("lang")))  # --lang, else the locale

    def confirm(summary: RunSummary) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise ConfigError(N_("not at a terminal: give --yes to undo without being asked"))
        click.echo(tr.gettext("Run {run}: {plan}.", run=_describe(summary.run, tr), plan=_plan(summary, tr)))
        return click.confirm(tr.gettext("Undo it?"), default=False)

    def go() -> UndoReport:
        show_api_notices(tr=tr)
        token = read_token(kw["token_file"]) if dry_run else require_token(kw["token_file"])
        client = client_config(token, kw) if token else None
        options = UndoOptions(
            results=results, state=kw["state"], run=run, dry_run=dry_run, client=client, settle=kw["settle"]
        )
        options = dataclasses.replace(options, lang=tr.lang)  # the undo file's error cells in the run's language
        return run_undo(options, confirm=confirm, progress=_progress(progress, tr))

    report = _guarded(go, tr)
    _print(report, dry_run, tr)
    sys.exit(report.exit_code)


def _guarded(action: Any, tr: Translator) -> Any:
    try:
        return action()
    except ImporterError as exc:
        fail(error_text(exc, tr), int(exc.exit_code))
    except KeyboardInterrupt:
        fail(tr.gettext("interrupted"), 130)
    except click.Abort:
        fail(tr.gettext("interrupted: nothing undone"), 130)


def _print(report: UndoReport, dry_run: bool, tr: Translator | None = None) -> None:
    """What the undo did (or, dry, would do), in the run's language; the actions and statuses (delete, deleted,
    failed...) are those of the undo file's columns, the same in every language."""
    tr = tr or Translator()
    echo = click.echo
    if report.run is None or report.plan is None:
        echo(tr.gettext("No finished run to undo."))
        return
    described = _describe(report.run, tr)
    if dry_run:
        if not report.planned and not report.unresolved:
            echo(tr.gettext("Dry run: run {run}: nothing left to undo.", run=described))
            return
        echo(tr.gettext("Dry run: run {run}: would {plan}; nothing sent.", run=described, plan=_plan(report.plan, tr)))
        for item in report.planned:
            where = " " + tr.gettext("(row {row})", row=str(item.row)) if item.row is not None else ""
            echo(f"  {item.action} {item.uuid}{where}")
        if report.unresolved:
            echo(
                "  "
                + tr.ngettext(
                    "and {n} contact the run may have created: the undo looks it up first",
                    "and {n} contacts the run may have created: the undo looks them up first",
                    report.unresolved,
                )
            )
        return
    if report.declined:
        echo(tr.gettext("Nothing undone."))
        return
    done = _listed(report.counts, tr)
    if not report.plan.anything:
        if done:
            echo(tr.gettext("Run {run}: nothing left to undo ({counts}).", run=described, counts=done))
        else:
            echo(tr.gettext("Run {run}: nothing left to undo.", run=described))
    else:
        took = tr.fixed(report.seconds, 1)
        counted = done or tr.gettext("nothing")
        echo(tr.gettext("Undid run {run}: {counts} in {seconds}s.", run=described, counts=counted, seconds=took))
        echo(tr.gettext("API: {requests} requests, {retries} retries.", requests=report.requests,
                        retries=report.retries))  # fmt: skip
    for old, new in report.recreated:
        echo(tr.gettext("Re-created a contact the run deleted; its uuid changed: {old} -> {new}", old=old, new=new))
    if report.counts.get("failed") or report.counts.get("todo"):
        echo(tr.gettext("Some contacts were not undone (see the error column); run the same command again to retry"
                        " them."))  # fmt: skip
    if report.signal is not None:
        echo(tr.gettext("Stopped by a signal: run the same command again to finish."))
    if report.undo_path is not None:
        echo(tr.gettext("Undo results: {path}", path=str(report.undo_path)))


def _describe(run: RunRecord, tr: Translator) -> str:
    started = run.started or tr.gettext("before runs were recorded")
    return tr.gettext("{id} (started {started}; {counts})", id=run.id[:8], started=started, counts=_counts(run, tr))


def _listed(counts: Any, tr: Translator) -> str:
    # "3 created, 1 failed": as the import's summary line says them (importer.commands._status_counts); a status
    # of undo's own (restored, todo…) as its file writes it.
    return ", ".join(tr.render(status_count(status, n)) for status, n in sorted(counts.items()))


def _counts(run: RunRecord, tr: Translator) -> str:
    return _listed(run.counts, tr) or tr.gettext("no counts")


def _plan(summary: RunSummary, tr: Translator) -> str:
    parts = [
        tr.ngettext("delete {n} contact it created", "delete {n} contacts it created", summary.to_delete),
        tr.ngettext("restore {n} it updated", "restore {n} it updated", summary.to_restore),
    ]
    if summary.to_untag:
        parts.append(
            tr.ngettext(
                "remove the tag it added to {n} that left the source",
                "remove the tag it added to {n} that left the source",
                summary.to_untag,
            )
        )
    if summary.to_recreate:
        parts.append(
            tr.ngettext(
                "re-create {n} it deleted (with a new uuid)",
                "re-create {n} it deleted (with new uuids)",
                summary.to_recreate,
            )
        )
    return ", ".join(parts)


def _what_undo_does(summary: RunSummary, tr: Translator) -> str:
    """The `runs` listing's last column: what `importer undo` would do to the run, in short."""
    if not summary.anything:
        return tr.gettext("undone") if summary.undone else tr.gettext("nothing to undo")
    parts = [
        tr.gettext("delete {n}", n=summary.to_delete),
        tr.gettext("restore {n}", n=summary.to_restore),
    ]
    if summary.to_untag:
        parts.append(tr.gettext("untag {n}", n=summary.to_untag))
    if summary.to_recreate:
        parts.append(tr.gettext("re-create {n}", n=summary.to_recreate))
    return ", ".join(parts)


def _progress(flag: bool | None, tr: Translator) -> Any:
    if not (sys.stderr.isatty() if flag is None else flag):
        return None
    return TqdmProgress(unit=N_("contact"), render=tr.render)
