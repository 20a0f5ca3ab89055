"""importer/delivery/undo.py against a sandbox: what a re-create stopped before its POST leaves in the state. The
undo end to end (killed, stopped by a signal, resumed): tests/e2e/test_undo.py and tests/e2e/test_missing.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stopping import stopped, unstopped

from importer.callbell.client import CallbellClient, Stopped
from importer.delivery.undo import _recreate
from importer.state.ledger import Ledger


@pytest.fixture
def deleted(tmp_path: Path) -> Iterator[Ledger]:
    """run1 deleted contact "old" (--on-missing delete): an undo re-creates it from its last fields."""
    with Ledger.open(tmp_path / "state.db") as ledger:
        ledger.contacts.remember("whatsapp", "34611000003", "old", "", "run0")
        ledger.removals.plan("run1", [("old", "whatsapp", "34611000003", "", "delete", "")])
        ledger.removals.intend("run1", "old", {"name": "Ana", "tags": ["VIP"]})
        ledger.removals.deleted("run1", "old")
        ledger.undo.write_plan("run1")
        yield ledger


def posts(running: Any) -> int:
    return int(running.stats()["by_method"].get("POST", 0))


@pytest.mark.parametrize("was", ["todo", "failed", "sending"])
def test_a_recreate_stopped_before_its_post_left_keeps_its_status(sandbox, deleted: Ledger, was: str) -> None:
    if was == "failed":  # an earlier undo's POST was refused
        deleted.undo.record("run1", "old", "recreate", "failed", "HTTP 422")
    elif was == "sending":  # a killed undo's POST, which may have landed: looked up first
        deleted.undo.sending("run1", "old")

    async def recreate(client: CallbellClient) -> None:
        await client.me()  # turn 1: the re-create's requests wait for theirs
        with pytest.raises(Stopped):
            await _recreate(client, deleted, "run1", "old")

    stopped(sandbox, recreate, turn=2 if was == "todo" else 3)  # after a failure or an intent: its look-up first
    assert posts(sandbox) == 0 and sandbox.contacts() == []
    # Nothing was created: the status as it stood (a failure's error too), so the next undo posts as this one would
    # have (looking first after a failure or a killed undo's intent).
    assert deleted.undo.status_of("run1", "old") == was
    assert [e for _, _, _, _, e, _ in deleted.undo.outcomes("run1")] == ["HTTP 422" if was == "failed" else ""]
    status, _, new = unstopped(sandbox, lambda client: _recreate(client, deleted, "run1", "old"))
    (contact,) = sandbox.contacts()
    assert (status, new) == ("recreated", contact["uuid"]) and posts(sandbox) == 1


def test_a_recreate_whose_answer_was_lost_is_looked_up_by_the_next_undo_not_posted_again(sandbox_factory, deleted):
    # Every answer to a POST is lost after the contact is made: the re-create fails "no answer", and the next undo
    # must find the contact it made instead of making a second one.
    sandbox = sandbox_factory("--drop-after-commit", "1", "--on-duplicate", "create")
    status, error, _ = unstopped(sandbox, lambda client: _recreate(client, deleted, "run1", "old"))
    assert status == "failed" and "no answer" in str(error)
    deleted.undo.record("run1", "old", "recreate", status, str(error))
    (made,) = sandbox.contacts()
    status, _, new = unstopped(sandbox, lambda client: _recreate(client, deleted, "run1", "old"))
    assert (status, new) == ("recreated", made["uuid"])
    assert len(sandbox.contacts()) == 1
