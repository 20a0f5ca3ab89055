"""importer/delivery/reconcile.py on its own: the reconcile pass over doubts written straight into a real Ledger,
against a real sandbox holding the contacts those doubts' POSTs made (created here through its HTTP API, with
--on-duplicate create so a number can be there twice). The command line over the same paths is in
tests/e2e/test_lag.py and test_delivery.py."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from importer.callbell.client import CallbellClient, ClientConfig
from importer.delivery.reconcile import reconcile
from importer.progress import NoProgress
from importer.state.ledger import Ledger

_numbers = itertools.count(34622100001)
SETTLE = 0.1  # short: the sandboxes here lag only where a test says so


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "state.db") as opened:
        yield opened


def post(running: Any, number: str, name: str = "Persona") -> dict[str, Any]:
    """A contact made for the row: what one of its POSTs left in the account."""
    body = {"identifier": number, "source": "whatsapp", "name": name}
    response = httpx.post(f"{running.base_url}/contacts", json=body, headers=running.headers, timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json()["contact"][0])


def row(ledger: Ledger, n: int, number: str, status: str = "failed", source: str = "whatsapp") -> None:
    """The row of this run the doubt is about, as the sending left it."""
    error = "no answer after 2 attempts (HTTP 502); run again to resolve" if status == "failed" else ""
    ledger.rows.add([(n, status, number, source, None, "", "", error, "", "")])


def outcome(ledger: Ledger, n: int) -> dict[str, str]:
    for r, status, uuid, _identifier, error, _href, _cells, warning in ledger.rows.outcomes():
        if r == n:
            return {"status": status, "uuid": uuid, "error": error, "warning": warning}
    raise AssertionError(f"no row {n}")


def uncertain_create(
    running: Any, ledger: Ledger, number: str, *, landed: int, known: int | None, found: bool = False, run: str = "run1"
) -> list[dict[str, Any]]:
    """As Courier leaves a row whose first POST's answer was lost: the intent, the doubt, `landed` POSTs that made
    a contact each (re-sends counted before they leave), the state knowing the contact of POST `known` (None: no
    answer ever came), and `found` when a look-up found that contact after several POSTs."""
    doubts = ledger.uncertain
    ledger.contacts.intend("whatsapp", number, run)
    doubts.doubt("whatsapp", number, run, time.time())
    made = []
    for n in range(landed):
        if n:
            doubts.resend("whatsapp", number)
        made.append(post(running, number))
        doubts.ended("whatsapp", number)
    if known is not None:
        ledger.contacts.remember("whatsapp", number, made[known]["uuid"], made[known]["href"], run=run)
        if found:
            doubts.found("whatsapp", number)
    return made


def run_reconcile(
    running: Any,
    ledger: Ledger,
    *,
    run: str = "run1",
    settle: float = SETTLE,
    max_retries: int = 6,
    deletes_to: Any = None,
    failing: frozenset[str] = frozenset(),
    stopped: bool = False,
) -> int:
    """reconcile() with a client of `running`; `deletes_to`: another sandbox (same store) where the DELETEs of the
    contacts `failing` go."""

    async def go() -> int:
        stop = asyncio.Event()
        if stopped:
            stop.set()
        config = ClientConfig(token=running.token, base_url=running.base_url, max_retries=max_retries)
        async with CallbellClient(config) as client:
            if deletes_to is None:
                return await reconcile(client, ledger, run, settle, stop, NoProgress())
            twin = ClientConfig(token=deletes_to.token, base_url=deletes_to.base_url, max_retries=0)
            async with CallbellClient(twin) as other:
                delete = client.delete_contact

                async def routed(uuid: str) -> bool:
                    return await (other.delete_contact if uuid in failing else delete)(uuid)

                client.delete_contact = routed  # type: ignore[method-assign]
                return await reconcile(client, ledger, run, settle, stop, NoProgress())

    return asyncio.run(go())


def uuids(running: Any, number: str) -> list[str]:
    return [c["uuid"] for c in running.contacts() if c["phoneNumber"].lstrip("+") == number]


def test_an_extra_contact_made_for_a_row_is_deleted_and_the_oldest_kept(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--on-duplicate", "create")
    number = str(next(_numbers))
    row(ledger, 2, number, status="created")
    # The first POST's answer was lost, the re-send's arrived: the state knows the second contact.
    first, second = uncertain_create(running, ledger, number, landed=2, known=1)
    assert run_reconcile(running, ledger) == 1
    assert uuids(running, number) == [first["uuid"]]
    assert ledger.contacts.known("whatsapp", number).uuid == first["uuid"]  # the row's contact is now the oldest
    assert ledger.uncertain.open() == []
    got = outcome(ledger, 2)
    assert (got["status"], got["uuid"]) == ("created", first["uuid"])
    assert got["warning"] == (
        f"1 duplicate created after a lost answer deleted (uuid {second['uuid']}); kept the first, {first['uuid']}"
    )


def test_a_failed_row_whose_contact_landed_is_created_after_all(sandbox, ledger: Ledger) -> None:
    number = str(next(_numbers))
    row(ledger, 2, number)  # failed: no answer ever came, and the look-up (lagging) did not find it
    (contact,) = uncertain_create(sandbox, ledger, number, landed=1, known=None)
    assert run_reconcile(sandbox, ledger) == 0
    assert uuids(sandbox, number) == [contact["uuid"]]
    got = outcome(ledger, 2)
    assert (got["status"], got["uuid"], got["error"]) == ("created", contact["uuid"], "")
    assert ledger.contacts.known("whatsapp", number).uuid == contact["uuid"]


def test_a_row_whose_posts_made_nothing_stays_failed(sandbox, ledger: Ledger) -> None:
    number = str(next(_numbers))
    row(ledger, 2, number)
    uncertain_create(sandbox, ledger, number, landed=0, known=None)
    post(sandbox, str(next(_numbers)))  # another number: not this row's
    assert run_reconcile(sandbox, ledger) == 0
    assert ledger.uncertain.open() == []
    assert outcome(ledger, 2)["status"] == "failed"
    assert ledger.contacts.known("whatsapp", number).state == "sending"  # the intent stays: the next run looks again


def test_a_stopped_pass_leaves_the_doubt_for_the_next_run(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--on-duplicate", "create")
    number = str(next(_numbers))
    row(ledger, 2, number, status="created")
    uncertain_create(running, ledger, number, landed=2, known=1)
    assert run_reconcile(running, ledger, stopped=True) == 0  # a signal came: nothing listed, nothing deleted
    assert len(uuids(running, number)) == 2 and [d.identifier for d in ledger.uncertain.open()] == [number]
    assert run_reconcile(running, ledger, run="run2") == 1


def test_a_contact_a_run_updated_is_never_deleted(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--on-duplicate", "create")
    number = str(next(_numbers))
    row(ledger, 2, number, status="created")
    # Someone else made a contact with this number meanwhile, and a run of this state updated it: the
    # account's own, whenever it was made.
    theirs = post(running, number, name="Their own")
    ledger.runs.record_before("run0", theirs["uuid"], {"name": "Their own"})
    ours = uncertain_create(running, ledger, number, landed=1, known=0)[0]
    assert run_reconcile(running, ledger) == 0
    assert sorted(uuids(running, number)) == sorted([theirs["uuid"], ours["uuid"]])
    assert (outcome(ledger, 2)["uuid"], outcome(ledger, 2)["warning"]) == (ours["uuid"], "")  # nothing to say
    assert ledger.contacts.known("whatsapp", number).uuid == ours["uuid"]


def test_more_contacts_than_posts_are_left_for_a_person_to_check(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--on-duplicate", "create")
    number = str(next(_numbers))
    row(ledger, 2, number, status="created")
    (ours,) = uncertain_create(running, ledger, number, landed=1, known=0)
    other = post(running, number)  # made in the row's window, but one POST cannot have made two
    assert run_reconcile(running, ledger) == 0
    assert len(uuids(running, number)) == 2
    warning = outcome(ledger, 2)["warning"]
    assert "2 contacts with this number" in warning and "none deleted, check them by hand" in warning
    assert ours["uuid"] in warning and other["uuid"] in warning


def test_a_listing_that_lags_more_than_settle_is_taken_again(sandbox_factory, ledger: Ledger) -> None:
    # Reads trail writes by 1.5 s, the pass waits 0.1 s: the first listing shows neither contact. It is taken
    # again after 0.5, 1 and 2 s while the contact the state knows is missing, and the third one shows both.
    running = sandbox_factory("--on-duplicate", "create", "--read-lag-ms", "1500")
    number = str(next(_numbers))
    row(ledger, 2, number, status="created")
    first, second = uncertain_create(running, ledger, number, landed=2, known=1)
    assert run_reconcile(running, ledger) == 1  # found on a later listing (how many depends on the machine's pace)
    assert uuids(running, number) == [first["uuid"]]
    assert f"deleted (uuid {second['uuid']})" in outcome(ledger, 2)["warning"]
    assert running.stats()["by_method"]["GET"] >= 3  # three listings at least (an empty one is one page)


def test_a_listing_that_never_shows_the_rows_contact_checks_nothing(sandbox_factory, ledger: Ledger) -> None:
    # Reads trail by far longer than all four listings take (0.5 + 1 + 2 s of waiting, however loaded the
    # machine): nothing is deleted, and the row says it was not checked.
    running = sandbox_factory("--on-duplicate", "create", "--read-lag-ms", "60000")
    number = str(next(_numbers))
    row(ledger, 2, number, status="created")
    first, second = uncertain_create(running, ledger, number, landed=2, known=1)
    assert run_reconcile(running, ledger) == 0
    assert sorted(uuids(running, number)) == sorted([first["uuid"], second["uuid"]])
    got = outcome(ledger, 2)
    assert got["uuid"] == second["uuid"]
    assert got["warning"] == (
        f"not checked for a duplicate: the account's listing did not show its contact {second['uuid']}"
        f" after 4 tries (reads lag more than --settle {SETTLE:g} s)"
    )
    assert ledger.uncertain.open() == []


def test_a_contact_found_after_several_posts_warns_a_duplicate_may_remain(sandbox_factory, ledger: Ledger) -> None:
    # A look-up found the first contact after two POSTs: the state does not know what the second made. The
    # listing must show a contact made after the last POST (so everything before it) to be trusted; no contact
    # is made after it, so four listings never prove it. The extras it does show are deleted all the same, and
    # the row's warning says one may remain.
    running = sandbox_factory("--on-duplicate", "create")
    number = str(next(_numbers))
    row(ledger, 2, number, status="created")
    first, second = uncertain_create(running, ledger, number, landed=2, known=0, found=True)
    assert run_reconcile(running, ledger) == 1
    assert uuids(running, number) == [first["uuid"]]
    got = outcome(ledger, 2)
    assert got["uuid"] == first["uuid"]
    assert got["warning"] == (
        f"1 duplicate created after a lost answer deleted (uuid {second['uuid']}); kept the first, {first['uuid']};"
        f" a duplicate made by its last requests may remain: the listing showed no contact made after them in 4"
        f" tries (reads lag more than --settle {SETTLE:g} s)"
    )


def test_a_doubt_about_a_non_whatsapp_row_is_closed_without_a_request(sandbox, ledger: Ledger) -> None:
    # Only phone numbers can be found in a listing: an e-mail or Instagram row's doubt is closed as it is.
    doubts = ledger.uncertain
    for source, identifier in (("email", "ana@example.com"), ("instagram", "ana.ig")):
        row(ledger, 2 if source == "email" else 3, identifier, source=source)
        ledger.contacts.intend(source, identifier, "run1")
        doubts.doubt(source, identifier, "run1", time.time())
    assert run_reconcile(sandbox, ledger) == 0
    assert doubts.open() == []
    assert sandbox.stats()["by_method"].get("GET", 0) == 0
    assert outcome(ledger, 2)["status"] == "failed" and outcome(ledger, 3)["status"] == "failed"


def test_a_listing_that_keeps_failing_leaves_the_doubt_for_the_next_run(sandbox_factory, ledger: Ledger) -> None:
    running = sandbox_factory("--on-duplicate", "create", "--fail-rate", "1")
    number = str(next(_numbers))
    row(ledger, 2, number)
    doubts = ledger.uncertain
    ledger.contacts.intend("whatsapp", number, "run1")
    doubts.doubt("whatsapp", number, "run1", time.time())
    assert run_reconcile(running, ledger, max_retries=0) == 0
    assert [d.identifier for d in doubts.open()] == [number]
    assert outcome(ledger, 2)["status"] == "failed"


def test_a_delete_that_keeps_failing_leaves_the_doubt_for_the_next_run(
    sandbox_factory, ledger: Ledger, tmp_path: Path
) -> None:
    # The sandbox cannot fail some DELETEs alone: those go to a twin on the same store that fails every request.
    store = tmp_path / "account.db"
    running = sandbox_factory("--on-duplicate", "create", "--db", str(store))
    twin = sandbox_factory("--fail-rate", "1", "--db", str(store))
    stuck, fine = str(next(_numbers)), str(next(_numbers))
    row(ledger, 2, stuck, status="created")
    row(ledger, 3, fine, status="created")
    first, second = uncertain_create(running, ledger, stuck, landed=2, known=1)
    kept, extra = uncertain_create(running, ledger, fine, landed=2, known=1)
    # One row's DELETE keeps failing; the other row is settled all the same.
    assert run_reconcile(running, ledger, deletes_to=twin, failing=frozenset({second["uuid"]})) == 1
    assert uuids(running, fine) == [kept["uuid"]]
    assert f"deleted (uuid {extra['uuid']})" in outcome(ledger, 3)["warning"]
    assert uuids(running, stuck) == [first["uuid"], second["uuid"]]  # nothing deleted
    (doubt,) = ledger.uncertain.open()  # still open, with what it meant to do
    assert (
        doubt.identifier,
        doubt.note.startswith(f"1 duplicate created after a lost answer deleted (uuid {second['uuid']})"),
    ) == (stuck, True)
    assert outcome(ledger, 2)["warning"] == ""
    # The next run takes it up and deletes it.
    assert run_reconcile(running, ledger, run="run2") == 1
    assert uuids(running, stuck) == [first["uuid"]]
    assert ledger.uncertain.open() == []
    assert f"deleted (uuid {second['uuid']})" in outcome(ledger, 2)["warning"]
