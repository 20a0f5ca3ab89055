"""The run watched by its notifications (--notify, --notify-on, --ping, --metrics-file; importer.notify): the ping's
/start before anything else, and after the run, however it ended (a Report, an ImporterError, Ctrl-C or a signal,
a bug), the outcome as plain data to the webhooks, the ping and the metrics file. The run's own ending (its Report
or its exception) passes through unchanged."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from importer.errors import ConfigError, ExitCode, ImporterError
from importer.i18n.message import N_, Message, Text
from importer.i18n.translator import LANGS, detect_lang
from importer.notify.notifier import Notifier, NotifySettings
from importer.notify.outcome import Outcome, describe_input
from importer.options import choices, default
from importer.results.report import OK_STATUSES, Report


def notify_settings(given: Mapping[str, Any]) -> NotifySettings:
    """The notification options among an API call's keywords; ConfigError for a URL that is not http(s) (said
    without the URL: it carries a token). `notify` is one URL or a list of them."""
    notify = given.get("notify") or ()
    urls = (notify,) if isinstance(notify, str) else tuple(notify)
    for url in urls:
        _check_url("--notify", url)
    notify_on = given.get("notify_on") or default("notify_on")
    if notify_on not in choices("notify_on"):
        raise ConfigError(
            N_(
                "{option}: {value!r} is not one of {choices}",
                option="--notify-on",
                value=notify_on,
                choices=", ".join(choices("notify_on")),
            )
        )
    ping = given.get("ping") or None
    if ping is not None:
        _check_url("--ping", ping)
    metrics_file = given.get("metrics_file")
    return NotifySettings(
        webhooks=urls,
        notify_on=notify_on,
        ping=ping,
        metrics_file=Path(metrics_file) if metrics_file is not None else None,
        lang=_lang(given.get("lang")),
    )


def _lang(given: object) -> str:
    """The run's language as build_options decides it (given, else the locale); one it refuses is told in English."""
    lang = given or detect_lang(os.environ)
    return lang if isinstance(lang, str) and lang in LANGS else "en"


def _check_url(flag: str, url: object) -> None:
    if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
        raise ConfigError(N_("{option}: expected an http:// or https:// URL", option=flag))


def input_name(file: str | os.PathLike[str]) -> str:
    """What the outcome names as the input: a local path absolute, a URL without its secrets."""
    given = os.fspath(file)
    if given == "-":
        return "stdin"
    if "://" in given or given.startswith("<"):  # a URL; "<records>"
        return describe_input(given, given)
    return str(Path(given).resolve())


def watched(settings: NotifySettings, name: str, dry_run: bool, run: Callable[[], Report]) -> Report:
    """`run()`, told to the notifications of `settings` (nothing more when there are none)."""
    if not settings:
        return run()
    notifier = Notifier(settings)
    started_at, started = time.time(), time.monotonic()

    def stopped(exit_code: int, error: str | None) -> Outcome:
        return Outcome(
            input=name,
            exit_code=exit_code,
            dry_run=dry_run,
            duration_s=time.monotonic() - started,
            error=error,
            started_at=started_at,
            finished_at=time.time(),
            lang=settings.lang,
        )

    try:
        notifier.start()  # inside: a signal while the ping waits for its answer is told like any other
        report = run()
    except ImporterError as exc:
        notifier.finish(stopped(int(exc.exit_code), _message(exc)))
        raise
    except KeyboardInterrupt:
        notifier.finish(stopped(130, None))
        raise
    except Exception as exc:
        # The command turns SIGTERM and SIGHUP into an exception carrying the signal's number; anything else is a
        # bug, which the command tells as exit 4 (its text stays out of the message: it may quote anything).
        signum = getattr(exc, "signum", None)
        if isinstance(signum, int):
            notifier.finish(stopped(128 + signum, None))
        else:
            notifier.finish(
                stopped(int(ExitCode.INTERNAL_ERROR), N_("internal error ({error})", error=type(exc).__name__))
            )
        raise
    notifier.finish(_finished(report, name, started_at, settings.lang))
    return report


def _message(exc: ImporterError) -> Text:
    """The error's one line: its Message (told in the run's language), else its text."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Message) else str(exc)


def _finished(report: Report, name: str, started_at: float, lang: str) -> Outcome:
    counts = {status: n for status, n in report.counts.items() if n}
    return Outcome(
        input=name,
        exit_code=int(report.exit_code),
        counts=counts,
        problems={status: n for status, n in counts.items() if status not in OK_STATUSES},
        dry_run=report.dry_run,
        duration_s=report.duration,
        requests=report.requests,
        rate_limited=report.rate_limited,
        results=str(report.results_path),
        report=str(report.report_path) if report.report_path else None,
        errors=str(report.errors_path) if report.errors_path else None,
        started_at=started_at,
        finished_at=time.time(),
        lang=lang,
    )
