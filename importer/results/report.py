"""What a run ends with, for people and schedulers: the Report, its summary JSON, and the problems grouped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.errors import ExitCode
from importer.i18n.message import N_, Text
from importer.i18n.translator import Translator
from importer.mapping.columns import Mapping
from importer.results.rows import RowResult, read_row_results, rows_frame
from importer.state.ledger import PENDING, Ledger
from importer.validation.problems import EXAMPLES, Tally, rendered

# `merged` (--duplicates merge): the row went into the contact of another row; that row's outcome counts.
OK_STATUSES = frozenset({"valid", "created", "updated", "unchanged", "skipped", "merged"})
# Statuses of the results rows after the file's rows, one per contact --on-missing removed (or, in a dry run,
# would remove); a removal that failed is `failed`, one a signal stopped `pending`.
REMOVAL_STATUSES = ("tagged", "deleted", "would_tag", "would_delete")


def removal_status(action: str, state: str, dry_run: bool) -> str:
    """The results status of a removal (importer.state.removals: action tag|delete, state todo|sending|done|...)."""
    if state == "done" or (dry_run and state == "todo"):
        return {"tag": "tagged", "delete": "deleted"}[action] if not dry_run else f"would_{action}"
    return "failed" if state == "failed" else "pending"


@dataclass
class Report:
    """What a run (or dry run) ended with: `counts` (status -> rows), `exit_code` (as the command exits),
    `problems` (grouped: one entry per kind of problem, with its rows), `rows()` (each row's outcome) and
    `to_pandas()`, and where the results, errors file, summary and HTML report were written."""

    source: Text  # what was read: "CSV, utf-8, delimiter ','" (a Message: in the run's language where shown)
    mapping: Mapping
    results_path: Path
    errors_path: Path | None = None
    counts: Counter[str] = field(default_factory=Counter)
    duration: float = 0.0
    resumed: bool = False
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    duplicates_removed: int = 0  # extras of rows whose answer was lost, deleted by the reconcile pass
    send_seconds: float = 0.0
    # Rows whose contact this run's requests created: `counts["created"]` also holds, after a resumed run, the
    # rows the interrupted run created. The sending rate is this over `send_seconds`.
    created_this_run: int = 0
    signal: int | None = None  # SIGINT/SIGTERM/SIGHUP that stopped the sending
    notes: list[str] = field(default_factory=list)  # what the reader detected or repaired
    report_path: Path | None = None  # the HTML report, once written
    # The input as the person gave it: a local file's path; a URL (without its query string or password),
    # "standard input" or "<database URL without password> query" as text, since its rows were read from
    # `snapshot`, the copy beside the results (None for a local file, read in place).
    file: Path | str | None = None
    snapshot: Path | None = None
    dry_run: bool = False
    started_at: str = ""  # ISO 8601, local time with offset
    problems: list[dict[str, Any]] = field(default_factory=list)  # grouped, see importer.validation.problems
    # The same groups with their message and action as Messages, for the report in the run's language.
    problem_groups: list[dict[str, Any]] = field(default_factory=list, repr=False)
    lang: str = "en"  # the language of the error and warning cells and of the HTML report (--lang)
    phone_examples: list[dict[str, Any]] = field(default_factory=list)  # before -> after
    rows_to_fix: list[dict[str, Any]] = field(default_factory=list)  # the first invalid / failed rows
    # --on-missing: the results rows after the file's (status -> contacts), and what it found and did
    # (importer.delivery.missing's MissingReport.summary(); None when it had nothing to do).
    removals: Counter[str] = field(default_factory=Counter)
    missing: dict[str, Any] | None = None
    # What must live as long as the report: the temporary directory holding the results of records imported
    # without a results path (removed when the report is garbage-collected).
    _keep_alive: Any = field(default=None, repr=False, compare=False)

    @property
    def row_count(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> Iterator[RowResult]:
        """Each input row's outcome, in row order, read back from the results file."""
        return read_row_results(self.results_path)

    def to_pandas(self) -> Any:
        """`rows()` as a pandas DataFrame (needs the pandas extra): the result columns, then the input's."""
        return rows_frame(self.rows())

    @property
    def summary_path(self) -> Path:
        return self.results_path.with_name(f"{self.results_path.stem}.summary.json")

    def summary(self, translator: Translator | None = None) -> dict[str, object]:
        """summary.json's content; with a translator, its person-facing texts in that language (for the HTML
        report: summary.json itself stays English, its keys and values read by machines too)."""
        problems = rendered(self.problem_groups, translator) if translator and self.problem_groups else self.problems
        return {
            "file": str(self.file) if self.file else None,
            "snapshot": str(self.snapshot) if self.snapshot else None,
            "dry_run": self.dry_run,
            "started_at": self.started_at,
            "rows": self.row_count,
            "counts": dict(sorted(self.counts.items())),
            "exit_code": int(self.exit_code),
            "duration_s": round(self.duration, 3),
            "send_s": round(self.send_seconds, 3),
            "created_this_run": self.created_this_run,
            "created_per_s": round(self.created_per_second, 1) if self.send_seconds else None,
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "duplicates_removed": self.duplicates_removed,
            "resumed": self.resumed,
            "signal": self.signal,
            "source": translator.render(self.source) if translator else str(self.source),
            "notes": self.notes,
            "results": str(self.results_path),
            "errors": str(self.errors_path) if self.errors_path else None,
            "problems": problems,
            "mapping": mapping_summary(self.mapping),
            "phone_examples": self.phone_examples,
            "rows_to_fix": self.rows_to_fix,
            "removals": dict(sorted(self.removals.items())),
            "missing": _missing_summary(self.missing, translator),
        }

    @property
    def created_per_second(self) -> float:
        """This run's sending rate: the contacts its requests created (not a resumed run's earlier ones)."""
        return self.created_this_run / self.send_seconds if self.send_seconds else 0.0

    @property
    def exit_code(self) -> int:
        if self.signal is not None:
            return 128 + self.signal  # 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP, as shells report them
        removals_ok = set(self.removals) <= set(REMOVAL_STATUSES) and not (self.missing or {}).get("held_back")
        return ExitCode.OK if set(self.counts) <= OK_STATUSES and removals_ok else ExitCode.ROWS_FAILED


def _missing_summary(missing: dict[str, Any] | None, translator: Translator | None) -> dict[str, Any] | None:
    """--on-missing's summary with its `held_back` sentence (a Message) in the translator's language, else English."""
    if not missing or not missing.get("held_back"):
        return missing
    why = missing["held_back"]
    return {**missing, "held_back": translator.render(why) if translator else str(why)}


ROWS_TO_FIX = 200
_SAME_PHONE = N_("same phone as an earlier row")
_SAME_PHONE_LATER = N_("same phone as a later row")
_REFUSED = N_("refused by the API")
_NOT_SENT = N_("not sent")
_FAILED_GROUPS = 20


def grouped_problems(
    tally: Tally, ledger: Ledger, mapping: Mapping, duplicates: str = "first", counts: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """The check stage's groups, plus what only the ledger knows at the end: duplicates, failed and pending rows.
    `duplicates`: which row of a repeated phone was sent (--duplicates first or last). `counts`: the rows per
    status (Rows.status_counts) when the caller has them: a status without rows is not looked for again."""
    counts = ledger.rows.status_counts() if counts is None else counts
    final = Tally()
    final.merge(tally)
    phone = mapping.column(mapping.fields["phone"]) if "phone" in mapping.fields else "phone"
    kind, message = ("duplicate_last", _SAME_PHONE_LATER) if duplicates == "last" else ("duplicate", _SAME_PHONE)
    if counts.get("duplicate"):
        final.add_group(("error", phone, kind, message, None, None), counts["duplicate"], _first("duplicate", ledger))
    if counts.get("failed"):
        for error, count, first in list(ledger.rows.groups("failed"))[:_FAILED_GROUPS]:
            final.add_group(("error", "API", "failed", error or _REFUSED, None, None), count, first)
    if counts.get(PENDING):
        final.add_group(("error", "API", "pending", _NOT_SENT, None, None), counts[PENDING], _first(PENDING, ledger))
    return final.entries()


def _first(status: str, ledger: Ledger) -> list[int]:
    return ledger.rows.first_rows(status, EXAMPLES)


def rows_to_fix(ledger: Ledger, limit: int = ROWS_TO_FIX) -> list[dict[str, Any]]:
    return [{"row": row, "status": status, "error": error} for row, status, error in ledger.rows.to_fix(limit)]


def mapping_summary(mapping: Mapping) -> dict[str, Any]:
    """The column mapping for the summary and the report: used, unmapped (with why) and ignored columns.

    The targets and reasons are Messages: the report renders them in the run's language, summary.json writes
    them in English (str())."""
    used: list[dict[str, Any]] = []
    for index, target in mapping.uses():
        entry: dict[str, Any] = {"column": mapping.column(index), "target": target}
        if index in mapping.inferred:  # read from the values, not the header: said, with why (mapping.inference)
            entry["inferred"] = mapping.inferred[index]
        used.append(entry)
    unmapped, ignored = [], []
    for index in mapping.unmapped:
        why = mapping.notes.get(index)
        entry = {"column": mapping.column(index), "why": why, "suggestion": mapping.suggestions.get(index)}
        (ignored if why == "ignored by the config" else unmapped).append(entry)
    return {"layout": mapping.layout, "used": used, "unmapped": unmapped, "ignored": ignored}
