"""The outcome as a Prometheus textfile for node-exporter's textfile collector, written atomically (a temporary file
renamed over the old one, by prometheus_client) so that a scrape never reads half a file.

The last success is kept from the previous file when this run did not succeed: the file alone then tells how long
the job has been failing (`time() - importer_last_success_timestamp_seconds`)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile
from prometheus_client.parser import text_string_to_metric_families

from importer.notify.outcome import Outcome

LAST_SUCCESS = "importer_last_success_timestamp_seconds"
# Name -> help. Every gauge has the label `input`, so that two jobs' files (node-exporter reads every *.prom of its
# folder) never give the same series.
GAUGES = {
    "importer_last_run_timestamp_seconds": "When the last run ended (Unix time).",
    LAST_SUCCESS: "When the last run that ended with exit code 0 ended (Unix time; 0: none yet).",
    "importer_exit_code": (
        "The last run's exit code (0 ok, 1 rows failed, 2 usage/input, 3 account, 4 bug, >128 signal)."
    ),
    "importer_duration_seconds": "How long the last run took.",
    "importer_requests": "API requests the last run made.",
    "importer_rate_limited_requests": "API requests of the last run answered 429 (rate limited).",
    "importer_rows": "Rows of the last run by status (created, updated, unchanged, skipped, invalid, failed, ...).",
}


def previous_success(path: Path) -> float:
    """The last success the old file records, 0.0 when there is none (or no readable file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0.0
    try:
        samples = [s for family in text_string_to_metric_families(text) for s in family.samples]
        return max((s.value for s in samples if s.name == LAST_SUCCESS), default=0.0)
    except ValueError:  # not a textfile we wrote: start afresh
        return 0.0


def render(outcome: Outcome, last_success: float) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)  # its own: never the process-wide default registry
    gauges = {
        name: Gauge(name, help_text, ["input", "status"] if name == "importer_rows" else ["input"], registry=registry)
        for name, help_text in GAUGES.items()
    }
    label = outcome.input
    gauges["importer_last_run_timestamp_seconds"].labels(label).set(outcome.finished_at)
    gauges[LAST_SUCCESS].labels(label).set(outcome.finished_at if outcome.ok else last_success)
    gauges["importer_exit_code"].labels(label).set(outcome.exit_code)
    gauges["importer_duration_seconds"].labels(label).set(outcome.duration_s)
    gauges["importer_requests"].labels(label).set(outcome.requests)
    gauges["importer_rate_limited_requests"].labels(label).set(outcome.rate_limited)
    for status, rows in sorted(outcome.counts.items()):
        gauges["importer_rows"].labels(label, status).set(rows)
    return registry


def write(path: Path, outcome: Outcome) -> None:
    """OSError when the file cannot be written; the old file is then left as it was."""
    write_to_textfile(str(path), render(outcome, previous_success(path)))
