"""importer/state/contacts.py: the intent written before each create, and the contacts this state knows."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from importer.state.contacts import Intent
from importer.state.ledger import Ledger


def test_intent_then_outcome(ledger: Ledger) -> None:
    contacts = ledger.contacts
    assert contacts.known("whatsapp", "34600000001") is None
    contacts.intend("whatsapp", "34600000001", "run1")
    assert contacts.known("whatsapp", "34600000001").state == "sending"
    assert contacts.count_known() == 0  # an intent is not a contact yet
    contacts.remember("whatsapp", "34600000001", "uuid1", "https://dash/1", "run1")
    known = contacts.known("whatsapp", "34600000001")
    assert (known.state, known.uuid, known.href, known.run) == ("done", "uuid1", "https://dash/1", "run1")
    contacts.forget("whatsapp", "34600000001")  # only an intent is forgotten, never a created contact
    assert contacts.known("whatsapp", "34600000001") is not None
    contacts.intend("whatsapp", "34600000002", "run1")
    contacts.forget("whatsapp", "34600000002")  # the POST was refused for certain
    assert contacts.known("whatsapp", "34600000002") is None
    contacts.remember("whatsapp", "34600000003", "uuid3", "h3", "", state="existing")
    assert contacts.count_known() == 2


def test_the_intent_is_committed_before_the_request_leaves(tmp_path: Path) -> None:
    # What another connection (the next run, after a SIGKILL) sees at once, without a close or a commit call.
    path = tmp_path / "state.db"
    ledger = Ledger.open(path)
    ledger.contacts.intend("whatsapp", "34600000001", "run1")
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT state FROM contacts").fetchall() == [("sending",)]
    ledger.close()


def test_unresolved_intents_of_a_run_and_when_they_were_written(ledger: Ledger) -> None:
    contacts = ledger.contacts
    before = time.time()
    contacts.intend("whatsapp", "34600000001", "run1")
    contacts.intend("whatsapp", "34600000002", "run2")
    contacts.intend("whatsapp", "34600000003", "run1")
    contacts.remember("whatsapp", "34600000003", "u3", "h3", "run1")  # answered
    assert [(i.source, i.identifier) for i in contacts.unresolved("run1")] == [("whatsapp", "34600000001")]
    (intent,) = contacts.unresolved("run1")
    assert isinstance(intent, Intent) and before <= intent.since <= time.time()
    assert contacts.intended_at("whatsapp", "34600000001") == intent.since
    assert contacts.intended_at("whatsapp", "34600000003") is None  # created: no intent left
    assert contacts.intended_at("whatsapp", "34600009999") is None


def test_forget_created_drops_only_what_that_run_created(ledger: Ledger) -> None:
    contacts = ledger.contacts
    contacts.remember("whatsapp", "34600000001", "u1", "h1", "run1")
    contacts.remember("whatsapp", "34600000002", "u2", "h2", "", state="existing")
    contacts.forget_created("u1", "run2")  # another run's contact: kept
    contacts.forget_created("u2", "run1")  # found, not created: kept
    assert contacts.count_known() == 2
    contacts.forget_created("u1", "run1")
    assert contacts.known("whatsapp", "34600000001") is None
    assert contacts.known("whatsapp", "34600000002") is not None
