"""importer/state/uncertain.py: rows whose create may have landed more than once, from the doubt to the
reconcile pass's report in the rows. End to end (lost answers over HTTP) in tests/e2e/test_lag.py."""

from __future__ import annotations

import time
from pathlib import Path

from importer.state.ledger import Ledger
from importer.state.uncertain import Doubt

KEY = ("whatsapp", "34600000001")


def only(ledger: Ledger) -> Doubt:
    (doubt,) = ledger.uncertain.open()
    return doubt


def test_a_doubt_counts_its_posts_and_its_window(ledger: Ledger) -> None:
    uncertain = ledger.uncertain
    uncertain.doubt(*KEY, "run1", since=100.0)
    doubt = only(ledger)
    assert (doubt.run, doubt.since, doubt.posts, doubt.found, doubt.note) == ("run1", 100.0, 1, False, "")
    assert doubt.last >= time.time() - 60
    uncertain.found(*KEY)  # one POST: the contact found is the only one
    assert not only(ledger).found
    uncertain.resend(*KEY)
    uncertain.doubt(*KEY, "run2", since=200.0)  # still open: keeps its run, start and count
    doubt = only(ledger)
    assert (doubt.run, doubt.since, doubt.posts) == ("run1", 100.0, 2)
    uncertain.found(*KEY)
    assert only(ledger).found
    before = only(ledger).last
    time.sleep(0.01)
    uncertain.ended(*KEY)
    assert only(ledger).last > before
    assert uncertain.count_open() == 1


def test_an_intent_from_an_earlier_attempt_gives_the_start(ledger: Ledger) -> None:
    ledger.contacts.intend(*KEY, "run1")
    written = ledger.contacts.intended_at(*KEY)
    ledger.uncertain.doubt(*KEY, "run2")
    assert only(ledger).since == written
    ledger.uncertain.doubt("whatsapp", "34600000002", "run2")  # no intent: from now
    assert abs(ledger.uncertain.open()[1].since - time.time()) < 60


def test_a_closed_doubt_is_no_longer_open_and_starts_again(ledger: Ledger) -> None:
    uncertain = ledger.uncertain
    uncertain.doubt(*KEY, "run1", since=100.0)
    uncertain.resend(*KEY)
    uncertain.plan(only(ledger), "2 extra contacts deleted")  # before the deletes
    assert only(ledger).note == "2 extra contacts deleted"
    uncertain.close(only(ledger), "run1", "2 extra contacts deleted", "u1", "h1")
    assert uncertain.open() == [] and uncertain.count_open() == 0
    uncertain.resend(*KEY)  # closed: not counted
    uncertain.doubt(*KEY, "run2", since=100.0)  # the same intent again: its POSTs still count
    doubt = only(ledger)
    assert (doubt.run, doubt.posts, doubt.note) == ("run2", 2, "")
    uncertain.close(doubt, "run2", "")
    uncertain.doubt(*KEY, "run3", since=300.0)  # a new intent: counted afresh
    assert (only(ledger).run, only(ledger).posts) == ("run3", 1)


def test_the_report_writes_the_kept_contact_into_this_runs_rows(ledger: Ledger) -> None:
    rows = [
        (2, "failed", "34600000001", "whatsapp", None, "", "", "no answer", "", ""),
        (3, "created", "34600000002", "whatsapp", None, "u2", "h2", "", "", "phone reformatted"),
        (4, "created", "34600000003", "whatsapp", None, "u3", "h3", "", "", ""),
        (5, "failed", "34600000004", "whatsapp", None, "", "", "no answer", "", ""),
    ]
    ledger.rows.add(rows)
    uncertain = ledger.uncertain
    for n in range(1, 5):
        uncertain.doubt("whatsapp", f"3460000000{n}", "run1", since=100.0)
    doubts = {d.identifier: d for d in uncertain.open()}
    uncertain.close(doubts["34600000001"], "run1", "", "u1", "h1")  # its answer was lost: created after all
    uncertain.close(doubts["34600000002"], "run1", "1 extra contact deleted", "u2", "h2")
    uncertain.close(doubts["34600000003"], "run1", "", "u3", "h3")  # nothing to say: row unchanged
    uncertain.close(doubts["34600000004"], "other run", "", "u4", "h4")  # another run's: not reported here
    uncertain.report("run1")
    got = {r[0]: (r[1], r[2], r[4], r[5], r[7]) for r in ledger.rows.outcomes()}
    assert got == {
        2: ("created", "u1", "", "h1", ""),
        3: ("created", "u2", "", "h2", "phone reformatted; 1 extra contact deleted"),
        4: ("created", "u3", "", "h3", ""),
        5: ("failed", "", "no answer", "", ""),
    }


def test_a_doubt_survives_the_process(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Ledger.open(path) as ledger:
        ledger.uncertain.doubt(*KEY, "run1", since=100.0)  # committed at once, no transaction
    with Ledger.open(path) as ledger:
        assert [(d.identifier, d.run) for d in ledger.uncertain.open()] == [("34600000001", "run1")]
