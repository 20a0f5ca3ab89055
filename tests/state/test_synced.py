"""importer/state/synced.py: what this state last sent (or found) per contact, and the rows that may end
`unchanged` without a request."""

from __future__ import annotations

from importer.state.ledger import Ledger
from importer.state.rows import PENDING


def test_a_record_is_kept_per_contact_and_forgotten_by_uuid(ledger: Ledger) -> None:
    ledger.contacts.remember("whatsapp", "34600000001", "u1", "h1", "run1")
    ledger.contacts.remember("whatsapp", "34600000002", "u2", "h2", "run1")
    assert ledger.synced.get("whatsapp", "34600000001") is None
    ledger.synced.set("whatsapp", "34600000001", {"name": "Ana", "tags": ["VIP"]})
    ledger.synced.set("whatsapp", "34600000002", {"name": "Zoë"})
    ledger.synced.set("whatsapp", "34600000001", {"name": "Ana María"})  # the last one sent wins
    assert ledger.synced.get("whatsapp", "34600000001") == {"name": "Ana María"}
    ledger.synced.forget("u1")  # undone: compared with Callbell next time
    assert ledger.synced.get("whatsapp", "34600000001") is None
    assert ledger.synced.get("whatsapp", "34600000002") == {"name": "Zoë"}


def test_pending_rows_with_a_record_of_a_contact_not_created_by_this_run(ledger: Ledger) -> None:
    ledger.rows.add(
        [(n, PENDING, f"3460000000{n}", "whatsapp", f'{{"n": {n}}}', "", "", "", "", "") for n in range(2, 8)]
    )
    for n in range(2, 8):
        ledger.synced.set("whatsapp", f"3460000000{n}", {"name": str(n)})
    ledger.contacts.remember("whatsapp", "34600000002", "u2", "h2", "old run")
    ledger.contacts.remember("whatsapp", "34600000003", "u3", "h3", "this run")  # reported as created
    ledger.contacts.remember("whatsapp", "34600000004", "u4", "h4", "", state="existing")
    ledger.contacts.intend("whatsapp", "34600000005", "old run")  # answer unknown: not known
    ledger.contacts.remember("whatsapp", "34600000006", "u6", "h6", "old run")
    ledger.rows.set_outcome(6, "failed")  # not pending
    # Row 7: no contact known.
    found = ledger.synced.pending_with_record("this run", 0, 10)
    assert found == [(2, '{"n": 2}', "u2", "h2", '{"name": "2"}'), (4, '{"n": 4}', "u4", "h4", '{"name": "4"}')]
    assert [r[0] for r in ledger.synced.pending_with_record("this run", 0, 1)] == [2]
    assert [r[0] for r in ledger.synced.pending_with_record("this run", 2, 10)] == [4]
