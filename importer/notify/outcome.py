"""A run's outcome as plain data, told to the webhooks, the ping and the metrics file: what a person must know in
one line (`text`), and the same as JSON fields for machines (`payload`). Built by the pipeline from its Report or
from the error that stopped the run; nothing here knows the run's stages."""

from __future__ import annotations

import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from importer.errors import ExitCode
from importer.i18n.message import Text
from importer.i18n.translator import Translator

# The most serious first: a row the API refused, then one not sent, then rows the file must fix.
_PROBLEM_ORDER = ("failed", "pending", "invalid", "duplicate")
# Stable identifiers for `status` (machine-read): the exit code's name; a signal is "interrupted".
_STATUS: dict[int, str] = {int(code): code.name.lower() for code in ExitCode}


@dataclass(frozen=True)
class Outcome:
    """How one run ended. `input` names what was read (a local path made absolute, a URL cut to scheme://host/…/name,
    never a secret); `counts` is rows by status, `problems` the part of it that made exit code 1."""

    input: str
    exit_code: int
    counts: Mapping[str, int] = field(default_factory=dict)
    problems: Mapping[str, int] = field(default_factory=dict)
    dry_run: bool = False
    duration_s: float = 0.0
    requests: int = 0
    rate_limited: int = 0  # requests answered 429
    results: str | None = None
    report: str | None = None
    errors: str | None = None  # the rows-to-fix file
    error: Text | None = None  # the one line of the error that stopped the run (a Message: `text` translates it)
    started_at: float = 0.0  # Unix time
    finished_at: float = 0.0
    lang: str = "en"  # the language of `text` (--lang); the JSON fields are the same in every language

    @property
    def status(self) -> str:
        if self.exit_code > 128:
            return "interrupted"
        return _STATUS.get(self.exit_code, "error")

    @property
    def ok(self) -> bool:
        return self.exit_code == ExitCode.OK

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def name(self) -> str:
        """The input's short name for people: contacts.csv, or the URL's file name."""
        return self.input.rstrip("/").rpartition("/")[2] or self.input

    @property
    def text(self) -> str:
        """One line in the run's language: "importer: contacts.csv — 3 failed, 12 invalid of 10,000 rows (exit 1);
        report: /r.html". Statuses stay the results file's words (machine-read, the same in every language)."""
        tr = Translator.for_lang(self.lang)
        head = tr.gettext("importer (dry run): {name}", name=self.name) if self.dry_run else f"importer: {self.name}"
        if self.exit_code > 128 and not self.counts:
            what = tr.gettext("stopped by {signal} before anything was sent", signal=_signal_name(self.exit_code))
        elif self.exit_code > 128:
            what = tr.ngettext(
                "stopped by {signal}: {problems} of {n} row",
                "stopped by {signal}: {problems} of {n} rows",
                self.rows,
                signal=_signal_name(self.exit_code),
                problems=self._problem_words(tr),
            )
        elif self.error is not None:
            what = tr.gettext("stopped: {error}", error=self.error)
        elif self.problems:
            what = tr.ngettext(
                "{problems} of {n} row", "{problems} of {n} rows", self.rows, problems=self._problem_words(tr)
            )
        else:
            ranked = sorted(self.counts.items(), key=lambda kv: -kv[1])
            done = ", ".join(f"{tr.number(n)} {status}" for status, n in ranked)
            rows = tr.ngettext("{n} row", "{n} rows", self.rows)
            what = tr.gettext("{total}: {counts}", total=rows, counts=done) if done else rows
        line = tr.gettext("{head} — {what} (exit {code})", head=head, what=what, code=str(self.exit_code))
        return tr.gettext("{line}; report: {path}", line=line, path=self.report) if self.report else line

    def _problem_words(self, tr: Translator) -> str:
        order = {status: i for i, status in enumerate(_PROBLEM_ORDER)}
        ranked = sorted(self.problems.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        return ", ".join(f"{tr.number(n)} {status}" for status, n in ranked if n) or tr.gettext("no rows done")

    def payload(self) -> dict[str, object]:
        """The webhook's JSON: `text` (what Slack and Teams show) and the fields a machine reads."""
        return {
            "text": self.text,
            "status": self.status,
            "exit_code": self.exit_code,
            "input": self.input,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "counts": dict(sorted(self.counts.items())),
            "duration_s": round(self.duration_s, 3),
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "results": self.results,
            "report": self.report,
            "errors": self.errors,
            "error": str(self.error) if self.error is not None else None,  # English, as summary.json
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


def _signal_name(exit_code: int) -> str:
    try:
        return signal.Signals(exit_code - 128).name
    except ValueError:
        return f"signal {exit_code - 128}"


def redact_url(url: str, *, keep_name: bool = False) -> str:
    """scheme://host/… : what may be shown of a URL that carries a token in its path or query (a webhook, a ping).
    `keep_name` keeps the last part of the path too (an input's file name: scheme://host/…/contacts.csv)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(a URL)"
    shown = f"{parts.scheme}://{host}{port}"
    path = parts.path.strip("/")
    if not path and not parts.query:
        return shown
    name = path.rpartition("/")[2] if keep_name else ""
    return f"{shown}/…" + (f"/{name}" if name else "")


def describe_input(given: str, resolved: str) -> str:
    """The input as the outcome names it: a URL redacted (its file name kept), a local path absolute."""
    if "://" in given:
        return redact_url(given, keep_name=True)
    return resolved
