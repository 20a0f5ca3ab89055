"""importer/delivery/missing.py and --on-missing / --max-missing as read by importer/delivery/options.py: the
policy, the limit, the tag checked against the account, and which contacts are missing (the guard rails that need
no API); what a removal stopped before its request leaves in the state (against a sandbox). The requests, kills
and undo end to end: tests/e2e/test_missing.py."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from stopping import stopped

from importer.account.model import load_account
from importer.callbell.client import ClientConfig
from importer.delivery.missing import MissingReport, _one, _remove, _Run, check_missing_tag, handle_missing
from importer.delivery.options import DeliveryOptions, MissingPolicy, max_missing_limit, missing_policy
from importer.errors import ConfigError
from importer.progress import NoProgress
from importer.state.ledger import Ledger

ACCOUNT = Path(__file__).resolve().parents[2] / "sample_data" / "account.toml"


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        ("keep", MissingPolicy("keep")),
        ("DELETE", MissingPolicy("delete")),
        ("tag:Gone", MissingPolicy("tag", "Gone")),
        ("tag: Call back ", MissingPolicy("tag", "Call back")),
    ],
)
def test_the_policy(value: str, policy: MissingPolicy) -> None:
    assert missing_policy(value) == policy
    assert str(policy) == ("tag:" + policy.tag if policy.tag else policy.action)


@pytest.mark.parametrize("value", ["", "tag", "tag:", "tag:  ", "remove", "untag:Gone"])
def test_a_bad_policy_is_one_line(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^--on-missing: .* is not keep, tag:NAME \(e.g. tag:Gone\) or delete$"):
        missing_policy(value)


@pytest.mark.parametrize(
    ("value", "known", "limit"),
    [
        ("10%", 100, 10),
        ("10%", 109, 10),
        ("10%", 5, 0),
        ("0", 100, 0),
        ("25", 10, 25),
        ("100%", 7, 7),
        ("2.5%", 200, 5),
    ],
)
def test_the_limit(value: str, known: int, limit: int) -> None:
    assert max_missing_limit(value, known) == limit


@pytest.mark.parametrize("value", ["", "x", "-1", "1.5", "10 %%", "101%"])
def test_a_bad_limit_is_one_line(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^--max-missing: "):
        max_missing_limit(value, 10)


def test_the_tag_must_be_the_accounts() -> None:
    account = load_account(ACCOUNT)
    assert check_missing_tag(MissingPolicy("tag", "call BACK"), account) == MissingPolicy("tag", "Call back")
    assert check_missing_tag(MissingPolicy("delete"), account) == MissingPolicy("delete")
    with pytest.raises(ConfigError, match=r"^--on-missing tag:Gone: 'Gone' is not a tag of the account"):
        check_missing_tag(MissingPolicy("tag", "Gone"), account)


@pytest.fixture
def known(tmp_path: Path) -> Ledger:
    """A job that knows 20 contacts (346000000NN); tonight's rows are added by each test."""
    with Ledger.open(tmp_path / "state.db") as ledger:
        for n in range(20):
            ledger.contacts.remember("whatsapp", f"346000000{n:02d}", f"u{n}", f"h{n}", "run0")
        yield ledger


def rows(ledger: Ledger, numbers: list[int], *, status: str = "created") -> None:
    ledger.rows.add([(2 + n, status, f"346000000{n:02d}", "whatsapp", None, "", "", "", "", "") for n in numbers])


def dry(on_missing: str, max_missing: str = "100%") -> DeliveryOptions:
    return DeliveryOptions(dry_run=True, on_missing=on_missing, max_missing=max_missing)


def planned(ledger: Ledger) -> list[str]:
    return [r.uuid for r in ledger.removals.left("")]


def test_missing_contacts_are_planned(known: Ledger) -> None:
    rows(known, list(range(2, 20)))
    report = handle_missing(known, None, "", dry("tag:Gone"), 18, NoProgress())
    assert (report.known, report.missing, report.held_back) == (20, 2, "")
    assert planned(known) == ["u0", "u1"]


def test_keep_plans_nothing(known: Ledger) -> None:
    rows(known, list(range(2, 20)))
    report = handle_missing(known, None, "", dry("keep"), 18, NoProgress())
    assert report.missing == 0 and planned(known) == []


def test_invalid_rows_are_not_missing_and_unreadable_phones_count_by_their_digits(known: Ledger) -> None:
    rows(known, list(range(5, 20)))
    rows(known, [0], status="invalid")  # invalid tonight, its identifier read
    known.rows.add(
        [(30, "invalid", "", "whatsapp", None, "", "", "", "", ""), (31, "invalid", "", "", None, "", "", "", "", "")]
    )
    known.rows.add([(32, "invalid", "", "whatsapp", None, "", "", "", "", "")])
    # Row 30: the national number of contact 1 (no region); row 31: contact 2's full number, "00"-prefixed, and a
    # stray short number that must not match anything (too short to stand for a national number).
    known.rows.set_phone_digits([(30, "600000001"), (31, "0034600000002 12"), (32, "00003")])
    handle_missing(known, None, "", dry("delete"), 19, NoProgress())
    assert planned(known) == ["u3", "u4"]


@pytest.mark.parametrize(("limit", "held"), [("2", True), ("3", False), ("10%", True), ("15%", False)])
def test_more_missing_than_the_limit_holds_every_removal_back(known: Ledger, limit: str, held: bool) -> None:
    rows(known, list(range(3, 20)))
    report = handle_missing(known, None, "", dry("delete", limit), 17, NoProgress())
    assert report.missing == 3
    if held:
        held_back = str(report.held_back)
        assert planned(known) == [] and held_back.startswith("3 of the 20 contacts this job knows are missing")
        assert f"--max-missing {limit}" in report.held_back and "nothing removed" in report.held_back
    else:
        assert planned(known) == ["u0", "u1", "u2"] and report.held_back == ""


def test_an_input_without_rows_removes_nothing(known: Ledger) -> None:
    report = handle_missing(known, None, "", dry("delete"), 0, NoProgress())
    assert planned(known) == [] and str(report.held_back).startswith("the input has no rows")


def test_contacts_already_tagged_are_not_counted_again(known: Ledger) -> None:
    rows(known, list(range(2, 20)))
    known.removals.plan("old", [("u0", "whatsapp", "34600000000", "h0", "tag", "Gone")])
    known.removals.tagged("old", "u0", added=True)
    report = handle_missing(known, None, "", replace(dry("tag:Gone"), max_missing="1"), 18, NoProgress())
    assert (report.missing, report.held_back) == (1, "") and planned(known) == ["u1"]


# --- stopped before a request (a signal): against a sandbox ------------------------------------------------------


def resume(running: Any, ledger: Ledger, policy: str) -> None:
    """The next run's removals (it resumes the stopped one)."""
    config = ClientConfig(token=running.token, base_url=running.base_url)
    asyncio.run(_remove(_Run(ledger, "run1"), config, MissingReport(policy), NoProgress()))


def made(running: Any, identifier: str) -> dict[str, Any]:
    """A contact in the sandbox (its answer may be lost: the sandbox may drop it after the commit)."""
    body = {"identifier": identifier, "source": "whatsapp", "name": "Ana"}
    with contextlib.suppress(httpx.HTTPError):  # committed all the same
        httpx.post(f"{running.base_url}/contacts", json=body, headers=running.headers, timeout=10)
    (contact,) = running.contacts()
    return contact


def test_a_tag_stopped_before_its_patch_left_is_planned_as_it_was(sandbox, tmp_path: Path) -> None:
    contact = made(sandbox, "34611000001")
    with Ledger.open(tmp_path / "state.db") as ledger:
        ledger.removals.plan("run1", [(contact["uuid"], "whatsapp", "34611000001", "", "tag", "VIP")])
        state = _Run(ledger, "run1")
        (item,) = ledger.removals.left("run1")
        stopped(sandbox, lambda client: _one(client, state, item), turn=2)  # its look-up went, its PATCH did not
        assert sandbox.stats()["by_method"].get("PATCH", 0) == 0
        # Not failed, not done, and no intent: the next run looks it up afresh, and a tag it finds there then is
        # not taken for the job's (an undo would remove it).
        assert [(r.uuid, r.state) for r in ledger.removals.left("run1")] == [(contact["uuid"], "todo")]
        resume(sandbox, ledger, "tag:VIP")
        assert ledger.removals.counts("run1") == {"tag done": 1} and ledger.undo.counts_of("run1").to_untag == 1
    assert sandbox.contacts()[0]["tags"] == ["VIP"] and sandbox.stats()["by_method"]["PATCH"] == 1


def test_a_delete_that_may_have_landed_keeps_its_intent_when_stopped(sandbox_factory, tmp_path: Path) -> None:
    # Every write is done and its answer lost: the DELETE is retried (it is idempotent), and the run stops while
    # it backs off. The DELETE may have landed (it did): the intent, with the contact's last fields, stays.
    running = sandbox_factory("--drop-after-commit", "1")
    contact = made(running, "34611000002")
    uuid = contact["uuid"]
    with Ledger.open(tmp_path / "state.db") as ledger:
        ledger.contacts.remember("whatsapp", "34611000002", uuid, "", "run0")
        ledger.removals.plan("run1", [(uuid, "whatsapp", "34611000002", "", "delete", "")])
        state = _Run(ledger, "run1")
        (item,) = ledger.removals.left("run1")
        stopped(running, lambda client: _one(client, state, item))
        assert running.contacts() == [] and running.stats()["by_method"]["DELETE"] == 1
        assert [r.state for r in ledger.removals.left("run1")] == ["sending"]
        # The next run sends it again without looking (a 404: done) and keeps the fields an undo re-creates from.
        resume(running, ledger, "delete")
        assert ledger.removals.counts("run1") == {"delete done": 1}
        assert ledger.removals.for_undo("run1", uuid)[2]["name"] == "Ana"
    assert running.stats()["by_method"]["GET"] == 1  # only the first run's look-up
