"""importer/state/removals.py: the contacts a job knows, which of them are missing from a run's rows, and each
removal's plan, intent and outcome. End to end (over HTTP, killed and resumed) in tests/e2e/test_missing.py."""

from __future__ import annotations

import pytest

from importer.state.ledger import Ledger


def row(n: int, identifier: str, status: str = "created", source: str = "whatsapp") -> tuple:
    return (n, status, identifier, source, None, "", "", "", "", "")


@pytest.fixture
def state(ledger: Ledger) -> Ledger:
    """The job created u1..u3 and found u4; u5 is an intent never answered; tonight's rows hold 1 (created) and 3
    (invalid, its identifier still read)."""
    for n in (1, 2, 3):
        ledger.contacts.remember("whatsapp", f"3460000000{n}", f"u{n}", f"h{n}", "run0")
    ledger.contacts.remember("whatsapp", "34600000004", "u4", "h4", "", state="existing")
    ledger.contacts.intend("whatsapp", "34600000005", "run0")
    ledger.synced.set("whatsapp", "34600000002", {"name": "Two"})
    ledger.rows.add([row(2, "34600000001"), row(3, "34600000003", "invalid"), row(4, "", "invalid")])
    return ledger


def test_known_and_missing(state: Ledger) -> None:
    assert state.removals.count_known() == 4  # created or found, with a uuid; never an unanswered intent
    assert [(m.uuid, m.tagged) for m in state.removals.missing("Gone")] == [("u2", False), ("u4", False)]
    # Another source with the same identifier is another contact.
    state.rows.add([row(5, "34600000002", source="instagram")])
    assert [m.uuid for m in state.removals.missing()] == ["u2", "u4"]


def test_phone_digits_of_unreadable_rows(state: Ledger) -> None:
    state.rows.set_phone_digits([(4, "600000002 34600000004")])
    assert sorted(state.rows.phone_digits()) == ["34600000004", "600000002"]
    state.rows.reset()
    assert state.rows.phone_digits() == []


def test_a_tag_is_planned_intended_and_done_once(state: Ledger) -> None:
    items = [
        ("u2", "whatsapp", "34600000002", "h2", "tag", "Gone"),
        ("u4", "whatsapp", "34600000004", "h4", "tag", "Gone"),
    ]
    state.removals.plan("run1", items)
    state.removals.plan("run1", items)  # resumed: the same plan, once
    assert [(r.uuid, r.state) for r in state.removals.left("run1")] == [("u2", "todo"), ("u4", "todo")]
    state.removals.intend("run1", "u2")
    state.removals.tagged("run1", "u2", added=True)
    state.removals.tagged("run1", "u4", added=False)  # an agent had put it there
    assert state.removals.left("run1") == [] and state.removals.count_done("run1") == 2
    # Tagged: not to be tagged again, however many nights it stays missing.
    assert [(m.uuid, m.tagged) for m in state.removals.missing("Gone")] == [("u2", True), ("u4", True)]
    assert [m.tagged for m in state.removals.missing("Other")] == [False, False]
    assert state.removals.outcomes("run1") == [
        ("tag", "done", "u2", "34600000002", "h2", "", ""),
        ("tag", "done", "u4", "34600000004", "h4", "", "already had the tag 'Gone'"),
    ]
    assert state.removals.counts("run1") == {"tag done": 2}
    # An undo removes only the tag the job added.
    assert state.undo.counts_of("run1").to_untag == 1
    # u2 comes back among the rows: returned, with its first row.
    state.rows.add([row(7, "34600000002", "skipped"), row(8, "34600000002", "duplicate")])
    (back,) = state.removals.returned()
    assert (back.run, back.uuid, back.tag, back.row, back.added) == ("run1", "u2", "Gone", 7, True)
    state.removals.set_returned("run1", "u2")
    assert state.removals.returned() == [] and state.undo.counts_of("run1").to_untag == 0


def test_a_delete_keeps_the_last_fields_and_forgets_the_contact(state: Ledger) -> None:
    state.removals.plan("run1", [("u2", "whatsapp", "34600000002", "h2", "delete", "")])
    state.removals.intend("run1", "u2", {"name": "Two", "tags": ["VIP"]})
    assert [r.state for r in state.removals.left("run1")] == ["sending"]
    state.removals.deleted("run1", "u2")
    assert state.contacts.known("whatsapp", "34600000002") is None
    assert state.synced.get("whatsapp", "34600000002") is None
    assert state.removals.count_known() == 3
    source, identifier, last, known, _ = state.removals.for_undo("run1", "u2")
    assert (source, identifier, last, known) == ("whatsapp", "34600000002", {"name": "Two", "tags": ["VIP"]},
                                                 {"state": "done", "run": "run0"})  # fmt: skip
    # The undo re-creates it: known again under its new uuid, as created by the run that created it first.
    assert state.undo.counts_of("run1").to_recreate == 1
    state.undo.write_plan("run1")
    state.undo.record("run1", "u2", "recreate", "recreated", "", "n2")
    again = state.contacts.known("whatsapp", "34600000002")
    assert (again.uuid, again.state, again.run) == ("n2", "done", "run0")
    assert state.undo.counts_of("run1").to_recreate == 0
    assert list(state.undo.outcomes("run1")) == [(None, "u2", "recreate", "recreated", "", "n2")]


def test_an_intent_whose_request_never_left_is_withdrawn(state: Ledger) -> None:
    state.removals.plan("run1", [("u2", "whatsapp", "34600000002", "h2", "delete", "")])
    state.removals.intend("run1", "u2", {"name": "Two"})
    state.removals.unsend("run1", "u2")  # the run stopped before the DELETE left
    assert [(r.uuid, r.state) for r in state.removals.left("run1")] == [("u2", "todo")]
    assert state.removals.for_undo("run1", "u2")[2:4] == ({}, {})  # no fields saved: looked up afresh
    state.removals.intend("run1", "u2", {"name": "Two"})
    state.removals.deleted("run1", "u2")
    state.removals.unsend("run1", "u2")  # only an intent is withdrawn, never an outcome
    assert state.removals.counts("run1") == {"delete done": 1}


def test_a_failed_removal_is_recorded(state: Ledger) -> None:
    state.removals.plan("run1", [("u4", "whatsapp", "34600000004", "h4", "tag", "Gone")])
    state.removals.failed("run1", "u4", "HTTP 500")
    assert state.removals.outcomes("run1") == [("tag", "failed", "u4", "34600000004", "h4", "HTTP 500", "")]
    assert state.removals.left("run1") == []


def test_a_dry_run_copies_what_the_job_knows(state: Ledger, tmp_path) -> None:
    state.removals.plan("run1", [("u4", "whatsapp", "34600000004", "h4", "tag", "Gone")])
    state.removals.tagged("run1", "u4", added=True)
    with Ledger.throwaway() as dry:
        dry.removals.copy_known(state.removals.known_records())
        assert dry.removals.count_known() == 4
        assert [(m.uuid, m.tagged) for m in dry.removals.missing("Gone")] == [
            ("u1", False), ("u2", False), ("u3", False), ("u4", True)
        ]  # fmt: skip
