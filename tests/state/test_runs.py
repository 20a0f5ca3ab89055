"""importer/state/runs.py: the runs of a state, and each contact as it was before a run changed it."""

from __future__ import annotations

from importer.state.ledger import Ledger


def test_runs_are_listed_oldest_first_with_their_counts(ledger: Ledger) -> None:
    ledger.runs.start("b-first", "2026-01-01T10:00:00+00:00")
    ledger.runs.start("a-second")
    ledger.runs.start("b-first", "2026-02-02T10:00:00+00:00")  # started once: the first time counts
    ledger.runs.end("b-first", {"created": 3, "failed": 1}, finished=True)
    ledger.runs.end("a-second", {"pending": 2}, finished=False)  # interrupted
    first, second = ledger.runs.all()
    assert (first.id, first.started, first.counts) == (
        "b-first",
        "2026-01-01T10:00:00+00:00",
        {"created": 3, "failed": 1},
    )
    assert first.finished and not first.dry_run
    assert second.id == "a-second" and second.started and second.finished is None and second.counts == {"pending": 2}


def test_before_keeps_the_first_record(ledger: Ledger) -> None:
    runs = ledger.runs
    runs.record_before("run1", "u1", {"name": "Before", "tags": ["Señal"]})
    runs.record_before("run1", "u1", {"name": "What this run set"})  # a resumed run: ignored
    assert runs.has_before("run1", "u1") and not runs.has_before("run2", "u1")
    assert runs.before("run1", "u1") == {"name": "Before", "tags": ["Señal"]}
    assert runs.before("run2", "u1") is None


def test_a_contact_updated_by_any_run_was_the_accounts_own(ledger: Ledger) -> None:
    assert not ledger.runs.ever_updated("u1")
    ledger.runs.record_before("run1", "u1", {"name": "Before"})
    assert ledger.runs.ever_updated("u1") and not ledger.runs.ever_updated("u2")
