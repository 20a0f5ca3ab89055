"""importer/delivery/send.py on its own: the Courier delivering ledger rows to a real sandbox, one row at a time, and
`deliver` sending a ledger's pending rows. The command line over the same paths, under kills and storms, is in
test_delivery.py; what an update sends, field by field, in test_changes.py."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from stopping import stopped

from importer.callbell.client import CallbellClient, ClientConfig, Stopped
from importer.delivery.options import DeliveryOptions
from importer.delivery.send import Courier, Result, Unsettled, deliver
from importer.progress import NoProgress
from importer.state.ledger import PENDING, Ledger, RowRecord

T = TypeVar("T")
_numbers = itertools.count(34622000001)


def record(n: int = 2, **payload: Any) -> RowRecord:
    identifier = str(next(_numbers))
    body = {"identifier": identifier, "source": "whatsapp", "name": f"Persona {n}", **payload}
    return RowRecord(n, PENDING, identifier, "whatsapp", json.dumps(body))


def options(**kwargs: Any) -> DeliveryOptions:
    return DeliveryOptions(**kwargs)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "state.db") as opened:
        yield opened


def courier_run(
    running: Any, ledger: Ledger, action: Callable[[Courier], Awaitable[T]], *, run: str = "run1", **opts: Any
) -> T:
    async def go() -> T:
        async with CallbellClient(ClientConfig(token=running.token, base_url=running.base_url)) as client:
            return await action(Courier(client, ledger, run, options(**opts)))

    return asyncio.run(go())


async def delivered(courier: Courier, rec: RowRecord) -> Result:
    """As a worker has it done: deliver, and for a create whose outcome is uncertain, the rest of it (settle)."""
    result = await courier.deliver(rec)
    if isinstance(result, Unsettled):
        settled = await courier.settle(result, asyncio.Event())
        assert settled is not None
        return settled
    return result


def create_elsewhere(running: Any, rec: RowRecord, **changes: Any) -> dict[str, Any]:
    """The contact made by someone else (another integration, an agent): straight to the API."""
    body = {**json.loads(rec.payload or "{}"), **changes}
    response = httpx.post(f"{running.base_url}/contacts", json=body, headers=running.headers, timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json()["contact"][0])


def posts(running: Any) -> int:
    return int(running.stats()["by_method"].get("POST", 0))


def add_rows(ledger: Ledger, records: list[RowRecord]) -> None:
    ledger.rows.add((r.row, r.status, r.identifier, r.source, r.payload, "", "", "", "", "") for r in records)


def deliver_all(running: Any, ledger: Ledger, *, max_retries: int = 6, **opts: Any) -> Any:
    config = ClientConfig(token=running.token, base_url=running.base_url, concurrency=4, max_retries=max_retries)
    return asyncio.run(deliver(ledger, config, "run1", options(**opts), NoProgress()))


def stopped_at_turn(
    running: Any, ledger: Ledger, action: Callable[[Courier, asyncio.Event], Awaitable[T]], turn: int, **opts: Any
) -> T:
    """Run `action` with a client stopped (as by a signal) while its `turn`-th request waits for its turn
    (tests/stopping.py), on a courier of this ledger."""

    async def on_courier(client: CallbellClient) -> T:
        assert client.stop is not None
        return await action(Courier(client, ledger, "run1", options(**opts)), client.stop)

    return stopped(running, on_courier, turn=turn)


def test_a_new_row_is_created_once_and_remembered(sandbox, ledger: Ledger) -> None:
    rec = record(tags=["VIP"])
    result = courier_run(sandbox, ledger, lambda c: c.deliver(rec))
    (contact,) = sandbox.contacts()
    assert result == Result("created", contact["uuid"], contact["href"], posted=True)
    known = ledger.contacts.known("whatsapp", rec.identifier)
    assert (known.state, known.uuid, known.run) == ("done", contact["uuid"], "run1")
    assert ledger.synced.get("whatsapp", rec.identifier)["tags"] == ["VIP"]
    # The same run again (resumed after a restart) reports it created; a later run, skipped. Nothing is sent.
    assert courier_run(sandbox, ledger, lambda c: c.deliver(rec)).status == "created"
    assert courier_run(sandbox, ledger, lambda c: c.deliver(rec), run="run2").status == "skipped"
    assert posts(sandbox) == 1 and len(sandbox.contacts()) == 1


def test_a_lost_answer_is_resolved_by_looking_the_number_up(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--drop-after-commit", "1", "--seed", "7")
    rec = record()
    assert isinstance(courier_run(running, ledger, lambda c: c.deliver(rec), settle=0), Unsettled)
    result = courier_run(running, ledger, lambda c: delivered(c, rec), settle=0)
    (contact,) = running.contacts()  # created once, though its answer never arrived
    assert (result.status, result.uuid) == ("created", contact["uuid"])
    assert ledger.contacts.known("whatsapp", rec.identifier).state == "done"


def test_an_intent_left_by_a_killed_run_is_looked_up_before_sending(sandbox, ledger: Ledger) -> None:
    landed, lost = record(2), record(3)
    contact = create_elsewhere(sandbox, landed)  # the killed run's POST that landed
    for rec in (landed, lost):
        ledger.contacts.intend("whatsapp", rec.identifier, "run1")
    before = posts(sandbox)
    assert courier_run(sandbox, ledger, lambda c: delivered(c, landed), settle=0) == Result(
        "created", contact["uuid"], contact["href"]
    )
    assert posts(sandbox) == before  # found, not sent again
    assert courier_run(sandbox, ledger, lambda c: delivered(c, lost), settle=0).status == "created"
    assert posts(sandbox) == before + 1 and len(sandbox.contacts()) == 2


def test_a_create_stopped_before_its_post_left_stays_pending_without_an_intent(sandbox, ledger: Ledger) -> None:
    rec = record()

    async def stopped(courier: Courier, stop: asyncio.Event) -> None:
        with pytest.raises(Stopped):  # the look-up went (turn 1); the POST (turn 2) never did
            await courier.deliver(rec)

    stopped_at_turn(sandbox, ledger, stopped, turn=2)
    assert posts(sandbox) == 0 and sandbox.contacts() == []
    # Nothing may have been created: no intent and no doubt, so the next run sends it without looking first.
    assert ledger.contacts.known("whatsapp", rec.identifier) is None and ledger.uncertain.count_open() == 0
    assert courier_run(sandbox, ledger, lambda c: c.deliver(rec)).status == "created"
    assert posts(sandbox) == 1


def test_an_uncertain_resend_stopped_before_it_left_keeps_its_doubt_as_it_stood(sandbox, ledger: Ledger) -> None:
    rec = record()
    ledger.contacts.intend("whatsapp", rec.identifier, "run0")  # a killed run's POST, which may have landed

    async def stopped(courier: Courier, stop: asyncio.Event) -> Result | None:
        unsettled = await courier.deliver(rec)
        assert isinstance(unsettled, Unsettled)
        before.extend(ledger.uncertain.open())
        return await courier.settle(unsettled, stop)  # the look-up (turn 1) goes, the re-send (turn 2) does not

    before: list[Any] = []
    assert stopped_at_turn(sandbox, ledger, stopped, turn=2, settle=0) is None
    assert posts(sandbox) == 0
    # The intent and the doubt stay as they were (one POST that may have landed): the next run looks first.
    assert ledger.contacts.known("whatsapp", rec.identifier).state == "sending"
    assert ledger.uncertain.open() == before and before[0].posts == 1
    assert courier_run(sandbox, ledger, lambda c: delivered(c, rec), settle=0).status == "created"
    assert posts(sandbox) == 1


@pytest.mark.parametrize(
    ("policy", "status", "error"),
    [("skip", "skipped", ""), ("fail", "failed", "already in the account (--on-existing fail)")],
)
def test_a_contact_already_in_the_account_follows_on_existing(
    sandbox, ledger: Ledger, policy: str, status: str, error: str
) -> None:
    rec = record()
    contact = create_elsewhere(sandbox, rec)
    result = courier_run(sandbox, ledger, lambda c: c.deliver(rec), on_existing=policy)
    assert result == Result(status, contact["uuid"], contact["href"], error)
    assert posts(sandbox) == 1 and ledger.contacts.known("whatsapp", rec.identifier).state == "existing"


def test_update_sends_what_changed_then_nothing(sandbox, ledger: Ledger) -> None:
    rec = record(name="Ana Nueva")
    contact = create_elsewhere(sandbox, rec, name="Ana Vieja")
    result = courier_run(sandbox, ledger, lambda c: c.deliver(rec), on_existing="update")
    assert (result.status, result.uuid) == ("updated", contact["uuid"])
    assert [c["name"] for c in sandbox.contacts()] == ["Ana Nueva"]
    assert ledger.runs.has_before("run1", contact["uuid"])  # what undo restores, recorded before the PATCH
    # The next night, the same row: the record says nothing changed.
    again = courier_run(sandbox, ledger, lambda c: c.deliver(rec), run="run2", on_existing="update")
    assert again.status == "unchanged"
    assert sandbox.stats()["by_method"].get("PATCH") == 1


def test_a_refused_row_fails_with_the_apis_words_and_no_intent_stays(sandbox, ledger: Ledger) -> None:
    rec = record(tags=["No such tag"])
    result = courier_run(sandbox, ledger, lambda c: c.deliver(rec))
    assert result.status == "failed" and "No such tag" in result.error
    assert ledger.contacts.known("whatsapp", rec.identifier) is None and sandbox.contacts() == []


def test_a_dry_run_sends_no_write(sandbox, ledger: Ledger) -> None:
    new, existing = record(2), record(3)
    contact = create_elsewhere(sandbox, existing)
    assert courier_run(sandbox, ledger, lambda c: c.deliver(new), dry_run=True) == Result("valid")
    found = courier_run(sandbox, ledger, lambda c: c.deliver(existing), dry_run=True)
    assert (found.status, found.uuid) == ("valid", contact["uuid"])
    assert found.error == "already in the account: would be skipped (--on-existing skip)"
    assert posts(sandbox) == 1 and len(sandbox.contacts()) == 1


def test_deliver_sends_every_pending_row(sandbox, ledger: Ledger) -> None:
    records = [record(n) for n in range(2, 12)]
    create_elsewhere(sandbox, records[0])
    add_rows(ledger, records)
    config = ClientConfig(token=sandbox.token, base_url=sandbox.base_url, concurrency=4)
    stats = asyncio.run(deliver(ledger, config, "run1", options(), NoProgress()))
    assert ledger.rows.status_counts() == {"created": 9, "skipped": 1}
    assert len(sandbox.contacts()) == 10 and stats.signal is None and not stats.unreachable
    assert stats.requests == sandbox.stats()["requests"] - 1  # all but create_elsewhere's POST


def test_a_resumed_run_counts_only_the_contacts_its_own_posts_created(sandbox, ledger: Ledger) -> None:
    records = [record(n) for n in range(2, 10)]
    # The interrupted process of run1: three rows created (rows rebuilt as pending on the resume), one POST that
    # landed without its answer being recorded, one whose intent was committed but never sent.
    for rec in records[:3]:
        made = create_elsewhere(sandbox, rec)
        ledger.contacts.remember("whatsapp", rec.identifier, made["uuid"], made["href"], run="run1")
    create_elsewhere(sandbox, records[3])
    for rec in records[3:5]:
        ledger.contacts.intend("whatsapp", rec.identifier, "run1")
    add_rows(ledger, records)
    stats = deliver_all(sandbox, ledger, settle=0)
    assert ledger.rows.status_counts() == {"created": 8}
    assert len(sandbox.contacts()) == 8
    assert stats.created == 4  # the never-sent intent and the three new rows; nothing else was POSTed
    assert posts(sandbox) == 4 + stats.created


def test_a_create_whose_answer_was_lost_counts_once(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--drop-after-commit", "1", "--seed", "3")
    records = [record(n) for n in range(2, 6)]
    add_rows(ledger, records)
    stats = deliver_all(running, ledger, settle=0)  # found by the look-up, then checked by the reconcile pass
    assert ledger.rows.status_counts() == {"created": 4} and len(running.contacts()) == 4
    assert stats.created == 4


def test_a_row_failed_for_want_of_an_answer_whose_contact_the_pass_found_counts(
    sandbox_factory, ledger: Ledger
) -> None:
    # The answer lost, and the look-up too early to see the contact: the row fails, the reconcile pass finds it.
    running = sandbox_factory("--drop-after-commit", "1", "--read-lag-ms", "1000")
    rec = record()
    add_rows(ledger, [rec])
    stats = deliver_all(running, ledger, max_retries=0, settle=0)
    (contact,) = running.contacts()
    assert ledger.rows.status_counts() == {"created": 1}
    assert ledger.contacts.known("whatsapp", rec.identifier).uuid == contact["uuid"]
    assert stats.created == 1
